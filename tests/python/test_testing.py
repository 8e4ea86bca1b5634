"""acs_chat.testing.Emulator and the pytest plugin."""

import json
import subprocess
import sys

import pytest

from acs_chat import ChatClient, CommunicationTokenCredential
from acs_chat.testing import Emulator

pytest_plugins = ["acs_chat.pytest_plugin"]


def test_in_process_emulator_round_trip() -> None:
    with Emulator() as emu:
        assert emu.endpoint.startswith("http://127.0.0.1:")
        assert emu.ca_cert_pem is None
        user, token = emu.create_user()
        client = ChatClient(emu.endpoint, CommunicationTokenCredential(token))
        created = client.create_chat_thread("in process")
        assert created.chat_thread.created_by == user
    with pytest.raises(RuntimeError, match="stopped"):
        emu.create_user()
    emu.stop()


def test_plugin_fixture(acs_chat_emulator: Emulator) -> None:
    _, token = acs_chat_emulator.create_user()
    client = ChatClient(acs_chat_emulator.endpoint, CommunicationTokenCredential(token))
    assert list(client.list_chat_threads()) == []


def test_module_runs_standalone() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "acs_chat.emulator"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert info["endpoint"].startswith("http://") and "accesskey=" in info["connection_string"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
