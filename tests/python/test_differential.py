"""Differential: the official azure-communication-chat 1.2.0 and acs_chat read the same thread on the same
emulator and must return the same fields (skipped when the official SDK is not installed)."""

import datetime as dt
import enum
from pathlib import Path
from typing import Any, Iterator, List

import pytest

import acs_chat
from acs_chat.testing import Emulator

official = pytest.importorskip("azure.communication.chat")


@pytest.fixture(scope="module")
def tls_emulator() -> Iterator[Emulator]:
    with Emulator(tls=True) as emu:
        yield emu


def same(ours: Any, theirs: Any, path: str = "") -> None:
    """Compares two results attribute by attribute (identifiers by class name, raw id and properties)."""
    if theirs is None or isinstance(theirs, (str, int, float, bool, dt.datetime)):
        if isinstance(theirs, enum.Enum) or isinstance(ours, enum.Enum):
            assert getattr(ours, "value", ours) == getattr(theirs, "value", theirs), path
        else:
            assert ours == theirs, path
        return
    if isinstance(theirs, enum.Enum):
        assert type(ours).__name__ == type(theirs).__name__ and ours.value == theirs.value, path
        return
    if isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs), path
        for i, (o, t) in enumerate(zip(ours, theirs)):
            same(o, t, "{}[{}]".format(path, i))
        return
    if isinstance(theirs, dict):
        assert set(ours) == set(theirs), path
        for k in theirs:
            same(ours[k], theirs[k], "{}.{}".format(path, k))
        return
    assert type(ours).__name__ == type(theirs).__name__, path
    if hasattr(theirs, "raw_id") and hasattr(theirs, "properties"):
        assert ours.raw_id == theirs.raw_id, path
        same(dict(ours.properties), dict(theirs.properties), path + ".properties")
        return
    fields = {k for k in vars(theirs) if not k.startswith("_") and k != "additional_properties"}
    for k in sorted(fields):
        same(getattr(ours, k), getattr(theirs, k), "{}.{}".format(path, k))


def test_same_fields_as_the_official_sdk(
    tls_emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = tmp_path / "ca.pem"
    assert tls_emulator.ca_cert_pem is not None
    ca.write_text(tls_emulator.ca_cert_pem)
    # requests (under the official SDK) reads its CA bundle from here.
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    alice, alice_token = tls_emulator.create_user()
    bob, _ = tls_emulator.create_user()
    theirs_client = official.ChatClient(
        tls_emulator.endpoint, official.CommunicationTokenCredential(alice_token)
    )
    ours_client = acs_chat.ChatClient(
        tls_emulator.endpoint,
        acs_chat.CommunicationTokenCredential(alice_token),
        extra_root_certificate_pem=tls_emulator.ca_cert_pem,
    )
    created = theirs_client.create_chat_thread(
        "Differential",
        thread_participants=[
            official.ChatParticipant(identifier=official.CommunicationUserIdentifier(alice.raw_id), display_name="A"),
            official.ChatParticipant(
                identifier=official.CommunicationUserIdentifier(bob.raw_id),
                display_name="B",
                share_history_time=dt.datetime(2021, 1, 1, tzinfo=dt.timezone.utc),
            ),
        ],
    )
    thread_id = created.chat_thread.id
    theirs = theirs_client.get_chat_thread_client(thread_id)
    ours = ours_client.get_chat_thread_client(thread_id)
    sent = theirs.send_message("hello", sender_display_name="A", metadata={"k": "v"})
    theirs.send_message("<b>x</b>", chat_message_type="html")
    theirs.update_message(sent.id, content="edited")
    theirs.send_read_receipt(sent.id)
    theirs.update_topic("Renamed")

    same(ours.get_properties(), theirs.get_properties(), "properties")
    same(ours.get_message(sent.id), theirs.get_message(sent.id), "message")
    same(list(ours.list_messages(results_per_page=2)), list(theirs.list_messages(results_per_page=2)), "messages")
    same(list(ours.list_participants()), list(theirs.list_participants()), "participants")
    same(list(ours.list_read_receipts()), list(theirs.list_read_receipts()), "receipts")
    ours_threads: List[Any] = list(ours_client.list_chat_threads())
    same(ours_threads, list(theirs_client.list_chat_threads()), "threads")
    # And the other way round: a thread we create reads the same through the official SDK.
    made = ours_client.create_chat_thread("Ours")
    same(made.chat_thread, theirs_client.get_chat_thread_client(made.chat_thread.id).get_properties(), "created")
