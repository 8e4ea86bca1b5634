"""The aio clients: same checks and messages as the sync ones; network methods are coroutines, ``list_*``
and ``get_chat_thread_client`` are plain methods."""

import json
from typing import Any, Dict, List, Optional, Tuple

from .. import _acs_chat
from .._client import (
    _check_endpoint,
    _check_str,
    _create_result,
    _engine_options,
    _page_size,
    _participants_json,
    _skip,
    _start_time,
    _validated_message_type,
)
from .._identifiers import serialize_identifier
from .._models import (
    ChatError,
    ChatMessage,
    ChatMessageReadReceipt,
    ChatParticipant,
    ChatThreadItem,
    ChatThreadProperties,
    CreateChatThreadResult,
    SendChatMessageResult,
    errors_from_wire,
)
from ._paging import AsyncItemPaged

__all__ = ["ChatClient", "ChatThreadClient"]


def _engine_cred(credential: Any) -> Any:
    engine = getattr(credential, "_engine", None)
    if engine is None:
        raise TypeError(
            "credential must be an acs_chat CommunicationTokenCredential, got {}".format(type(credential).__name__)
        )
    bind = getattr(credential, "_bind_loop", None)
    if bind is not None:
        bind()
    return engine


class ChatThreadClient:
    """Async operations on one chat thread. Safe to share between tasks."""

    def __init__(self, endpoint: str, credential: Any, thread_id: str, **kwargs: Any) -> None:
        if not thread_id:
            raise ValueError("thread_id can not be None or empty")
        if not credential:
            raise ValueError("credential can not be None")
        _check_str(thread_id, "thread_id")
        endpoint = _check_endpoint(endpoint)
        engine = kwargs.pop("_engine", None)
        if engine is None:
            engine = _acs_chat._ThreadClient(endpoint, _engine_cred(credential), thread_id, **_engine_options(kwargs))
        self._endpoint = endpoint
        self._credential = credential
        self._thread_id = thread_id
        self._engine = engine

    @property
    def thread_id(self) -> str:
        """The thread's id."""
        return self._thread_id

    async def get_properties(self, **kwargs: Any) -> ChatThreadProperties:
        """The thread's properties."""
        return ChatThreadProperties._from_wire(json.loads(await self._engine.get_properties(aio=True)))

    async def update_topic(self, topic: Optional[str] = None, **kwargs: Any) -> None:
        """Changes the topic (``None`` sends no change)."""
        if topic is not None:
            _check_str(topic, "topic")
        await self._engine.update_topic(topic, aio=True)

    async def send_read_receipt(self, message_id: str, **kwargs: Any) -> None:
        """Marks messages up to ``message_id`` as read."""
        if not message_id:
            raise ValueError("message_id cannot be None.")
        _check_str(message_id, "message_id")
        await self._engine.send_read_receipt(message_id, aio=True)

    def list_read_receipts(self, **kwargs: Any) -> AsyncItemPaged[ChatMessageReadReceipt]:
        """Read receipts, lazily; kw ``results_per_page`` (1..200), ``skip``."""
        size, skip = _page_size(kwargs), _skip(kwargs)
        engine = self._engine
        return AsyncItemPaged(
            lambda token: engine.list_read_receipts(size, skip, token), ChatMessageReadReceipt._from_wire
        )

    async def send_typing_notification(self, *, sender_display_name: Optional[str] = None, **kwargs: Any) -> None:
        """Tells the thread the user is typing."""
        if sender_display_name is not None:
            _check_str(sender_display_name, "sender_display_name")
        await self._engine.send_typing_notification(sender_display_name, aio=True)

    async def send_message(
        self, content: str, *, metadata: Optional[Dict[str, Any]] = None, **kwargs: Any
    ) -> SendChatMessageResult:
        """Sends a message; kw ``chat_message_type`` (text or html), ``sender_display_name``, ``metadata``."""
        if not content:
            raise ValueError("content cannot be None.")
        _check_str(content, "content")
        message_type = _validated_message_type(kwargs.get("chat_message_type"))
        name = kwargs.get("sender_display_name")
        if name is not None:
            _check_str(name, "sender_display_name")
        message_id = await self._engine.send_message(
            content, message_type.value, name, dict(metadata) if metadata is not None else None, aio=True
        )
        return SendChatMessageResult(id=message_id)

    async def get_message(self, message_id: str, **kwargs: Any) -> ChatMessage:
        """One message by id."""
        if not message_id:
            raise ValueError("message_id cannot be None.")
        _check_str(message_id, "message_id")
        return ChatMessage._from_wire(json.loads(await self._engine.get_message(message_id, aio=True)))

    def list_messages(self, **kwargs: Any) -> AsyncItemPaged[ChatMessage]:
        """Messages, newest first, lazily; kw ``results_per_page`` (1..200), ``start_time``."""
        size, start = _page_size(kwargs), _start_time(kwargs)
        engine = self._engine
        return AsyncItemPaged(lambda token: engine.list_messages(size, start, token), ChatMessage._from_wire)

    async def update_message(
        self, message_id: str, content: Optional[str] = None, *, metadata: Optional[Dict[str, Any]] = None, **kwargs: Any
    ) -> None:
        """Edits a message's content and/or metadata (a None metadata value deletes the key)."""
        if not message_id:
            raise ValueError("message_id cannot be None.")
        _check_str(message_id, "message_id")
        if content is not None:
            _check_str(content, "content")
        await self._engine.update_message(
            message_id, content, dict(metadata) if metadata is not None else None, aio=True
        )

    async def delete_message(self, message_id: str, **kwargs: Any) -> None:
        """Deletes a message."""
        if not message_id:
            raise ValueError("message_id cannot be None.")
        _check_str(message_id, "message_id")
        await self._engine.delete_message(message_id, aio=True)

    def list_participants(self, **kwargs: Any) -> AsyncItemPaged[ChatParticipant]:
        """Participants, lazily; kw ``results_per_page`` (1..200), ``skip``."""
        size, skip = _page_size(kwargs), _skip(kwargs)
        engine = self._engine
        return AsyncItemPaged(lambda token: engine.list_participants(size, skip, token), ChatParticipant._from_wire)

    async def add_participants(
        self, thread_participants: List[ChatParticipant], **kwargs: Any
    ) -> List[Tuple[Optional[ChatParticipant], ChatError]]:
        """Adds participants; returns the ones the service refused with their errors (``[]`` on success)."""
        if not thread_participants:
            return []
        raw = await self._engine.add_participants(_participants_json(thread_participants), aio=True)
        return errors_from_wire(json.loads(raw))

    async def remove_participant(self, identifier: Any, **kwargs: Any) -> None:
        """Removes a participant by identifier."""
        if not identifier:
            raise ValueError("identifier cannot be None.")
        await self._engine.remove_participant(json.dumps(serialize_identifier(identifier)), aio=True)

    async def close(self) -> None:
        """Nothing to release per client (the pool is shared and freed with the last client)."""

    async def __aenter__(self) -> "ChatThreadClient":
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "<aio.ChatThreadClient thread_id={!r}>".format(self._thread_id)


