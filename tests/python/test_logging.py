"""Logger ``acs_chat`` gets one INFO record per request, without tokens."""

import logging
from typing import Any

import pytest

from acs_chat import ChatClient, CommunicationTokenCredential


def test_one_record_per_request(emulator: Any, user: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = ChatClient(emulator["endpoint"], CommunicationTokenCredential(user[1]))
    with caplog.at_level(logging.INFO, logger="acs_chat"):
        thread_id = client.create_chat_thread("logged").chat_thread.id
        client.delete_chat_thread(thread_id)
    records = [r for r in caplog.records if r.name == "acs_chat"]
    assert [r.getMessage().split()[0] for r in records] == ["create_chat_thread", "delete_chat_thread"]
    assert "status=201" in records[0].getMessage()
    assert "status=204" in records[1].getMessage()
    assert "request_id=" in records[0].getMessage() and "duration_ms=" in records[0].getMessage()
    assert all(user[1] not in r.getMessage() for r in records)


def test_nothing_is_logged_when_disabled(emulator: Any, user: Any, caplog: pytest.LogCaptureFixture) -> None:
    client = ChatClient(emulator["endpoint"], CommunicationTokenCredential(user[1]))
    with caplog.at_level(logging.WARNING, logger="acs_chat"):
        client.create_chat_thread("quiet")
    assert [r for r in caplog.records if r.name == "acs_chat"] == []
