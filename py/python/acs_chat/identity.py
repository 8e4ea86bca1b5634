"""A small identity client (users and chat tokens), shaped like azure-communication-identity's.

Not part of azure-communication-chat; here so examples and tests need no other package.
"""

from typing import Any, List, Optional, Tuple

from . import _acs_chat
from ._credential import AccessToken
from ._identifiers import CommunicationUserIdentifier

__all__ = ["CommunicationIdentityClient"]


def _check_scopes(scopes: List[Any]) -> None:
    if [str(getattr(s, "value", s)).lower() for s in scopes] != ["chat"]:
        raise ValueError("only the 'chat' scope is supported, got {!r}".format(scopes))


class CommunicationIdentityClient:
    """Creates users and chat tokens, signing requests with the resource access key. Thread-safe."""

    def __init__(self, connection_string: str, extra_root_certificate_pem: Optional[str] = None) -> None:
        pem = extra_root_certificate_pem.encode() if extra_root_certificate_pem else None
        self._engine = _acs_chat._IdentityClient(connection_string, pem)

    @classmethod
    def from_connection_string(cls, conn_str: str, **kwargs: Any) -> "CommunicationIdentityClient":
        """A client for ``endpoint=...;accesskey=...``; kw ``extra_root_certificate_pem`` (emulator TLS)."""
        return cls(conn_str, kwargs.get("extra_root_certificate_pem"))

    def create_user(self) -> CommunicationUserIdentifier:
        """A new user."""
        return CommunicationUserIdentifier(self._engine.create_user())

    def create_user_and_token(
        self, scopes: List[Any], **kwargs: Any
    ) -> Tuple[CommunicationUserIdentifier, AccessToken]:
        """A new user and a chat token; kw ``token_expires_in`` (``datetime.timedelta``)."""
        _check_scopes(scopes)
        minutes = _minutes(kwargs.get("token_expires_in"))
        raw_id, token, expires_on = self._engine.create_user_and_token(minutes)
        return CommunicationUserIdentifier(raw_id), AccessToken(token, expires_on)

    def get_token(self, user: CommunicationUserIdentifier, scopes: List[Any], **kwargs: Any) -> AccessToken:
        """A new chat token for ``user``; kw ``token_expires_in`` (``datetime.timedelta``)."""
        _check_scopes(scopes)
        token, expires_on = self._engine.get_token(str(user.raw_id), _minutes(kwargs.get("token_expires_in")))
        return AccessToken(token, expires_on)


def _minutes(delta: Any) -> Optional[int]:
    return None if delta is None else int(delta.total_seconds() // 60)
