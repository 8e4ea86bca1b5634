"""Azure Communication Services Chat, API-compatible with azure-communication-chat 1.2.0, on a Rust engine.

Change ``azure.communication.chat`` to ``acs_chat`` in imports; see the README for the deliberate differences.
"""

from ._acs_chat import __version__
from ._client import ChatClient, ChatThreadClient
from ._credential import AccessToken, CommunicationTokenCredential
from ._identifiers import (
    CommunicationCloudEnvironment,
    CommunicationIdentifier,
    CommunicationIdentifierKind,
    CommunicationUserIdentifier,
    CommunicationUserProperties,
    MicrosoftTeamsUserIdentifier,
    MicrosoftTeamsUserProperties,
    PhoneNumberIdentifier,
    PhoneNumberProperties,
    UnknownIdentifier,
    identifier_from_raw_id,
)
from ._models import (
    ChatAttachment,
    ChatAttachmentType,
    ChatError,
    ChatMessage,
    ChatMessageContent,
    ChatMessageReadReceipt,
    ChatMessageType,
    ChatParticipant,
    ChatThreadItem,
    ChatThreadProperties,
    CreateChatThreadResult,
    SendChatMessageResult,
)
from .exceptions import (
    AmbiguousWriteError,
    AzureError,
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)

__all__ = [
    "ChatClient",
    "ChatThreadClient",
    "ChatMessage",
    "ChatMessageContent",
    "ChatMessageReadReceipt",
    "SendChatMessageResult",
    "ChatThreadProperties",
    "ChatThreadItem",
    "ChatParticipant",
    "ChatMessageType",
    "ChatAttachment",
    "ChatAttachmentType",
    "CreateChatThreadResult",
    "ChatError",
    "CommunicationTokenCredential",
    "CommunicationIdentifier",
    "CommunicationIdentifierKind",
    "CommunicationUserIdentifier",
    "CommunicationUserProperties",
    "MicrosoftTeamsUserIdentifier",
    "MicrosoftTeamsUserProperties",
    "identifier_from_raw_id",
    "PhoneNumberIdentifier",
    "PhoneNumberProperties",
    "UnknownIdentifier",
    "CommunicationCloudEnvironment",
    "AccessToken",
    "AzureError",
    "HttpResponseError",
    "ResourceNotFoundError",
    "ResourceExistsError",
    "ClientAuthenticationError",
    "ServiceRequestError",
    "ServiceResponseError",
    "AmbiguousWriteError",
]
