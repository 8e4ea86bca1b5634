"""Fixtures: one in-memory emulator per test session (plain http on loopback), users with chat tokens."""

import base64
import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, Tuple

import pytest

import acs_chat
from acs_chat import _acs_chat

ROOT = Path(__file__).resolve().parents[2]
EMULATOR = Path(os.environ.get("ACS_EMULATOR_BIN", ROOT / "target" / "debug" / "acs-chat-emulator"))


def fake_jwt(expires_in_seconds: int) -> str:
    """An unsigned token whose only meaningful claim is ``exp`` (the engine reads it; the service would not accept it)."""
    payload = json.dumps({"exp": int(time.time()) + expires_in_seconds}).encode()
    return "e30." + base64.urlsafe_b64encode(payload).decode().rstrip("=") + ".c2ln"


@pytest.fixture(scope="session")
def emulator() -> Iterator[Dict[str, Any]]:
    if not EMULATOR.exists():
        pytest.fail("emulator binary {} is missing: run `cargo build -p acs-chat-emulator`".format(EMULATOR))
    proc = subprocess.Popen(
        [str(EMULATOR), "--in-memory", "--listen", "127.0.0.1:0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            pytest.fail("the emulator exited before printing its address")
        yield json.loads(line)
    finally:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def identity(emulator: Dict[str, Any]) -> Any:
    return _acs_chat._IdentityClient(emulator["connection_string"])


@pytest.fixture
def make_user(identity: Any) -> Callable[[], Tuple[acs_chat.CommunicationUserIdentifier, str]]:
    def make() -> Tuple[acs_chat.CommunicationUserIdentifier, str]:
        raw_id, token, _ = identity.create_user_and_token()
        return acs_chat.CommunicationUserIdentifier(raw_id), token

    return make


@pytest.fixture
def user(make_user: Any) -> Tuple[acs_chat.CommunicationUserIdentifier, str]:
    made: Tuple[acs_chat.CommunicationUserIdentifier, str] = make_user()
    return made


@pytest.fixture
def client(emulator: Dict[str, Any], user: Any) -> acs_chat.ChatClient:
    return acs_chat.ChatClient(emulator["endpoint"], acs_chat.CommunicationTokenCredential(user[1]))


@pytest.fixture
def thread(client: acs_chat.ChatClient, user: Any) -> acs_chat.ChatThreadClient:
    created = client.create_chat_thread(
        "fixture topic", thread_participants=[acs_chat.ChatParticipant(identifier=user[0], display_name="Owner")]
    )
    return client.get_chat_thread_client(created.chat_thread.id)
