"""Async ``CommunicationTokenCredential``: the refresher is an async callable run on the caller's event loop."""

import asyncio
from typing import Any, Awaitable, Callable, Optional, Tuple

from .. import _acs_chat
from .._credential import AccessToken

__all__ = ["CommunicationTokenCredential"]


class CommunicationTokenCredential:
    """Credential for the aio clients.

    :param token: the user access token (a JWT with an ``exp`` claim).
    :keyword token_refresher: an async callable returning a new :class:`~acs_chat.AccessToken`. The engine runs
        it on the event loop the credential was first used on, from a worker thread, so that loop must keep
        running while requests wait (it does under ``await``).
    :keyword proactive_refresh: refresh in the background 10 minutes before expiry.
    """

    def __init__(self, token: str, **kwargs: Any) -> None:
        if not isinstance(token, str):
            raise TypeError("Token must be a string.")
        refresher: Optional[Callable[[], Awaitable[Any]]] = kwargs.pop("token_refresher", None)
        proactive = bool(kwargs.pop("proactive_refresh", False))
        if proactive and refresher is None:
            raise ValueError("When 'proactive_refresh' is True, 'token_refresher' must not be None.")
        if refresher is not None and not callable(refresher):
            raise TypeError("token_refresher must be callable.")
        self._refresher = refresher
        self._proactive = proactive
        self._closed = False
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._bind_loop()
        self._engine = _acs_chat._Credential(
            token, self._call_refresher if refresher is not None else None, proactive
        )

    def _bind_loop(self) -> None:
        if self._loop is None:
            try:
                self._loop = asyncio.get_running_loop()
            except RuntimeError:
                pass

    def _call_refresher(self) -> Tuple[str, float]:
        # Called by the engine on one of its blocking threads, never on the event loop thread.
        loop = self._loop
        if loop is None or loop.is_closed():
            raise RuntimeError("the async token_refresher needs the event loop the credential is used on")
        assert self._refresher is not None
        token: Any = asyncio.run_coroutine_threadsafe(self._refresher(), loop).result()  # type: ignore[arg-type]
        return token.token, float(token.expires_on)

    async def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        """The current token, refreshed first when it nears expiry. Scopes are ignored."""
        if self._closed and self._proactive:
            raise RuntimeError(
                "An instance of CommunicationTokenCredential cannot be reused once it has been closed."
            )
        self._bind_loop()
        token, expires_on = await self._engine.get_token(aio=True)
        return AccessToken(token, expires_on)

    async def close(self) -> None:
        """Stops proactive refresh."""
        self._closed = True
        if self._proactive:
            self._engine.close()

    async def __aenter__(self) -> "CommunicationTokenCredential":
        if self._closed and self._proactive:
            raise RuntimeError(
                "An instance of CommunicationTokenCredential cannot be reused once it has been closed."
            )
        self._bind_loop()
        return self

    async def __aexit__(self, *args: Any) -> None:
        await self.close()

    def __repr__(self) -> str:
        return "<aio.CommunicationTokenCredential proactive_refresh={}>".format(self._proactive)
