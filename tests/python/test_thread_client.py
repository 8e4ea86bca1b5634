"""ChatThreadClient against the emulator: every method and keyword."""

import datetime as dt
from typing import Any

import pytest

import acs_chat
from acs_chat import (
    ChatMessageType,
    ChatParticipant,
    ChatThreadClient,
    CommunicationTokenCredential,
)


def test_constructor(emulator: Any, user: Any, thread: ChatThreadClient) -> None:
    cred = CommunicationTokenCredential(user[1])
    with pytest.raises(ValueError, match="thread_id can not be None or empty"):
        ChatThreadClient(emulator["endpoint"], cred, "")
    with pytest.raises(ValueError, match="credential can not be None"):
        ChatThreadClient(emulator["endpoint"], None, "x")
    direct = ChatThreadClient(emulator["endpoint"], cred, thread.thread_id)
    assert direct.get_properties().id == thread.thread_id


def test_properties_and_topic(thread: ChatThreadClient, user: Any) -> None:
    thread.update_topic("new topic")
    props = thread.get_properties()
    assert props.topic == "new topic"
    assert props.created_by == user[0]
    thread.update_topic()
    assert thread.get_properties().topic == "new topic"


def test_send_get_update_delete_message(thread: ChatThreadClient) -> None:
    sent = thread.send_message(
        "<b>hi</b>", chat_message_type="Html", sender_display_name="Ann", metadata={"tag": "a"}
    )
    message = thread.get_message(sent.id)
    assert message.type is ChatMessageType.HTML
    assert message.content is not None and message.content.message == "<b>hi</b>"
    assert message.sender_display_name == "Ann"
    assert message.metadata == {"tag": "a"}
    assert message.created_on.tzinfo is not None
    thread.update_message(sent.id, content="edited", metadata={"tag": None, "new": "b"})
    edited = thread.get_message(sent.id)
    assert edited.content is not None and edited.content.message == "edited"
    assert edited.edited_on is not None
    assert edited.metadata == {"new": "b"}
    thread.delete_message(sent.id)
    assert thread.get_message(sent.id).deleted_on is not None


@pytest.mark.parametrize("kind", [None, "text", "TEXT", ChatMessageType.TEXT])
def test_text_types_accepted(thread: ChatThreadClient, kind: Any) -> None:
    sent = thread.send_message("x", chat_message_type=kind)
    assert thread.get_message(sent.id).type is ChatMessageType.TEXT


def test_message_validation(thread: ChatThreadClient) -> None:
    with pytest.raises(ValueError, match=r"^content cannot be None\.$"):
        thread.send_message("")
    with pytest.raises(ValueError, match=r"^chat_message_type: topicUpdated is not acceptable$"):
        thread.send_message("x", chat_message_type="topicUpdated")
    with pytest.raises(ValueError, match=r"^chat_message_type: 5 is not acceptable$"):
        thread.send_message("x", chat_message_type=5)
    with pytest.raises(ValueError, match=r"can be only 'text' or 'html'$"):
        thread.send_message("x", chat_message_type="topic_updated")
    for call in (thread.get_message, thread.delete_message, thread.send_read_receipt, thread.update_message):
        with pytest.raises(ValueError, match=r"^message_id cannot be None\.$"):
            missing: Any = None
            call(missing)
    with pytest.raises(ValueError, match=r"^identifier cannot be None\.$"):
        thread.remove_participant(None)
    with pytest.raises(TypeError, match="Unsupported identifier type str"):
        thread.remove_participant("8:acs:x")
    with pytest.raises(TypeError):
        thread.send_message(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="skip"):
        thread.list_participants(skip=-1)


def test_list_messages_paging_and_resume(thread: ChatThreadClient) -> None:
    ids = [thread.send_message("m{}".format(i)).id for i in range(7)]
    texts = [m for m in thread.list_messages(results_per_page=3) if m.type is ChatMessageType.TEXT]
    assert [m.id for m in texts] == list(reversed(ids))
    pages = thread.list_messages(results_per_page=3).by_page()
    first = [m.id for m in next(pages)]
    token = pages.continuation_token
    assert len(first) == 3 and token
    resumed = [m.id for page in thread.list_messages().by_page(continuation_token=token) for m in page]
    assert not set(first) & set(resumed)
    assert set(ids) <= set(first) | set(resumed)
    future = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=1)
    assert list(thread.list_messages(start_time=future)) == []


def test_participants(thread: ChatThreadClient, make_user: Any, user: Any) -> None:
    a, _ = make_user()
    b, _ = make_user()
    assert thread.add_participants([]) == []
    errors = thread.add_participants(
        [ChatParticipant(identifier=a, display_name="A"), ChatParticipant(identifier=b, display_name="B")]
    )
    assert errors == []
    people = list(thread.list_participants(results_per_page=1))
    assert {p.identifier.raw_id for p in people} == {user[0].raw_id, a.raw_id, b.raw_id}
    assert len(list(thread.list_participants(skip=1))) == 2
    thread.remove_participant(a)
    assert a not in {p.identifier for p in thread.list_participants()}
    removed = [m for m in thread.list_messages() if m.type is ChatMessageType.PARTICIPANT_REMOVED]
    assert removed and removed[0].content is not None and removed[0].content.participants
    assert removed[0].content.participants[0].identifier == a


def test_read_receipts_and_typing(thread: ChatThreadClient, user: Any) -> None:
    sent = thread.send_message("read me")
    thread.send_read_receipt(sent.id)
    receipts = list(thread.list_read_receipts(results_per_page=5, skip=0))
    assert [r.chat_message_id for r in receipts] == [sent.id]
    assert receipts[0].sender == user[0]
    assert receipts[0].read_on.tzinfo is not None
    thread.send_typing_notification()
    thread.send_typing_notification(sender_display_name="Ann")


def test_context_manager(thread: ChatThreadClient) -> None:
    with thread as t:
        assert t is thread


def test_naive_datetimes_are_utc(thread: ChatThreadClient) -> None:
    thread.send_message("now")
    # A naive "one hour ahead in UTC" must filter everything out, whatever the local timezone is.
    naive_future = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) + dt.timedelta(hours=1)
    assert list(thread.list_messages(start_time=naive_future)) == []
    naive_past = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(hours=1)
    assert any(m.type is ChatMessageType.TEXT for m in thread.list_messages(start_time=naive_past))
