"""Models, enums and datetime rules (no service needed)."""

import datetime as dt

import pytest

from acs_chat import (
    ChatAttachmentType,
    ChatError,
    ChatMessage,
    ChatMessageType,
    ChatParticipant,
    ChatThreadItem,
    CommunicationUserIdentifier,
    SendChatMessageResult,
)
from acs_chat._time import from_wire, to_wire

UTC = dt.timezone.utc


def test_enum_lookups() -> None:
    assert ChatMessageType["text"] is ChatMessageType.TEXT
    assert ChatMessageType.Html is ChatMessageType.HTML
    with pytest.raises(ValueError):
        ChatMessageType("Text")
    assert ChatMessageType("topicUpdated") is ChatMessageType.TOPIC_UPDATED
    image: str = ChatAttachmentType.IMAGE
    assert image == "image"


def test_datetime_formatting() -> None:
    assert to_wire(dt.datetime(2021, 1, 1, tzinfo=UTC)) == "2021-01-01T00:00:00.000Z"
    assert to_wire(dt.datetime(2021, 3, 29, 19, 49, 24, 120000, tzinfo=UTC)) == "2021-03-29T19:49:24.120Z"
    assert to_wire(dt.datetime(2021, 3, 29, 19, 49, 24, 123456)) == "2021-03-29T19:49:24.123456Z"
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert to_wire(dt.datetime(2021, 1, 1, 2, tzinfo=plus2)) == "2021-01-01T00:00:00.000Z"
    with pytest.raises(TypeError):
        to_wire("2021-01-01")  # type: ignore[arg-type]


def test_datetime_parsing() -> None:
    assert from_wire("2020-06-25T17:44:37.6830000Z") == dt.datetime(2020, 6, 25, 17, 44, 37, 683000, tzinfo=UTC)
    assert from_wire("2020-06-25T19:44:37+02:00") == dt.datetime(2020, 6, 25, 17, 44, 37, tzinfo=UTC)
    assert from_wire("2020-06-25T17:44:37Z").tzinfo is not None  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="iso-8601"):
        from_wire("yesterday")


def test_message_from_wire_keeps_unknown_types() -> None:
    m = ChatMessage._from_wire(
        {"id": "1", "type": "futureType", "sequenceId": "1", "version": "1", "createdOn": "2023-05-27T01:38:06Z"}
    )
    assert m.type == "futureType" and not isinstance(m.type, ChatMessageType)
    assert m.content is None and m.sender is None and m.metadata is None
    m2 = ChatMessage._from_wire(
        {"id": "2", "type": "html", "sequenceId": "2", "version": "2", "createdOn": "2023-05-27T01:38:06Z",
         "content": {"message": "<b>x</b>"}}
    )
    assert m2.type is ChatMessageType.HTML
    assert m2.content is not None and m2.content.participants == [] and m2.content.attachments == []


def test_generated_models_compare_by_value() -> None:
    assert SendChatMessageResult(id="1") == SendChatMessageResult(id="1")
    assert SendChatMessageResult(id="1") != SendChatMessageResult(id="2")
    item = ChatThreadItem._from_wire({"id": "t", "topic": "x", "lastMessageReceivedOn": "2023-05-26T21:37:42Z"})
    assert item.as_dict()["last_message_received_on"] == dt.datetime(2023, 5, 26, 21, 37, 42, tzinfo=UTC)
    err = ChatError._from_wire({"code": "c", "message": "m", "innererror": {"code": "i", "message": "im"}})
    assert err.inner_error is not None and err.inner_error.code == "i"


def test_participant_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        ChatParticipant(CommunicationUserIdentifier("8:acs:x"))  # type: ignore[call-arg]
    p = ChatParticipant(identifier=CommunicationUserIdentifier("8:acs:x"), share_history_time=dt.datetime(2021, 1, 1))
    assert p._to_wire()["shareHistoryTime"] == "2021-01-01T00:00:00.000Z"
