"""The sync clients, ``ChatClient`` and ``ChatThreadClient``, with 1.2.0's signatures and checks."""

import json
import os
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import urlparse

from . import _acs_chat
from ._credential import CommunicationTokenCredential
from ._identifiers import serialize_identifier
from ._models import (
    ChatError,
    ChatMessage,
    ChatMessageReadReceipt,
    ChatMessageType,
    ChatParticipant,
    ChatThreadItem,
    ChatThreadProperties,
    CreateChatThreadResult,
    SendChatMessageResult,
    errors_from_wire,
)
from ._paging import ItemPaged
from ._time import to_wire

__all__ = ["ChatClient", "ChatThreadClient"]


def _check_endpoint(endpoint: Any) -> str:
    try:
        if not endpoint.lower().startswith("http"):
            endpoint = "https://" + endpoint
    except AttributeError:
        raise ValueError("Host URL must be a string") from None
    if not urlparse(endpoint.rstrip("/")).netloc:
        raise ValueError("Invalid URL: {}".format(endpoint))
    return str(endpoint)


def _read_ca(path: str, source: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise ValueError("{}: cannot read the CA bundle {!r}: {}".format(source, path, e)) from None


def _extra_ca(kwargs: Any) -> Optional[bytes]:
    """Extra trusted CAs (PEM): ``extra_root_certificate_pem``, else azure-core's ``connection_verify`` when it
    is a CA bundle path, else the file named by ``SSL_CERT_FILE`` (as Python's ``ssl`` default context does)."""
    pem = kwargs.get("extra_root_certificate_pem")
    if pem is not None:
        return pem.encode() if isinstance(pem, str) else bytes(pem)
    verify = kwargs.get("connection_verify")
    if isinstance(verify, str):
        return _read_ca(verify, "connection_verify")
    env = os.environ.get("SSL_CERT_FILE")
    if env:
        return _read_ca(env, "SSL_CERT_FILE")
    return None


def _engine_options(kwargs: Any) -> Dict[str, Any]:
    """The client kwargs the engine understands; other azure-core pipeline kwargs are accepted and ignored."""
    options: Dict[str, Any] = {}
    if kwargs.get("api_version") is not None:
        options["api_version"] = kwargs["api_version"]
    if kwargs.get("retry_total") is not None:
        options["retry_total"] = int(kwargs["retry_total"])
    pem = _extra_ca(kwargs)
    if pem is not None:
        options["extra_root_certificate_pem"] = pem
    if kwargs.get("read_timeout") is not None:
        options["timeout_seconds"] = float(kwargs["read_timeout"])
    return options


def _engine_cred(credential: Any) -> Any:
    if not isinstance(credential, CommunicationTokenCredential):
        # An aio credential would run its async refresher on an event loop that a blocking call may be
        # holding up, so only the sync credential is accepted here.
        raise TypeError(
            "credential must be an acs_chat.CommunicationTokenCredential, got {}.{}".format(
                type(credential).__module__, type(credential).__name__
            )
        )
    return credential._engine


def _page_size(kwargs: Any) -> Optional[int]:
    n = kwargs.get("results_per_page")
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("results_per_page must be an int, got {}".format(type(n).__name__))
    if not 1 <= n <= 200:
        raise ValueError("results_per_page must be between 1 and 200, got {}".format(n))
    return n


def _skip(kwargs: Any) -> Optional[int]:
    n = kwargs.get("skip")
    if n is None:
        return None
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError("skip must be an int, got {}".format(type(n).__name__))
    if n < 0:
        raise ValueError("skip must not be negative, got {}".format(n))
    return n


def _start_time(kwargs: Any) -> Optional[str]:
    t = kwargs.get("start_time")
    return to_wire(t) if t is not None else None


def _participants_json(participants: Any) -> str:
    wire = []
    for p in participants:
        if not isinstance(p, ChatParticipant):
            raise TypeError("thread_participants must hold ChatParticipant objects, got {}".format(type(p).__name__))
        wire.append(p._to_wire())
    return json.dumps(wire)


def _validated_message_type(chat_message_type: Any) -> ChatMessageType:
    """1.2.0's rules: None is text; strings are member names (any case); only text and html may be sent."""
    if chat_message_type is None:
        chat_message_type = ChatMessageType.TEXT
    elif not isinstance(chat_message_type, ChatMessageType):
        try:
            chat_message_type = getattr(ChatMessageType, chat_message_type)
        except Exception:
            raise ValueError("chat_message_type: {} is not acceptable".format(chat_message_type)) from None
    if chat_message_type not in (ChatMessageType.TEXT, ChatMessageType.HTML):
        raise ValueError("chat_message_type: {} can be only 'text' or 'html'".format(chat_message_type))
    return ChatMessageType(chat_message_type)


def _check_str(value: Any, name: str) -> None:
    if not isinstance(value, str):
        raise TypeError("{} must be a str, got {}".format(name, type(value).__name__))


def _create_result(thread_json: str, errors_json: str) -> CreateChatThreadResult:
    return CreateChatThreadResult(
        chat_thread=ChatThreadProperties._from_wire(json.loads(thread_json)),
        errors=errors_from_wire(json.loads(errors_json)),
    )


class ChatThreadClient:
    """Operations on one chat thread. Thread-safe; the GIL is released during network waits."""

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

    def get_properties(self, **kwargs: Any) -> ChatThreadProperties:
        """The thread's properties."""
        return ChatThreadProperties._from_wire(json.loads(self._engine.get_properties()))

    def update_topic(self, topic: Optional[str] = None, **kwargs: Any) -> None:
        """Changes the topic (``None`` sends no change)."""
        if topic is not None:
            _check_str(topic, "topic")
        self._engine.update_topic(topic)

    def send_read_receipt(self, message_id: str, **kwargs: Any) -> None:
        """Marks messages up to ``message_id`` as read."""
        if not message_id:
            raise ValueError("message_id cannot be None.")
        _check_str(message_id, "message_id")
        self._engine.send_read_receipt(message_id)

    def list_read_receipts(self, **kwargs: Any) -> ItemPaged[ChatMessageReadReceipt]:
        """Read receipts, lazily; kw ``results_per_page`` (1..200), ``skip``."""
        size, skip = _page_size(kwargs), _skip(kwargs)
        engine = self._engine
        return ItemPaged(
            lambda token: engine.list_read_receipts(size, skip, token), ChatMessageReadReceipt._from_wire
        )

    def send_typing_notification(self, **kwargs: Any) -> None:
        """Tells the thread the user is typing; kw ``sender_display_name``."""
        name = kwargs.get("sender_display_name")
        if name is not None:
            _check_str(name, "sender_display_name")
        self._engine.send_typing_notification(name)

    def send_message(self, content: str, **kwargs: Any) -> SendChatMessageResult:
        """Sends a message; kw ``chat_message_type`` (text or html), ``sender_display_name``, ``metadata``."""
        if not content:
            raise ValueError("content cannot be None.")
        _check_str(content, "content")
        chat_message_type = _validated_message_type(kwargs.get("chat_message_type"))
        name = kwargs.get("sender_display_name")
        if name is not None:
            _check_str(name, "sender_display_name")
        metadata = kwargs.get("metadata")
        if metadata is not None:
            metadata = dict(metadata)
        message_id = self._engine.send_message(content, chat_message_type.value, name, metadata)
        return SendChatMessageResult(id=message_id)

    def get_message(self, message_id: str, **kwargs: Any) -> ChatMessage:
        """One message by id."""
        if not message_id:
            raise ValueError("message_id cannot be None.")
        _check_str(message_id, "message_id")
        return ChatMessage._from_wire(json.loads(self._engine.get_message(message_id)))

    def list_messages(self, **kwargs: Any) -> ItemPaged[ChatMessage]:
        """Messages, newest first, lazily; kw ``results_per_page`` (1..200), ``start_time``."""
        size, start = _page_size(kwargs), _start_time(kwargs)
        engine = self._engine
        return ItemPaged(lambda token: engine.list_messages(size, start, token), ChatMessage._from_wire)

    def update_message(self, message_id: str, content: Optional[str] = None, **kwargs: Any) -> None:
        """Edits a message's content and/or metadata (a None metadata value deletes the key)."""
        if not message_id:
            raise ValueError("message_id cannot be None.")
        _check_str(message_id, "message_id")
        if content is not None:
            _check_str(content, "content")
        metadata = kwargs.get("metadata")
        if metadata is not None:
            metadata = dict(metadata)
        self._engine.update_message(message_id, content, metadata)

    def delete_message(self, message_id: str, **kwargs: Any) -> None:
        """Deletes a message."""
        if not message_id:
            raise ValueError("message_id cannot be None.")
        _check_str(message_id, "message_id")
        self._engine.delete_message(message_id)

    def list_participants(self, **kwargs: Any) -> ItemPaged[ChatParticipant]:
        """Participants, lazily; kw ``results_per_page`` (1..200), ``skip``."""
        size, skip = _page_size(kwargs), _skip(kwargs)
        engine = self._engine
        return ItemPaged(lambda token: engine.list_participants(size, skip, token), ChatParticipant._from_wire)

    def add_participants(
        self, thread_participants: List[ChatParticipant], **kwargs: Any
    ) -> List[Tuple[Optional[ChatParticipant], ChatError]]:
        """Adds participants; returns the ones the service refused with their errors (``[]`` on success)."""
        if not thread_participants:
            return []
        return errors_from_wire(json.loads(self._engine.add_participants(_participants_json(thread_participants))))

    def remove_participant(self, identifier: Any, **kwargs: Any) -> None:
        """Removes a participant by identifier."""
        if not identifier:
            raise ValueError("identifier cannot be None.")
        self._engine.remove_participant(json.dumps(serialize_identifier(identifier)))

    def close(self) -> None:
        """Nothing to release per client (the pool is shared and freed with the last client)."""

    def __enter__(self) -> "ChatThreadClient":
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<ChatThreadClient thread_id={!r}>".format(self._thread_id)


class ChatClient:
    """Creates, lists and deletes threads. Thread-safe; thread clients share its pool and settings."""

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

    def create_chat_thread(self, topic: str, **kwargs: Any) -> CreateChatThreadResult:
        """Creates a thread; kw ``thread_participants``, ``idempotency_token``."""
        if not topic:
            raise ValueError("topic cannot be None.")
        _check_str(topic, "topic")
        participants = kwargs.get("thread_participants")
        token = kwargs.get("idempotency_token")
        if token is not None:
            _check_str(token, "idempotency_token")
        thread_json, errors_json = self._engine.create_chat_thread(
            topic, _participants_json(participants) if participants else None, token
        )
        return _create_result(thread_json, errors_json)

    def list_chat_threads(self, **kwargs: Any) -> ItemPaged[ChatThreadItem]:
        """Threads, most recently active first, lazily; kw ``results_per_page`` (1..200), ``start_time``."""
        size, start = _page_size(kwargs), _start_time(kwargs)
        engine = self._engine
        return ItemPaged(lambda token: engine.list_chat_threads(size, start, token), ChatThreadItem._from_wire)

    def delete_chat_thread(self, thread_id: str, **kwargs: Any) -> None:
        """Deletes a thread."""
        if not thread_id:
            raise ValueError("thread_id cannot be None.")
        _check_str(thread_id, "thread_id")
        self._engine.delete_chat_thread(thread_id)

    def close(self) -> None:
        """Nothing to release explicitly; the pool is freed with the last client using it."""

    def __enter__(self) -> "ChatClient":
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<ChatClient endpoint={!r}>".format(self._endpoint)
