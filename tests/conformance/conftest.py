"""Session fixtures for the conformance suite: one emulator process, identities, chat clients.

The suite drives the *official* Azure SDK packages (pinned in requirements.txt) against the
acs-chat emulator over TLS, so every fixture here builds real SDK clients; nothing is mocked.

Secrets (the access key in the connection string, user access tokens) are held in objects whose
``repr`` hides them, so a failing assertion or ``--showlocals`` never prints them.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Callable, Iterator, List, Optional, Tuple

import pytest
import pytest_asyncio

from azure.communication.chat import ChatClient, CommunicationTokenCredential
from azure.communication.chat.aio import ChatClient as AsyncChatClient
from azure.communication.chat.aio import (
    CommunicationTokenCredential as AsyncCommunicationTokenCredential,
)
from azure.communication.identity import CommunicationIdentityClient

from sdk_support import ASYNC_CLIENT_KWARGS, CLIENT_KWARGS, Emulator, User

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_EMULATOR_BIN = REPO_ROOT / "target" / "debug" / "acs-chat-emulator"

# The emulator binds, generates its certificate and prints one JSON line; a debug build on a
# busy 2-core machine needs a few seconds at most, so 30 s only trips on a real hang.
STARTUP_TIMEOUT_S = 30.0
SHUTDOWN_TIMEOUT_S = 10.0


def _emulator_bin() -> Path:
    configured = os.environ.get("ACS_EMULATOR_BIN")
    path = Path(configured) if configured else DEFAULT_EMULATOR_BIN
    if not path.is_file() or not os.access(path, os.X_OK):
        source = "ACS_EMULATOR_BIN" if configured else "the default location"
        pytest.fail(
            f"emulator binary not found or not executable at {path} (from {source}); "
            "build it with `cargo build -p acs-chat-emulator` or set ACS_EMULATOR_BIN",
            pytrace=False,
        )
    return path


def _read_first_line(proc: subprocess.Popen, timeout_s: float) -> Tuple[Optional[str], threading.Thread]:
    """Read the announcement line without blocking forever on a silent emulator.

    The reader thread keeps draining stdout afterwards so the emulator can never block on a
    full pipe if it prints more.
    """
    lines: "queue.Queue[Optional[str]]" = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        first = True
        for line in proc.stdout:
            if first:
                lines.put(line)
                first = False
        if first:
            lines.put(None)

    reader = threading.Thread(target=pump, name="emulator-stdout", daemon=True)
    reader.start()
    try:
        return lines.get(timeout=timeout_s), reader
    except queue.Empty:
        return None, reader


def _stderr_tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "<no stderr captured>"
    return text[-limit:] if text else "<empty stderr>"


def _stop(proc: subprocess.Popen, reader: Optional[threading.Thread]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            # SIGTERM is the contract; a process that ignores it is killed so the run can end.
            proc.kill()
            proc.wait()
    # The reader sees EOF once the process is gone; only then is the pipe safe to close.
    if reader is not None:
        reader.join(timeout=SHUTDOWN_TIMEOUT_S)
    if proc.stdout is not None and (reader is None or not reader.is_alive()):
        proc.stdout.close()


class EmulatorStartupError(Exception):
    """The emulator did not come up as the launch contract describes; the message says how."""


def _announcement(proc: subprocess.Popen, line: Optional[str], stderr_path: Path) -> Emulator:
    """Validate the first stdout line; raises EmulatorStartupError naming what is wrong."""
    if line is None:
        # stdout can reach EOF a moment before the exit status is available.
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)
        if proc.returncode is not None:
            reason = f"exited with code {proc.returncode} before printing its startup line"
        else:
            reason = f"printed no startup line within {STARTUP_TIMEOUT_S:.0f}s"
        raise EmulatorStartupError(f"emulator {reason}; stderr tail:\n{_stderr_tail(stderr_path)}")
    try:
        announced = json.loads(line)
        emulator = Emulator(
            endpoint=announced["endpoint"],
            ca_cert=announced["ca_cert"],
            connection_string=announced["connection_string"],
        )
    except (ValueError, KeyError, TypeError) as exc:
        # The line holds the access key; report only its shape, never its content.
        detail = "invalid JSON" if isinstance(exc, ValueError) else f"missing or malformed {exc}"
        raise EmulatorStartupError(
            "emulator's first stdout line is not the JSON object with endpoint, connection_string "
            f"and ca_cert ({detail}; {len(line)} characters)"
        ) from None
    if not Path(emulator.ca_cert).is_file():
        raise EmulatorStartupError(f"emulator announced ca_cert={emulator.ca_cert}, which is not a file")
    return emulator


# A failed start is remembered so the remaining tests fail at once instead of each waiting for
# another emulator to time out.
_startup_failure: List[str] = []


@pytest.fixture(scope="session")
def emulator() -> Iterator[Emulator]:
    """Start ``acs-chat-emulator --listen 127.0.0.1:0 --tls --in-memory`` for the session.

    Sets ``REQUESTS_CA_BUNDLE`` (requests, sync clients) and ``SSL_CERT_FILE`` (Python's default
    SSL context, used by aiohttp) to the emulator CA for the session and restores them after.
    """
    if _startup_failure:
        pytest.fail(_startup_failure[0], pytrace=False)
    binary = _emulator_bin()
    log_dir = Path(tempfile.mkdtemp(prefix="acs-conformance-"))
    stderr_path = log_dir / "emulator.stderr"
    with open(stderr_path, "wb") as stderr_file:
        proc = subprocess.Popen(
            [str(binary), "--listen", "127.0.0.1:0", "--tls", "--in-memory"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            text=True,
        )
    reader: Optional[threading.Thread] = None
    try:
        line, reader = _read_first_line(proc, STARTUP_TIMEOUT_S)
        try:
            running = _announcement(proc, line, stderr_path)
        except EmulatorStartupError as exc:
            _startup_failure.append(str(exc))
            pytest.fail(str(exc), pytrace=False)

        saved = {k: os.environ.get(k) for k in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE")}
        if "aiohttp" in sys.modules:
            ASYNC_CLIENT_KWARGS["connection_verify"] = running.ca_cert
        os.environ["REQUESTS_CA_BUNDLE"] = running.ca_cert
        os.environ["SSL_CERT_FILE"] = running.ca_cert
        try:
            yield running
        finally:
            ASYNC_CLIENT_KWARGS.pop("connection_verify", None)
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    finally:
        _stop(proc, reader)
        shutil.rmtree(log_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def identity_client(emulator: Emulator) -> CommunicationIdentityClient:
    """``CommunicationIdentityClient.from_connection_string`` against the emulator (HMAC auth)."""
    # The sync identity client of 1.5.0 has neither close() nor a context manager; its requests
    # session is released with the object.
    return CommunicationIdentityClient.from_connection_string(emulator.connection_string, **CLIENT_KWARGS)


@pytest.fixture
def make_user(identity_client: CommunicationIdentityClient) -> Callable[..., User]:
    """Factory: a fresh identity plus a chat-scoped token (``create_user_and_token``).

    Fresh identities per test keep tests independent (thread lists are per user) although the
    emulator is shared by the whole session.
    """

    def factory(scopes: Optional[List[str]] = None) -> User:
        identifier, token = identity_client.create_user_and_token(scopes or ["chat"])
        return User(identifier=identifier, token=token.token, expires_on=token.expires_on)

    return factory


@pytest.fixture
def alice(make_user: Callable[..., User]) -> User:
    """A fresh chat user, used as the thread creator in most tests."""
    return make_user()


@pytest.fixture
def bob(make_user: Callable[..., User]) -> User:
    """A second fresh chat user."""
    return make_user()


@pytest.fixture
def carol(make_user: Callable[..., User]) -> User:
    """A third fresh chat user."""
    return make_user()


@pytest.fixture
def chat_client_for(emulator: Emulator) -> Iterator[Callable[[User], ChatClient]]:
    """Factory: a sync ``ChatClient`` authenticated as a user; all are closed at teardown."""
    clients: List[ChatClient] = []

    def factory(user: User) -> ChatClient:
        client = ChatClient(emulator.endpoint, CommunicationTokenCredential(user.token), **CLIENT_KWARGS)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


@pytest_asyncio.fixture
async def async_chat_client_for(emulator: Emulator):
    """Factory: an aio ``ChatClient`` authenticated as a user; all are closed at teardown."""
    clients: List[AsyncChatClient] = []

    def factory(user: User) -> AsyncChatClient:
        client = AsyncChatClient(
            emulator.endpoint,
            AsyncCommunicationTokenCredential(user.token),
            **ASYNC_CLIENT_KWARGS,
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.close()
