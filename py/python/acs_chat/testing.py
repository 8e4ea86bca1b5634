"""Test helpers: the project's emulator, in-process.

    from acs_chat import ChatClient, CommunicationTokenCredential
    from acs_chat.testing import Emulator

    with Emulator() as emu:
        user, token = emu.create_user()
        client = ChatClient(emu.endpoint, CommunicationTokenCredential(token))
        client.create_chat_thread("hello")

For pytest, add ``pytest_plugins = ["acs_chat.pytest_plugin"]`` to your ``conftest.py`` and take the
``acs_chat_emulator`` fixture (one emulator per test session).
"""

import json
from typing import Any, Optional, Tuple

from . import _acs_chat
from ._identifiers import CommunicationUserIdentifier

__all__ = ["Emulator"]


class Emulator:
    """An in-memory emulator of the ACS Chat and Identity APIs on a free loopback port.

    Plain http by default (the clients accept http for loopback hosts); ``tls=True`` serves https with a
    fresh CA, available as :attr:`ca_cert_pem`. Data lives in memory and is gone after :meth:`stop`.
    Thread-safe.
    """

    def __init__(self, tls: bool = False) -> None:
        self._engine: Optional[_acs_chat._Emulator] = _acs_chat._Emulator(tls)

    @property
    def endpoint(self) -> str:
        """The base URL (``http://127.0.0.1:<port>``)."""
        return self._running().endpoint

    @property
    def connection_string(self) -> str:
        """``endpoint=...;accesskey=...`` for identity clients (official or ours)."""
        return self._running().connection_string

    @property
    def ca_cert_pem(self) -> Optional[str]:
        """The CA certificate to trust with ``tls=True``, else None."""
        return self._running().ca_cert_pem

    def create_user(self) -> Tuple[CommunicationUserIdentifier, str]:
        """A new user with a chat token valid for 24 hours: ``(identifier, token)``."""
        raw_id, token, _expires_on = self._running().create_chat_user()
        return CommunicationUserIdentifier(raw_id), token

    def set_faults(self, **faults: Any) -> None:
        """Injects faults into chat requests, for resilience tests; call with no arguments to stop.

        Keywords (the emulator's names): ``rate_429``, ``rate_503``, ``rate_drop_before``, ``rate_drop_after``
        (probabilities 0..1), ``retry_after_secs``, ``latency_ms``, ``remaining`` (how many requests may be
        faulted; None means unlimited). Unknown names or out-of-range values raise ``ValueError``.
        """
        self._running().set_faults(json.dumps(faults))

    def stop(self) -> None:
        """Stops the emulator. Idempotent."""
        if self._engine is not None:
            self._engine.stop()
            self._engine = None

    def _running(self) -> "_acs_chat._Emulator":
        if self._engine is None:
            raise RuntimeError("the emulator was stopped")
        return self._engine

    def __enter__(self) -> "Emulator":
        return self

    def __exit__(self, *args: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        return "<Emulator endpoint={!r}>".format(self._engine.endpoint if self._engine else None)
