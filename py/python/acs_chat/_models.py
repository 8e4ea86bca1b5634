"""The models of azure-communication-chat 1.2.0, built from the engine's wire-form results."""

import datetime
from enum import Enum
from typing import Any, Dict, List, Optional, Tuple

from ._identifiers import (
    CaseInsensitiveEnumMeta,
    CommunicationIdentifier,
    deserialize_identifier,
    serialize_identifier,
)
from ._time import from_wire, to_wire

__all__ = [
    "ChatMessageType",
    "ChatAttachmentType",
    "ChatError",
    "ChatThreadItem",
    "SendChatMessageResult",
    "ChatParticipant",
    "ChatAttachment",
    "ChatMessage",
    "ChatMessageContent",
    "ChatThreadProperties",
    "ChatMessageReadReceipt",
    "CreateChatThreadResult",
]


class ChatMessageType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The type of a chat message. Value lookup is exact; member-name lookup ignores case."""

    TEXT = "text"
    HTML = "html"
    TOPIC_UPDATED = "topicUpdated"
    PARTICIPANT_ADDED = "participantAdded"
    PARTICIPANT_REMOVED = "participantRemoved"


class ChatAttachmentType(str, Enum, metaclass=CaseInsensitiveEnumMeta):
    """The type of a message attachment."""

    IMAGE = "image"


class _Model:
    """Generated-model behaviour of 1.2.0: equality on attributes, ``as_dict()``, unknown keys kept."""

    _attribute_map: Dict[str, str] = {}

    def __init__(self, **kwargs: Any) -> None:
        self.additional_properties: Optional[Dict[str, Any]] = kwargs.pop("additional_properties", None)

    def __eq__(self, other: Any) -> bool:
        return type(other) is type(self) and self.__dict__ == other.__dict__

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]

    def __str__(self) -> str:
        return str(self.__dict__)

    def __repr__(self) -> str:
        fields = ", ".join("{}={!r}".format(k, v) for k, v in self.__dict__.items() if k != "additional_properties")
        return "{}({})".format(type(self).__name__, fields)

    def as_dict(self) -> Dict[str, Any]:
        """The attributes as a dict (nested models converted), without unset (None) values."""
        out: Dict[str, Any] = {}
        for name in self._attribute_map:
            value = getattr(self, name, None)
            if value is None:
                continue
            if isinstance(value, _Model):
                value = value.as_dict()
            elif isinstance(value, list):
                value = [v.as_dict() if isinstance(v, _Model) else v for v in value]
            out[name] = value
        return out


class ChatError(_Model):
    """An error the service reported (``code``, ``message``, ``target``, ``details``, ``inner_error``)."""

    _attribute_map = {"code": "code", "message": "message", "target": "target", "details": "details",
                      "inner_error": "innererror"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.code: Optional[str] = kwargs.get("code")
        self.message: Optional[str] = kwargs.get("message")
        self.target: Optional[str] = kwargs.get("target")
        self.details: Optional[List["ChatError"]] = kwargs.get("details")
        self.inner_error: Optional["ChatError"] = kwargs.get("inner_error")

    @classmethod
    def _from_wire(cls, wire: Dict[str, Any]) -> "ChatError":
        details = wire.get("details")
        inner = wire.get("innererror")
        return cls(
            code=wire.get("code"),
            message=wire.get("message"),
            target=wire.get("target"),
            details=[cls._from_wire(d) for d in details] if details else None,
            inner_error=cls._from_wire(inner) if inner else None,
        )


class ChatThreadItem(_Model):
    """A thread as listed: ``id``, ``topic``, ``deleted_on``, ``last_message_received_on`` (UTC datetimes)."""

    _attribute_map = {"id": "id", "topic": "topic", "deleted_on": "deletedOn",
                      "last_message_received_on": "lastMessageReceivedOn"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.id: str = kwargs["id"]
        self.topic: str = kwargs["topic"]
        self.deleted_on: Optional[datetime.datetime] = kwargs.get("deleted_on")
        self.last_message_received_on: Optional[datetime.datetime] = None

    @classmethod
    def _from_wire(cls, wire: Dict[str, Any]) -> "ChatThreadItem":
        item = cls(id=wire["id"], topic=wire["topic"], deleted_on=from_wire(wire.get("deletedOn")))
        item.last_message_received_on = from_wire(wire.get("lastMessageReceivedOn"))
        return item


class SendChatMessageResult(_Model):
    """The result of ``send_message``: the new message's ``id``."""

    _attribute_map = {"id": "id"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.id: str = kwargs["id"]


class ChatParticipant:
    """A thread participant: ``identifier``, ``display_name``, ``share_history_time`` (keyword-only)."""

    def __init__(
        self,
        *,
        identifier: CommunicationIdentifier,
        display_name: Optional[str] = None,
        share_history_time: Optional[datetime.datetime] = None,
        **kwargs: Any
    ) -> None:
        self.identifier = identifier
        self.display_name = display_name
        self.share_history_time = share_history_time

    def __repr__(self) -> str:
        return "ChatParticipant(identifier={!r}, display_name={!r}, share_history_time={!r})".format(
            self.identifier, self.display_name, self.share_history_time
        )

    @classmethod
    def _from_wire(cls, wire: Dict[str, Any]) -> "ChatParticipant":
        return cls(
            identifier=deserialize_identifier(wire.get("communicationIdentifier")),  # type: ignore[arg-type]
            display_name=wire.get("displayName"),
            share_history_time=from_wire(wire.get("shareHistoryTime")),
        )

    def _to_wire(self) -> Dict[str, Any]:
        if self.identifier is None:
            raise ValueError("identifier cannot be None.")
        wire: Dict[str, Any] = {"communicationIdentifier": serialize_identifier(self.identifier)}
        if self.display_name is not None:
            wire["displayName"] = self.display_name
        if self.share_history_time is not None:
            wire["shareHistoryTime"] = to_wire(self.share_history_time)
        return wire


class ChatAttachment:
    """An attachment of a received message (``attachment_type`` is the raw string, e.g. ``"image"``)."""

    def __init__(self, **kwargs: Any) -> None:
        self.id: str = kwargs["id"]
        self.attachment_type: str = kwargs["attachment_type"]
        self.name: Optional[str] = kwargs.get("name", None)
        self.url: Optional[str] = kwargs.get("url", None)
        self.preview_url: Optional[str] = kwargs.get("preview_url", None)

    @classmethod
    def _from_wire(cls, wire: Dict[str, Any]) -> "ChatAttachment":
        return cls(
            id=wire["id"],
            attachment_type=wire["attachmentType"],
            name=wire.get("name"),
            url=wire.get("url"),
            preview_url=wire.get("previewUrl"),
        )


class ChatMessageContent:
    """Message content: ``message``, ``topic``, ``participants``, ``initiator``, ``attachments``."""

    def __init__(self, **kwargs: Any) -> None:
        self.message: Optional[str] = kwargs.get("message", None)
        self.topic: Optional[str] = kwargs.get("topic", None)
        self.participants: Optional[List[ChatParticipant]] = kwargs.get("participants", None)
        self.initiator: Optional[CommunicationIdentifier] = kwargs.get("initiator", None)
        self.attachments: Optional[List[ChatAttachment]] = kwargs.get("attachments", None)

    @classmethod
    def _from_wire(cls, wire: Dict[str, Any]) -> "ChatMessageContent":
        return cls(
            message=wire.get("message"),
            topic=wire.get("topic"),
            participants=[ChatParticipant._from_wire(p) for p in wire.get("participants") or []],
            initiator=deserialize_identifier(wire.get("initiatorCommunicationIdentifier")),
            attachments=[ChatAttachment._from_wire(a) for a in wire.get("attachments") or []],
        )


class ChatMessage:
    """A chat message. ``type`` is a :class:`ChatMessageType`, or the raw string for unknown types."""

    def __init__(self, **kwargs: Any) -> None:
        self.id: str = kwargs["id"]
        self.type: Any = kwargs["type"]
        self.sequence_id: str = kwargs["sequence_id"]
        self.version: str = kwargs["version"]
        self.content: Optional[ChatMessageContent] = kwargs["content"]
        self.sender_display_name: Optional[str] = kwargs["sender_display_name"]
        self.created_on: datetime.datetime = kwargs["created_on"]
        self.sender: Optional[CommunicationIdentifier] = kwargs["sender"]
        self.deleted_on: Optional[datetime.datetime] = kwargs["deleted_on"]
        self.edited_on: Optional[datetime.datetime] = kwargs["edited_on"]
        self.metadata: Optional[Dict[str, str]] = kwargs.get("metadata")

    @classmethod
    def _from_wire(cls, wire: Dict[str, Any]) -> "ChatMessage":
        raw_type = wire.get("type")
        try:
            message_type: Any = ChatMessageType(raw_type)
        except ValueError:
            message_type = raw_type
        content = wire.get("content")
        return cls(
            id=wire["id"],
            type=message_type,
            sequence_id=wire.get("sequenceId"),
            version=wire.get("version"),
            content=ChatMessageContent._from_wire(content) if content else None,
            sender_display_name=wire.get("senderDisplayName"),
            created_on=from_wire(wire.get("createdOn")),
            sender=deserialize_identifier(wire.get("senderCommunicationIdentifier")),
            deleted_on=from_wire(wire.get("deletedOn")),
            edited_on=from_wire(wire.get("editedOn")),
            metadata=wire.get("metadata"),
        )


class ChatThreadProperties:
    """A thread's properties: ``id``, ``topic``, ``created_on``, ``created_by``."""

    def __init__(self, **kwargs: Any) -> None:
        self.id: str = kwargs["id"]
        self.topic: Optional[str] = kwargs.get("topic", None)
        self.created_on: Optional[datetime.datetime] = kwargs.get("created_on", None)
        self.created_by: Optional[CommunicationIdentifier] = kwargs.get("created_by", None)

    @classmethod
    def _from_wire(cls, wire: Dict[str, Any]) -> "ChatThreadProperties":
        return cls(
            id=wire["id"],
            topic=wire.get("topic"),
            created_on=from_wire(wire.get("createdOn")),
            created_by=deserialize_identifier(wire.get("createdByCommunicationIdentifier")),
        )


class ChatMessageReadReceipt:
    """A read receipt: ``sender``, ``chat_message_id``, ``read_on``."""

    def __init__(self, **kwargs: Any) -> None:
        self.sender: Optional[CommunicationIdentifier] = kwargs["sender"]
        self.chat_message_id: str = kwargs["chat_message_id"]
        self.read_on: datetime.datetime = kwargs["read_on"]

    @classmethod
    def _from_wire(cls, wire: Dict[str, Any]) -> "ChatMessageReadReceipt":
        return cls(
            sender=deserialize_identifier(wire.get("senderCommunicationIdentifier")),
            chat_message_id=wire["chatMessageId"],
            read_on=from_wire(wire.get("readOn")),
        )


class CreateChatThreadResult:
    """The result of ``create_chat_thread``: ``chat_thread`` and ``errors`` (``[]`` on full success)."""

    def __init__(self, **kwargs: Any) -> None:
        self.chat_thread: ChatThreadProperties = kwargs["chat_thread"]
        self.errors: Optional[List[Tuple[Optional[ChatParticipant], ChatError]]] = kwargs.get("errors", None)


def errors_from_wire(pairs: List[Any]) -> List[Tuple[Optional[ChatParticipant], ChatError]]:
    """``[[participant|null, error], ...]`` to the 1.2.0 tuple list."""
    return [
        (ChatParticipant._from_wire(p) if p is not None else None, ChatError._from_wire(e)) for p, e in pairs
    ]