class ChatClient:
    """Async thread creation, listing and deletion. Safe to share between tasks."""

    def __init__(self, endpoint: str, credential: Any, **kwargs: Any) -> None:
        if not credential:
            raise ValueError("credential can not be None")
        endpoint = _check_endpoint(endpoint)
        self._endpoint = endpoint
        self._credential = credential
        self._engine = _acs_chat._ChatClient(endpoint, _engine_cred(credential), **_engine_options(kwargs))

    def get_chat_thread_client(self, thread_id: str, **kwargs: Any) -> ChatThreadClient:
        """A client for one thread, sharing this client's connection pool, credential and settings."""
        if not thread_id:
            raise ValueError("thread_id cannot be None.")
        _check_str(thread_id, "thread_id")
        return ChatThreadClient(
            self._endpoint, self._credential, thread_id, _engine=self._engine.thread_client(thread_id)
        )

    async def create_chat_thread(self, topic: str, **kwargs: Any) -> CreateChatThreadResult:
        """Creates a thread; kw ``thread_participants``, ``idempotency_token``."""
        if not topic:
            raise ValueError("topic cannot be None.")
        _check_str(topic, "topic")
        participants = kwargs.get("thread_participants")
        token = kwargs.get("idempotency_token")
        if token is not None:
            _check_str(token, "idempotency_token")
        thread_json, errors_json = await self._engine.create_chat_thread(
            topic, _participants_json(participants) if participants else None, token, aio=True
        )
        return _create_result(thread_json, errors_json)

    def list_chat_threads(self, **kwargs: Any) -> AsyncItemPaged[ChatThreadItem]:
        """Threads, most recently active first, lazily; kw ``results_per_page`` (1..200), ``start_time``."""
        size, start = _page_size(kwargs), _start_time(kwargs)
        engine = self._engine
        return AsyncItemPaged(lambda token: engine.list_chat_threads(size, start, token), ChatThreadItem._from_wire)

    async def delete_chat_thread(self, thread_id: str, **kwargs: Any) -> None:
        """Deletes a thread."""
        if not thread_id:
            raise ValueError("thread_id cannot be None.")
        _check_str(thread_id, "thread_id")
        await self._engine.delete_chat_thread(thread_id, aio=True)

    async def close(self) -> None:
        """Nothing to release explicitly."""

    async def __aenter__(self) -> "ChatClient":
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "<aio.ChatClient endpoint={!r}>".format(self._endpoint)
