"""``CommunicationTokenCredential``: a user access token, static or refreshed by the engine.

Refresh logic (single flight, refresh windows, proactive background refresh) is the engine's.
Deliberate difference from 1.2.0: an expired static token is refused up front
(``ClientAuthenticationError``) instead of being sent and rejected by the service.
"""

from typing import Any, Callable, NamedTuple, Tuple

from . import _acs_chat

__all__ = ["AccessToken", "CommunicationTokenCredential"]


class AccessToken(NamedTuple):
    """A token and its expiry (``expires_on``: whole seconds since the Unix epoch), as azure-core's."""

    token: str
    expires_on: int

    def __repr__(self) -> str:
        # The token is a secret: keep it out of logs and tracebacks that print this tuple.
        return "AccessToken(token=<redacted>, expires_on={})".format(self.expires_on)


def _adapt_refresher(refresher: Callable[[], Any]) -> Callable[[], Tuple[str, float]]:
    def call() -> Tuple[str, float]:
        token = refresher()
        # Any object with .token and .expires_on works (ours or azure-core's AccessToken).
        return token.token, float(token.expires_on)

    return call


class CommunicationTokenCredential:
    """Credential for the chat clients.

    :param token: the user access token (a JWT with an ``exp`` claim).
    :keyword token_refresher: a callable returning a new :class:`AccessToken`; called (from an engine thread,
        with the GIL) when the token nears expiry. Its exceptions reach the failing call unchanged.
    :keyword proactive_refresh: refresh in the background 10 minutes before expiry.
    Thread-safe. ``repr`` never shows the token.
    """

    def __init__(self, token: str, **kwargs: Any) -> None:
        if not isinstance(token, str):
            raise TypeError("Token must be a string.")
        refresher = kwargs.pop("token_refresher", None)
        proactive = bool(kwargs.pop("proactive_refresh", False))
        if proactive and refresher is None:
            raise ValueError("When 'proactive_refresh' is True, 'token_refresher' must not be None.")
        if refresher is not None and not callable(refresher):
            raise TypeError("token_refresher must be callable.")
        self._proactive = proactive
        self._closed = False
        self._engine = _acs_chat._Credential(
            token, _adapt_refresher(refresher) if refresher is not None else None, proactive
        )

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """The current token, refreshed first when it nears expiry. Scopes are ignored. Releases the GIL."""
        if self._closed and self._proactive:
            raise RuntimeError(
                "An instance of CommunicationTokenCredential cannot be reused once it has been closed."
            )
        token, expires_on = self._engine.get_token()
        return AccessToken(token, expires_on)

    def close(self) -> None:
        """Stops proactive refresh. Clients using a closed proactive credential fail with an auth error."""
        self._closed = True
        if self._proactive:
            self._engine.close()

    def __enter__(self) -> "CommunicationTokenCredential":
        if self._closed and self._proactive:
            raise RuntimeError(
                "An instance of CommunicationTokenCredential cannot be reused once it has been closed."
            )
        return self

    def __exit__(self, *args: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return "<CommunicationTokenCredential proactive_refresh={}>".format(self._proactive)

