"""Async clients (``acs_chat.aio``), as ``azure.communication.chat.aio`` 1.2.0.

Methods are real asyncio awaitables run by the Rust engine; cancelling one cancels its request. Models and
identifiers are shared with the sync package (import them from ``acs_chat``).
"""

from ._client import ChatClient, ChatThreadClient
from ._credential import CommunicationTokenCredential
from ._paging import AsyncItemPaged

__all__ = ["ChatClient", "ChatThreadClient", "CommunicationTokenCredential", "AsyncItemPaged"]
