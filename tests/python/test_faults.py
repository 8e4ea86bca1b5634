"""Exception paths that need injected faults: throttling, outages, lost answers, timeouts."""

from typing import Iterator, Tuple

import pytest

import acs_chat
from acs_chat import ChatClient, ChatThreadClient, CommunicationTokenCredential
from acs_chat.testing import Emulator


@pytest.fixture
def faulty() -> Iterator[Tuple[Emulator, ChatClient, ChatThreadClient]]:
    with Emulator() as emu:
        _, token = emu.create_user()
        client = ChatClient(emu.endpoint, CommunicationTokenCredential(token), retry_total=0, read_timeout=0.5)
        thread = client.get_chat_thread_client(client.create_chat_thread("faults").chat_thread.id)
        yield emu, client, thread


def test_throttling_is_an_http_error_with_retry_after(faulty: Tuple[Emulator, ChatClient, ChatThreadClient]) -> None:
    emu, _, thread = faulty
    emu.set_faults(rate_429=1.0, retry_after_secs=7, remaining=1)
    with pytest.raises(acs_chat.HttpResponseError) as info:
        thread.get_properties()
    assert info.value.status_code == 429
    assert info.value.reason == "Too Many Requests"
    assert info.value.retry_after == 7.0
    assert thread.get_properties().topic == "faults"


def test_outage_is_an_http_error(faulty: Tuple[Emulator, ChatClient, ChatThreadClient]) -> None:
    emu, client, _ = faulty
    emu.set_faults(rate_503=1.0, remaining=1)
    with pytest.raises(acs_chat.HttpResponseError) as info:
        client.create_chat_thread("down")
    assert info.value.status_code == 503


def test_lost_answer_to_a_send_is_ambiguous(faulty: Tuple[Emulator, ChatClient, ChatThreadClient]) -> None:
    emu, _, thread = faulty
    emu.set_faults(rate_drop_after=1.0, remaining=1)
    with pytest.raises(acs_chat.AmbiguousWriteError) as info:
        thread.send_message("did it arrive?")
    assert isinstance(info.value, acs_chat.ServiceResponseError)
    # It did: the emulator stored it before dropping the connection.
    assert any(m.content and m.content.message == "did it arrive?" for m in thread.list_messages())


def test_slow_read_times_out(faulty: Tuple[Emulator, ChatClient, ChatThreadClient]) -> None:
    emu, _, thread = faulty
    emu.set_faults(latency_ms=3000, remaining=1)
    with pytest.raises(acs_chat.exceptions.ServiceResponseTimeoutError):
        thread.get_properties()


def test_bad_fault_settings_are_value_errors() -> None:
    with Emulator() as emu:
        with pytest.raises(ValueError, match="rate_429"):
            emu.set_faults(rate_429=2.0)
        with pytest.raises(ValueError, match="unknown field"):
            emu.set_faults(rate_teapot=1.0)
