"""Shared types and assertion helpers for the SDK conformance tests.

Kept apart from conftest.py so test modules can import them by name (pytest discourages
importing conftest). Nothing here talks to the network by itself.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Dict, Iterable, List, Optional

from azure.communication.chat import (
    ChatParticipant,
    CommunicationIdentifierKind,
    CommunicationUserIdentifier,
)

# Applied to every client the suite builds itself (not to the README examples, which must run
# verbatim). retry_total=0: a 500/503 would otherwise be retried with 1.6 s + 3.2 s back-off,
# hiding the first failing response and slowing the suite; timeouts bound a hung emulator.
CLIENT_KWARGS: Dict[str, Any] = {
    "retry_total": 0,
    "connection_timeout": 10,
    "read_timeout": 30,
}

# The same for the aio clients. The emulator fixture adds ``connection_verify`` only when
# aiohttp was imported before SSL_CERT_FILE was set: aiohttp builds its default SSL context at
# import time, so the env var would not reach it.
ASYNC_CLIENT_KWARGS: Dict[str, Any] = dict(CLIENT_KWARGS)

# A syntactically valid thread id that no emulator run can have issued.
UNKNOWN_THREAD_ID = "19:conformance0unknown0thread@thread.v2"


@dataclass(frozen=True)
class Emulator:
    """A running emulator, as announced on its first stdout line.

    ``connection_string`` carries the HMAC access key and is excluded from ``repr``.
    """

    endpoint: str
    ca_cert: str
    connection_string: str = field(repr=False)


@dataclass(frozen=True)
class User:
    """An ACS identity and one chat access token for it; ``token`` is excluded from ``repr``."""

    identifier: CommunicationUserIdentifier
    token: str = field(repr=False)
    # identity 1.5.0 passes the service's ``expiresOn`` string through unparsed.
    expires_on: str

    @property
    def id(self) -> str:
        """The ``8:acs:...`` raw id of the identity."""
        return self.identifier.properties["id"]


def participant(
    user: User,
    display_name: Optional[str] = None,
    share_history_time: Optional[datetime] = None,
) -> ChatParticipant:
    """A ``ChatParticipant`` for a suite user (keyword-only, as 1.2.0 requires)."""
    return ChatParticipant(
        identifier=user.identifier,
        display_name=display_name,
        share_history_time=share_history_time,
    )


def utc_now() -> datetime:
    """Aware UTC now (the SDK treats naive datetimes as UTC; the suite does not rely on it)."""
    return datetime.now(timezone.utc)


def long_ago() -> datetime:
    """A start_time far enough in the past to include everything the session created."""
    return utc_now() - timedelta(days=2)


def far_future() -> datetime:
    """A start_time after anything the session can create."""
    return utc_now() + timedelta(days=2)


def parse_expires_on(value: Any, what: str) -> datetime:
    """Parse an identity ``AccessToken.expires_on``.

    azure-communication-identity 1.5.0 types ``expiresOn`` as a plain string and hands it to
    ``AccessToken`` unparsed, so the emulator's exact text is what callers get; it must be an
    RFC 3339 timestamp with an offset.
    """
    assert isinstance(value, str), f"{what}: expected the raw expiresOn string, got {type(value).__name__}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise AssertionError(f"{what}: expiresOn {value!r} is not ISO 8601") from exc
    assert_aware(parsed, what)
    return parsed


def assert_aware(value: Any, what: str) -> None:
    """``value`` is a timezone-aware ``datetime`` (msrest parses service timestamps as aware)."""
    assert isinstance(value, datetime), f"{what}: expected datetime, got {type(value).__name__}"
    assert value.tzinfo is not None and value.utcoffset() is not None, f"{what}: naive datetime {value!r}"


def assert_user(identifier: Any, user: User, what: str) -> None:
    """``identifier`` deserialized as a CommunicationUserIdentifier naming ``user``.

    1.2.0 builds it from ``rawId`` and ignores ``communicationUser.id``, so a wrong or missing
    rawId in the emulator's JSON shows up here.
    """
    assert isinstance(identifier, CommunicationUserIdentifier), (
        f"{what}: expected CommunicationUserIdentifier, got {type(identifier).__name__} "
        f"(raw_id={getattr(identifier, 'raw_id', None)!r})"
    )
    assert identifier.kind == CommunicationIdentifierKind.COMMUNICATION_USER, what
    assert identifier.raw_id == user.id, f"{what}: raw_id {identifier.raw_id!r} != {user.id!r}"
    assert identifier.properties["id"] == user.id, what


def ids_of(items: Iterable[Any]) -> List[str]:
    """The ``.id`` of every item, in order."""
    return [item.id for item in items]


def participant_ids(participants: Iterable[ChatParticipant]) -> List[str]:
    """Raw ids of the participants' identifiers, in order."""
    return [p.identifier.raw_id for p in participants]


def pages_of(paged: Any, continuation_token: Optional[str] = None) -> List[List[Any]]:
    """Materialise an ``ItemPaged`` page by page."""
    return [list(page) for page in paged.by_page(continuation_token=continuation_token)]


async def async_list(items: AsyncIterator[Any]) -> List[Any]:
    """Drain an async iterator (``AsyncItemPaged`` or one of its pages)."""
    return [item async for item in items]


async def async_pages_of(paged: Any, continuation_token: Optional[str] = None) -> List[List[Any]]:
    """Materialise an ``AsyncItemPaged`` page by page."""
    return [await async_list(page) async for page in paged.by_page(continuation_token=continuation_token)]


def jwt_with_claims(token: str, **claims: Any) -> str:
    """A copy of ``token`` whose payload claims are overridden, keeping the original signature.

    The JSON is padded with spaces until its base64 uses none of ``+ / =``: then the standard
    alphabet the SDK credential decodes with and the URL-safe one JWTs use read the same bytes, so
    the server gets past decoding and must reject the token for its signature (401).
    """
    header, payload, signature = token.split(".")[:3]
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    decoded.update(claims)
    body = json.dumps(decoded, separators=(",", ":"))
    # Whitespace after "{" shifts every 3-byte group, trailing whitespace fixes the padding.
    for lead in range(64):
        for trail in range(3):
            text = "{" + " " * lead + body[1:] + " " * trail
            encoded = base64.b64encode(text.encode("ascii")).decode("ascii")
            if not any(c in encoded for c in "+/="):
                return ".".join([header, encoded, signature])
    raise AssertionError("could not re-encode the token payload without '+', '/' or '='")
