"""Every ChatClient / ChatThreadClient operation of azure-communication-chat 1.2.0 (sync).

Each test uses fresh identities, so tests are independent although one emulator serves the
whole session. Assertions name the SDK-visible field that disagrees; the emulator's wire
shape is checked through what the official SDK makes of it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Callable, Iterator, List

import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)

from azure.communication.chat import (
    ChatClient,
    ChatError,
    ChatMessage,
    ChatMessageReadReceipt,
    ChatMessageType,
    ChatParticipant,
    ChatThreadClient,
    ChatThreadItem,
    ChatThreadProperties,
    CommunicationTokenCredential,
    CommunicationUserIdentifier,
    CreateChatThreadResult,
    SendChatMessageResult,
)

from sdk_support import (
    CLIENT_KWARGS,
    UNKNOWN_THREAD_ID,
    Emulator,
    User,
    assert_aware,
    assert_user,
    far_future,
    ids_of,
    jwt_with_claims,
    long_ago,
    pages_of,
    participant,
    participant_ids,
    utc_now,
)

ClientFor = Callable[[User], ChatClient]


# Every thread client owns its own pipeline and HTTP session; they are closed after each test.
_opened: List[ChatThreadClient] = []


@pytest.fixture(autouse=True)
def _close_thread_clients() -> Iterator[None]:
    yield
    while _opened:
        _opened.pop().close()


def thread_client(client: ChatClient, thread_id: str) -> ChatThreadClient:
    # get_chat_thread_client does not inherit the ChatClient's kwargs (1.2.0 behaviour), so the
    # suite's retry/timeout settings are passed again.
    opened = client.get_chat_thread_client(thread_id, **CLIENT_KWARGS)
    _opened.append(opened)
    return opened


def new_thread(client: ChatClient, topic: str, *participants: ChatParticipant) -> ChatThreadClient:
    result = client.create_chat_thread(topic, thread_participants=list(participants))
    assert result.errors == [], f"unexpected invalid participants: {result.errors}"
    return thread_client(client, result.chat_thread.id)


def text_messages(messages: List[ChatMessage]) -> List[ChatMessage]:
    return [m for m in messages if m.type in (ChatMessageType.TEXT, ChatMessageType.HTML)]


def system_messages(messages: List[ChatMessage], kind: ChatMessageType) -> List[ChatMessage]:
    return [m for m in messages if m.type == kind]


def unknown_user_id(known: User) -> str:
    # Same resource prefix as a real identity, so only "never created" distinguishes it.
    resource = known.id.rsplit("_", 1)[0]
    return f"{resource}_{uuid.uuid4()}"


# --------------------------------------------------------------------------------------------
# ChatClient
# --------------------------------------------------------------------------------------------


def test_create_chat_thread_returns_properties_and_adds_participants(
    chat_client_for: ClientFor, alice: User, bob: User
) -> None:
    client = chat_client_for(alice)
    shared_from = utc_now() - timedelta(hours=1)
    result = client.create_chat_thread(
        "conformance topic",
        thread_participants=[
            participant(alice, "Alice"),
            participant(bob, "Bob", share_history_time=shared_from),
        ],
    )

    assert isinstance(result, CreateChatThreadResult)
    assert result.errors == []
    thread = result.chat_thread
    assert isinstance(thread, ChatThreadProperties)
    assert isinstance(thread.id, str)
    assert thread.id.startswith("19:") and thread.id.endswith("@thread.v2"), thread.id
    assert thread.topic == "conformance topic"
    assert_aware(thread.created_on, "chat_thread.created_on")
    assert_user(thread.created_by, alice, "chat_thread.created_by")

    members = list(thread_client(client, thread.id).list_participants())
    by_id = {p.identifier.raw_id: p for p in members}
    assert set(by_id) == {alice.id, bob.id}
    assert by_id[alice.id].display_name == "Alice"
    assert by_id[bob.id].display_name == "Bob"
    assert_user(by_id[bob.id].identifier, bob, "participant identifier")
    assert_aware(by_id[bob.id].share_history_time, "participant.share_history_time")
    # Second precision is all the service promises; the value itself must survive.
    drift = abs((by_id[bob.id].share_history_time - shared_from).total_seconds())
    assert drift < 1.0, f"share_history_time came back {drift:.3f}s off"


def test_create_chat_thread_posts_topic_and_participant_system_messages(
    chat_client_for: ClientFor, alice: User, bob: User
) -> None:
    client = chat_client_for(alice)
    chat = new_thread(client, "kick-off", participant(alice, "Alice"), participant(bob, "Bob"))

    messages = list(chat.list_messages())
    for m in messages:
        # Known types must come back as the enum, not as the raw string.
        assert isinstance(m.type, ChatMessageType), f"message {m.id} type {m.type!r}"
    topics = system_messages(messages, ChatMessageType.TOPIC_UPDATED)
    assert [m.content.topic for m in topics] == ["kick-off"]
    assert_user(topics[0].content.initiator, alice, "topicUpdated initiator")
    added = system_messages(messages, ChatMessageType.PARTICIPANT_ADDED)
    assert len(added) == 1, f"{len(added)} participantAdded messages"
    assert sorted(participant_ids(added[0].content.participants)) == sorted([alice.id, bob.id])
    assert_user(added[0].content.initiator, alice, "participantAdded initiator")
    for m in topics + added:
        assert m.content.message is None or m.content.message == ""
        assert_aware(m.created_on, f"system message {m.id} created_on")


def test_create_chat_thread_without_participants_makes_creator_a_member(
    chat_client_for: ClientFor, alice: User
) -> None:
    client = chat_client_for(alice)
    result = client.create_chat_thread("solo")
    assert result.errors == []
    members = list(thread_client(client, result.chat_thread.id).list_participants())
    assert participant_ids(members) == [alice.id]


def test_create_chat_thread_idempotency_token_returns_same_thread(
    chat_client_for: ClientFor, alice: User
) -> None:
    client = chat_client_for(alice)
    token = str(uuid.uuid4())
    first = client.create_chat_thread("idempotent", idempotency_token=token)
    again = client.create_chat_thread("idempotent", idempotency_token=token)
    other = client.create_chat_thread("idempotent", idempotency_token=str(uuid.uuid4()))

    assert again.chat_thread.id == first.chat_thread.id
    assert other.chat_thread.id != first.chat_thread.id
    listed = ids_of(client.list_chat_threads())
    assert sorted(listed) == sorted([first.chat_thread.id, other.chat_thread.id])


def test_create_chat_thread_reports_unknown_participant_in_errors(
    chat_client_for: ClientFor, alice: User, bob: User
) -> None:
    client = chat_client_for(alice)
    ghost_id = unknown_user_id(alice)
    ghost = ChatParticipant(identifier=CommunicationUserIdentifier(ghost_id), display_name="Ghost")
    result = client.create_chat_thread(
        "with a ghost", thread_participants=[participant(alice), participant(bob), ghost]
    )

    assert len(result.errors) == 1, result.errors
    failed, error = result.errors[0]
    # The SDK pairs errors with request participants by ChatError.target == identifier id.
    assert failed is ghost, f"error target {error.target!r} did not match the ghost participant"
    assert isinstance(error, ChatError)
    assert error.target == ghost_id
    assert error.code and error.message
    members = participant_ids(thread_client(client, result.chat_thread.id).list_participants())
    assert sorted(members) == sorted([alice.id, bob.id])


def test_list_chat_threads_pages_and_resumes_from_continuation_token(
    chat_client_for: ClientFor, alice: User
) -> None:
    client = chat_client_for(alice)
    created = [client.create_chat_thread(f"thread {i}").chat_thread.id for i in range(5)]

    pages = pages_of(client.list_chat_threads(results_per_page=2))
    assert all(len(page) <= 2 for page in pages), [len(p) for p in pages]
    assert len(pages) >= 3
    items = [item for page in pages for item in page]
    assert sorted(ids_of(items)) == sorted(created)
    for item in items:
        assert isinstance(item, ChatThreadItem)
        assert item.topic.startswith("thread ")
        assert item.deleted_on is None
        if item.last_message_received_on is not None:
            assert_aware(item.last_message_received_on, "last_message_received_on")

    pager = client.list_chat_threads(results_per_page=2).by_page()
    first_page = ids_of(next(pager))
    token = pager.continuation_token
    assert isinstance(token, str) and token, "no continuation token after a non-final page"
    rest = [item for page in pages_of(client.list_chat_threads(), continuation_token=token) for item in page]
    resumed = first_page + ids_of(rest)
    assert len(resumed) == len(set(resumed)), f"resume repeated threads: {resumed}"
    assert sorted(resumed) == sorted(created)


def test_list_chat_threads_start_time_bounds_results(chat_client_for: ClientFor, alice: User) -> None:
    client = chat_client_for(alice)
    created = [client.create_chat_thread(f"t{i}").chat_thread.id for i in range(2)]

    recent = ids_of(client.list_chat_threads(results_per_page=5, start_time=long_ago()))
    assert sorted(recent) == sorted(created)
    assert ids_of(client.list_chat_threads(start_time=far_future())) == []


def test_list_chat_threads_only_shows_own_threads(chat_client_for: ClientFor, alice: User, bob: User) -> None:
    mine = chat_client_for(alice).create_chat_thread("alice's").chat_thread.id
    assert mine not in ids_of(chat_client_for(bob).list_chat_threads())


def test_delete_chat_thread(chat_client_for: ClientFor, alice: User) -> None:
    client = chat_client_for(alice)
    thread_id = client.create_chat_thread("to delete").chat_thread.id

    assert client.delete_chat_thread(thread_id) is None
    with pytest.raises(ResourceNotFoundError) as info:
        thread_client(client, thread_id).get_properties()
    assert info.value.status_code == 404
    for item in client.list_chat_threads():
        if item.id == thread_id:
            assert item.deleted_on is not None, "deleted thread listed without deleted_on"
            assert_aware(item.deleted_on, "deleted_on")


def test_get_chat_thread_client_binds_thread_id(chat_client_for: ClientFor, alice: User) -> None:
    client = chat_client_for(alice)
    thread_id = client.create_chat_thread("bind").chat_thread.id
    bound = client.get_chat_thread_client(thread_id)
    assert isinstance(bound, ChatThreadClient)
    assert bound.thread_id == thread_id
    with bound:
        assert bound.get_properties().id == thread_id


def test_clients_work_as_context_managers(emulator: Emulator, alice: User) -> None:
    with ChatClient(emulator.endpoint, CommunicationTokenCredential(alice.token), **CLIENT_KWARGS) as client:
        thread_id = client.create_chat_thread("ctx").chat_thread.id
    direct = ChatThreadClient(
        emulator.endpoint, CommunicationTokenCredential(alice.token), thread_id, **CLIENT_KWARGS
    )
    with direct:
        assert direct.get_properties().topic == "ctx"


# --------------------------------------------------------------------------------------------
# ChatThreadClient: thread properties
# --------------------------------------------------------------------------------------------


def test_get_properties(chat_client_for: ClientFor, alice: User) -> None:
    client = chat_client_for(alice)
    created = client.create_chat_thread("props").chat_thread
    props = thread_client(client, created.id).get_properties()
    assert isinstance(props, ChatThreadProperties)
    assert props.id == created.id
    assert props.topic == "props"
    assert props.created_on == created.created_on
    assert_user(props.created_by, alice, "get_properties().created_by")


def test_update_topic_changes_topic_and_posts_system_message(chat_client_for: ClientFor, alice: User) -> None:
    client = chat_client_for(alice)
    chat = new_thread(client, "before", participant(alice))

    assert chat.update_topic(topic="after") is None
    assert chat.get_properties().topic == "after"
    # topic=None sends {}: a merge-patch that changes nothing.
    assert chat.update_topic() is None
    assert chat.get_properties().topic == "after"

    updates = system_messages(list(chat.list_messages()), ChatMessageType.TOPIC_UPDATED)
    assert any(m.content and m.content.topic == "after" for m in updates), (
        f"no topicUpdated message with topic 'after': {[m.content.topic for m in updates if m.content]}"
    )
    latest = next(m for m in updates if m.content.topic == "after")
    assert_user(latest.content.initiator, alice, "topicUpdated initiator")
    assert_aware(latest.created_on, "topicUpdated created_on")


# --------------------------------------------------------------------------------------------
# ChatThreadClient: messages
# --------------------------------------------------------------------------------------------


def test_send_and_get_text_message(chat_client_for: ClientFor, alice: User) -> None:
    chat = new_thread(chat_client_for(alice), "messages", participant(alice))

    sent = chat.send_message("hello world", sender_display_name="Alice", metadata={"k": "v", "n": "1"})
    assert isinstance(sent, SendChatMessageResult)
    assert isinstance(sent.id, str) and sent.id

    message = chat.get_message(sent.id)
    assert isinstance(message, ChatMessage)
    assert message.id == sent.id
    assert message.type is ChatMessageType.TEXT
    assert isinstance(message.sequence_id, str) and message.sequence_id.isdigit()
    assert isinstance(message.version, str) and message.version
    assert message.content.message == "hello world"
    assert message.content.participants == [] and message.content.attachments == []
    assert message.sender_display_name == "Alice"
    assert_aware(message.created_on, "message.created_on")
    assert_user(message.sender, alice, "message.sender")
    assert message.deleted_on is None
    assert message.edited_on is None
    assert message.metadata == {"k": "v", "n": "1"}


def test_send_message_defaults_and_explicit_types(chat_client_for: ClientFor, alice: User) -> None:
    chat = new_thread(chat_client_for(alice), "types", participant(alice))

    plain = chat.get_message(chat.send_message("plain").id)
    assert plain.type is ChatMessageType.TEXT
    assert plain.metadata is None

    html_str = chat.get_message(chat.send_message("<b>bold</b>", chat_message_type="html").id)
    assert html_str.type is ChatMessageType.HTML
    assert html_str.content.message == "<b>bold</b>"

    html_enum = chat.get_message(chat.send_message("<i>it</i>", chat_message_type=ChatMessageType.HTML).id)
    assert html_enum.type is ChatMessageType.HTML

    text_enum = chat.get_message(chat.send_message("t", chat_message_type=ChatMessageType.TEXT).id)
    assert text_enum.type is ChatMessageType.TEXT


def test_list_messages_pages_newest_first(chat_client_for: ClientFor, alice: User) -> None:
    chat = new_thread(chat_client_for(alice), "paging", participant(alice))
    sent = [chat.send_message(f"m{i}").id for i in range(3)]

    pages = pages_of(chat.list_messages(results_per_page=1))
    assert all(len(page) <= 1 for page in pages), [len(p) for p in pages]
    messages = [m for page in pages for m in page]
    assert len(set(ids_of(messages))) == len(messages), "a message appeared on two pages"
    texts = text_messages(messages)
    assert ids_of(texts) == list(reversed(sent)), "text messages not listed newest first"
    sequence = [int(m.sequence_id) for m in messages]
    assert sequence == sorted(sequence, reverse=True), f"sequence ids not descending: {sequence}"
    for m in messages:
        assert isinstance(m, ChatMessage)
        assert_aware(m.created_on, f"message {m.id} created_on")


def test_list_messages_start_time(chat_client_for: ClientFor, alice: User) -> None:
    chat = new_thread(chat_client_for(alice), "start time", participant(alice))
    sent = [chat.send_message(f"m{i}").id for i in range(3)]
    pivot = chat.get_message(sent[1])

    everything = ids_of(text_messages(list(chat.list_messages(start_time=long_ago()))))
    assert sorted(everything) == sorted(sent)

    since_pivot = list(chat.list_messages(results_per_page=1, start_time=pivot.created_on))
    assert pivot.id in ids_of(since_pivot)
    assert sent[2] in ids_of(since_pivot)
    for m in since_pivot:
        assert m.created_on >= pivot.created_on, f"{m.id} created {m.created_on} < start_time"

    assert list(chat.list_messages(start_time=far_future())) == []


def test_update_message_content_and_metadata(chat_client_for: ClientFor, alice: User) -> None:
    chat = new_thread(chat_client_for(alice), "edits", participant(alice))
    message_id = chat.send_message("draft", metadata={"tag": "old", "gone": "x", "keep": "y"}).id
    before = chat.get_message(message_id)

    assert chat.update_message(message_id, content="final") is None
    edited = chat.get_message(message_id)
    assert edited.content.message == "final"
    assert edited.metadata == {"tag": "old", "gone": "x", "keep": "y"}
    assert_aware(edited.edited_on, "edited_on")
    assert edited.created_on == before.created_on
    assert edited.sequence_id == before.sequence_id

    # merge-patch: a None value (JSON null) deletes the key, absent keys are kept.
    assert chat.update_message(message_id, metadata={"tag": "new", "gone": None}) is None
    patched = chat.get_message(message_id)
    assert patched.content.message == "final"
    assert patched.metadata == {"tag": "new", "keep": "y"}


def test_delete_message(chat_client_for: ClientFor, alice: User) -> None:
    chat = new_thread(chat_client_for(alice), "deletes", participant(alice))
    doomed = chat.send_message("soon gone").id
    kept = chat.send_message("stays").id

    assert chat.delete_message(doomed) is None
    # The service soft-deletes: either the message is gone or it carries deleted_on.
    try:
        after = chat.get_message(doomed)
    except ResourceNotFoundError:
        pass
    else:
        assert_aware(after.deleted_on, "deleted message deleted_on")
    listed = {m.id: m for m in chat.list_messages()}
    assert kept in listed
    if doomed in listed:
        assert_aware(listed[doomed].deleted_on, "listed deleted message deleted_on")


# --------------------------------------------------------------------------------------------
# ChatThreadClient: participants
# --------------------------------------------------------------------------------------------


def test_list_participants_paging_and_skip(
    chat_client_for: ClientFor, alice: User, bob: User, carol: User
) -> None:
    chat = new_thread(
        chat_client_for(alice),
        "members",
        participant(alice, "Alice"),
        participant(bob, "Bob"),
        participant(carol, "Carol"),
    )

    everyone = list(chat.list_participants())
    assert sorted(participant_ids(everyone)) == sorted([alice.id, bob.id, carol.id])
    for p in everyone:
        assert isinstance(p, ChatParticipant)
        assert isinstance(p.identifier, CommunicationUserIdentifier)
    names = {p.identifier.raw_id: p.display_name for p in everyone}
    assert names == {alice.id: "Alice", bob.id: "Bob", carol.id: "Carol"}

    pages = pages_of(chat.list_participants(results_per_page=2))
    assert [len(page) for page in pages] == [2, 1]
    assert participant_ids(p for page in pages for p in page) == participant_ids(everyone)

    skipped = list(chat.list_participants(skip=1))
    assert participant_ids(skipped) == participant_ids(everyone)[1:]

    skipped_pages = pages_of(chat.list_participants(results_per_page=1, skip=1))
    assert [len(page) for page in skipped_pages] == [1, 1]
    assert list(chat.list_participants(skip=5)) == []


def test_add_participants_adds_members_and_posts_system_message(
    chat_client_for: ClientFor, alice: User, bob: User, carol: User
) -> None:
    chat = new_thread(chat_client_for(alice), "growing", participant(alice))

    result = chat.add_participants(
        [participant(bob, "Bob", share_history_time=utc_now()), participant(carol, "Carol")]
    )
    assert result == []
    assert sorted(participant_ids(chat.list_participants())) == sorted([alice.id, bob.id, carol.id])

    # Adding an existing member again is a no-op, not an error.
    assert chat.add_participants([participant(bob, "Bob")]) == []
    assert len(list(chat.list_participants())) == 3

    added = system_messages(list(chat.list_messages()), ChatMessageType.PARTICIPANT_ADDED)
    matching = [m for m in added if bob.id in participant_ids(m.content.participants)]
    assert matching, "no participantAdded message naming bob"
    assert_user(matching[0].content.initiator, alice, "participantAdded initiator")

    # Bob is now a member and can read the thread with his own token.
    bob_view = thread_client(chat_client_for(bob), chat.thread_id)
    assert bob_view.get_properties().topic == "growing"


def test_add_participants_reports_unknown_user(chat_client_for: ClientFor, alice: User, bob: User) -> None:
    chat = new_thread(chat_client_for(alice), "ghost add", participant(alice))
    ghost_id = unknown_user_id(alice)
    ghost = ChatParticipant(identifier=CommunicationUserIdentifier(ghost_id), display_name="Ghost")

    result = chat.add_participants([participant(bob), ghost])
    assert len(result) == 1, result
    failed, error = result[0]
    assert failed is ghost, f"error target {error.target!r} did not match the ghost participant"
    assert isinstance(error, ChatError)
    assert error.target == ghost_id
    assert error.code and error.message
    assert sorted(participant_ids(chat.list_participants())) == sorted([alice.id, bob.id])


def test_remove_participant(chat_client_for: ClientFor, alice: User, bob: User) -> None:
    chat = new_thread(chat_client_for(alice), "shrinking", participant(alice), participant(bob))

    assert chat.remove_participant(identifier=bob.identifier) is None
    assert participant_ids(chat.list_participants()) == [alice.id]

    removed = system_messages(list(chat.list_messages()), ChatMessageType.PARTICIPANT_REMOVED)
    matching = [m for m in removed if bob.id in participant_ids(m.content.participants)]
    assert matching, "no participantRemoved message naming bob"
    assert_user(matching[0].content.initiator, alice, "participantRemoved initiator")

    with pytest.raises(HttpResponseError) as info:
        thread_client(chat_client_for(bob), chat.thread_id).get_properties()
    assert info.value.status_code == 403


# --------------------------------------------------------------------------------------------
# ChatThreadClient: events
# --------------------------------------------------------------------------------------------


def test_send_typing_notification(chat_client_for: ClientFor, alice: User) -> None:
    chat = new_thread(chat_client_for(alice), "typing", participant(alice))
    assert chat.send_typing_notification() is None
    assert chat.send_typing_notification(sender_display_name="Alice") is None


def test_read_receipts(chat_client_for: ClientFor, alice: User, bob: User) -> None:
    chat = new_thread(chat_client_for(alice), "receipts", participant(alice), participant(bob))
    first = chat.send_message("first").id
    second = chat.send_message("second").id
    bob_chat = thread_client(chat_client_for(bob), chat.thread_id)

    assert bob_chat.send_read_receipt(first) is None
    assert chat.send_read_receipt(message_id=second) is None

    receipts = list(chat.list_read_receipts())
    assert len(receipts) == 2, receipts
    by_sender = {r.sender.raw_id: r for r in receipts}
    assert set(by_sender) == {alice.id, bob.id}
    for user, message_id in ((bob, first), (alice, second)):
        receipt = by_sender[user.id]
        assert isinstance(receipt, ChatMessageReadReceipt)
        assert_user(receipt.sender, user, "read receipt sender")
        assert receipt.chat_message_id == message_id
        assert_aware(receipt.read_on, "read_on")

    pages = pages_of(chat.list_read_receipts(results_per_page=1))
    assert [len(page) for page in pages] == [1, 1]
    skipped = list(chat.list_read_receipts(results_per_page=5, skip=1))
    assert len(skipped) == 1
    assert list(chat.list_read_receipts(skip=2)) == []


# --------------------------------------------------------------------------------------------
# Error paths, as the SDK surfaces them
# --------------------------------------------------------------------------------------------


def test_unknown_thread_raises_resource_not_found(chat_client_for: ClientFor, alice: User) -> None:
    client = chat_client_for(alice)
    ghost = thread_client(client, UNKNOWN_THREAD_ID)

    for call in (
        ghost.get_properties,
        lambda: ghost.send_message("hello?"),
        lambda: list(ghost.list_messages()),
        lambda: ghost.update_topic("x"),
        lambda: client.delete_chat_thread(UNKNOWN_THREAD_ID),
    ):
        with pytest.raises(ResourceNotFoundError) as info:
            call()
        assert info.value.status_code == 404


def test_unknown_message_raises_resource_not_found(chat_client_for: ClientFor, alice: User) -> None:
    chat = new_thread(chat_client_for(alice), "no such message", participant(alice))
    with pytest.raises(ResourceNotFoundError):
        chat.get_message("1")
    with pytest.raises(ResourceNotFoundError):
        chat.update_message("1", content="x")


def test_non_participant_gets_403(chat_client_for: ClientFor, alice: User, bob: User) -> None:
    thread_id = new_thread(chat_client_for(alice), "private", participant(alice)).thread_id
    outsider = thread_client(chat_client_for(bob), thread_id)

    for call in (
        outsider.get_properties,
        lambda: outsider.send_message("let me in"),
        lambda: list(outsider.list_participants()),
        lambda: outsider.send_typing_notification(),
    ):
        with pytest.raises(HttpResponseError) as info:
            call()
        error = info.value
        assert type(error) is HttpResponseError, type(error).__name__
        assert error.status_code == 403
        # 403 is in the SDK's error_map with a CommunicationErrorResponse model.
        assert error.model is not None and error.model.error.code, "403 without an error body"
        assert error.error is not None and error.error.code


def test_tampered_token_raises_client_authentication_error(
    emulator: Emulator, chat_client_for: ClientFor, alice: User
) -> None:
    thread_id = chat_client_for(alice).create_chat_thread("auth").chat_thread.id
    past = int((utc_now() - timedelta(hours=1)).timestamp())
    for forged in (
        jwt_with_claims(alice.token, exp=past),
        jwt_with_claims(alice.token, exp=int(far_future().timestamp())),
    ):
        client = ChatClient(emulator.endpoint, CommunicationTokenCredential(forged), **CLIENT_KWARGS)
        with client:
            with pytest.raises(ClientAuthenticationError) as info:
                thread_client(client, thread_id).get_properties()
        assert info.value.status_code == 401
        assert info.value.model is not None, "401 without a CommunicationErrorResponse body"


# --------------------------------------------------------------------------------------------
# Wire details the SDK leaves to the service
# --------------------------------------------------------------------------------------------


def test_non_ascii_text_round_trips(chat_client_for: ClientFor, alice: User, bob: User) -> None:
    client = chat_client_for(alice)
    topic = "Café ☕ – 会議 🚀"
    chat = new_thread(client, topic, participant(alice, "Zoë Ångström"), participant(bob, "Бob"))
    assert chat.get_properties().topic == topic

    content = 'Grüße, 世界! 👋🏽 <not html> & "quotes" \\ backslash\nnew line'
    sent = chat.send_message(content, sender_display_name="Zoë", metadata={"clé": "välue ✓"})
    message = chat.get_message(sent.id)
    assert message.content.message == content
    assert message.sender_display_name == "Zoë"
    assert message.metadata == {"clé": "välue ✓"}
    names = {p.identifier.raw_id: p.display_name for p in chat.list_participants()}
    assert names == {alice.id: "Zoë Ångström", bob.id: "Бob"}


@pytest.mark.parametrize("api_version", ["2021-09-07", "2023-11-07", "2024-03-07"])
def test_api_versions_selectable_in_the_sdk(
    emulator: Emulator, alice: User, bob: User, api_version: str
) -> None:
    # `api_version` is a documented client kwarg; these versions share 1.2.0's wire shapes.
    kwargs = dict(CLIENT_KWARGS, api_version=api_version)
    with ChatClient(emulator.endpoint, CommunicationTokenCredential(alice.token), **kwargs) as client:
        created = client.create_chat_thread(api_version, thread_participants=[participant(alice)])
        assert created.errors == []
        with client.get_chat_thread_client(created.chat_thread.id, **kwargs) as chat:
            sent = chat.send_message("versioned", metadata={"v": api_version})
            assert chat.add_participants([participant(bob)]) == []
            message = chat.get_message(sent.id)
            assert message.content.message == "versioned"
            assert message.metadata == {"v": api_version}
            pages = pages_of(chat.list_messages(results_per_page=1))
            assert len(pages) >= 2 and all(len(page) <= 1 for page in pages)
        assert created.chat_thread.id in ids_of(client.list_chat_threads())


def test_share_history_time_limits_what_a_new_member_sees(
    chat_client_for: ClientFor, alice: User, bob: User, carol: User
) -> None:
    chat = new_thread(chat_client_for(alice), "history", participant(alice))
    old = chat.send_message("before they joined").id
    # Far from "now" on both sides, so no clock granularity can blur the outcome.
    assert chat.add_participants([participant(bob, "Bob", share_history_time=long_ago())]) == []
    assert chat.add_participants([participant(carol, "Carol", share_history_time=far_future())]) == []
    new = chat.send_message("after they joined").id

    def seen_by(user: User) -> List[str]:
        return ids_of(
            text_messages(list(thread_client(chat_client_for(user), chat.thread_id).list_messages()))
        )

    assert sorted(seen_by(alice)) == sorted([old, new])
    assert sorted(seen_by(bob)) == sorted([old, new]), "history shared from long ago hides nothing"
    assert seen_by(carol) == [], "history shared only from the future shows nothing yet"


def test_thread_item_tracks_last_message_time(chat_client_for: ClientFor, alice: User) -> None:
    client = chat_client_for(alice)
    chat = new_thread(client, "busy", participant(alice))
    message = chat.get_message(chat.send_message("latest").id)

    items = [item for item in client.list_chat_threads() if item.id == chat.thread_id]
    assert len(items) == 1
    last = items[0].last_message_received_on
    assert_aware(last, "last_message_received_on")
    # The service reports it to the second, so allow the message's sub-second part.
    assert last >= message.created_on - timedelta(seconds=1), f"{last} is before the last message"


def test_endpoint_spellings_users_copy_from_the_portal(emulator: Emulator, alice: User) -> None:
    # The portal shows the endpoint with a trailing slash, and the SDK prepends https:// to a
    # bare host:port; both must reach the same service.
    bare = emulator.endpoint.split("://", 1)[1]
    for endpoint in (emulator.endpoint + "/", bare):
        credential = CommunicationTokenCredential(alice.token)
        with ChatClient(endpoint, credential, **CLIENT_KWARGS) as client:
            thread_id = client.create_chat_thread(f"via {endpoint}").chat_thread.id
            with client.get_chat_thread_client(thread_id, **CLIENT_KWARGS) as chat:
                assert chat.get_properties().topic == f"via {endpoint}"
                assert list(chat.list_messages(results_per_page=1))
