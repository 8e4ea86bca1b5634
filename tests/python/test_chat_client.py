"""ChatClient against the emulator: threads, paging, validation."""

import datetime as dt
from typing import Any

import pytest

import acs_chat
from acs_chat import ChatClient, ChatParticipant, CommunicationTokenCredential, CommunicationUserIdentifier


def test_constructor_validation(emulator: Any, user: Any) -> None:
    cred = CommunicationTokenCredential(user[1])
    with pytest.raises(ValueError, match="credential can not be None"):
        ChatClient(emulator["endpoint"], None)
    with pytest.raises(ValueError, match="Host URL must be a string"):
        ChatClient(5, cred)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Invalid URL: https://"):
        ChatClient("", cred)
    with pytest.raises(TypeError, match="CommunicationTokenCredential"):
        ChatClient(emulator["endpoint"], "token")


def test_create_get_delete_thread(client: ChatClient, make_user: Any, user: Any) -> None:
    other, _ = make_user()
    result = client.create_chat_thread(
        "Lunch",
        thread_participants=[
            ChatParticipant(identifier=user[0], display_name="Me"),
            ChatParticipant(identifier=other, display_name="Other", share_history_time=dt.datetime(2021, 1, 1)),
        ],
        idempotency_token="f3a8a1a4-8bde-4c1c-a8a6-000000000001",
    )
    assert result.errors == []
    props = result.chat_thread
    assert props.topic == "Lunch"
    assert props.created_by == user[0]
    assert props.created_on is not None and props.created_on.tzinfo is not None
    # Same idempotency token: the same thread comes back.
    again = client.create_chat_thread("Lunch", idempotency_token="f3a8a1a4-8bde-4c1c-a8a6-000000000001")
    assert again.chat_thread.id == props.id
    thread = client.get_chat_thread_client(props.id)
    assert thread.thread_id == props.id
    assert {p.display_name for p in thread.list_participants()} == {"Me", "Other"}
    client.delete_chat_thread(props.id)
    with pytest.raises(acs_chat.ResourceNotFoundError):
        thread.get_properties()


def test_client_side_validation(client: ChatClient) -> None:
    with pytest.raises(ValueError, match=r"^topic cannot be None\.$"):
        client.create_chat_thread("")
    with pytest.raises(ValueError, match=r"^thread_id cannot be None\.$"):
        client.delete_chat_thread("")
    with pytest.raises(ValueError, match=r"^thread_id cannot be None\.$"):
        client.get_chat_thread_client(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        client.create_chat_thread("t", thread_participants=["8:acs:x"])
    for bad in (0, 201, -1):
        with pytest.raises(ValueError, match="results_per_page"):
            client.list_chat_threads(results_per_page=bad)
    with pytest.raises(TypeError, match="results_per_page"):
        client.list_chat_threads(results_per_page="5")
    with pytest.raises(TypeError):
        client.list_chat_threads(start_time="2021-01-01")


def test_list_chat_threads_pages_and_resumes(client: ChatClient) -> None:
    created = [client.create_chat_thread("t{}".format(i)).chat_thread.id for i in range(5)]
    for tid in created:
        client.get_chat_thread_client(tid).send_message("x")
    listed = [t.id for t in client.list_chat_threads(results_per_page=2)]
    assert sorted(listed) == sorted(created)
    pages = client.list_chat_threads(results_per_page=2).by_page()
    first = list(next(pages))
    assert len(first) == 2
    token = pages.continuation_token
    assert token
    rest = [t.id for page in client.list_chat_threads(results_per_page=2).by_page(token) for t in page]
    assert sorted([t.id for t in first] + rest) == sorted(created)
    item = first[0]
    assert item.last_message_received_on is not None and item.last_message_received_on.tzinfo is not None


def test_start_time_filters_threads(client: ChatClient) -> None:
    client.create_chat_thread("old")
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    assert list(client.list_chat_threads(start_time=future)) == []


def test_context_manager_and_close(emulator: Any, user: Any) -> None:
    with ChatClient(emulator["endpoint"], CommunicationTokenCredential(user[1])) as c:
        assert c.create_chat_thread("ctx").chat_thread.topic == "ctx"
    c.close()


def test_identifiers_in_thread_participants_other_than_users(client: ChatClient) -> None:
    # 1.2.0 raises KeyError here after the thread exists; we return the service's errors instead.
    result = client.create_chat_thread(
        "mixed", thread_participants=[ChatParticipant(identifier=CommunicationUserIdentifier("8:acs:nobody"))]
    )
    assert result.chat_thread.id
    for participant, error in result.errors or []:
        assert error.code
        assert participant is None or participant.identifier.raw_id == "8:acs:nobody"
