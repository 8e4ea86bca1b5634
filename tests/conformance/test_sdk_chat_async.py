"""Every aio ChatClient / ChatThreadClient operation of azure-communication-chat 1.2.0.

Mirrors test_sdk_chat_sync.py through ``azure.communication.chat.aio`` (aiohttp transport), so
the emulator is exercised by a second HTTP stack with its own TLS and encoding quirks. In the
aio package the ``list_*`` methods and ``get_chat_thread_client`` are plain methods returning
``AsyncItemPaged`` / a client; everything else is a coroutine.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import AsyncIterator, Callable, List

import pytest
import pytest_asyncio
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
)

from azure.communication.chat import (
    ChatError,
    ChatMessage,
    ChatMessageReadReceipt,
    ChatMessageType,
    ChatParticipant,
    ChatThreadItem,
    ChatThreadProperties,
    CommunicationUserIdentifier,
    CreateChatThreadResult,
    SendChatMessageResult,
)
from azure.communication.chat.aio import ChatClient, ChatThreadClient, CommunicationTokenCredential

from sdk_support import (
    ASYNC_CLIENT_KWARGS,
    UNKNOWN_THREAD_ID,
    Emulator,
    User,
    assert_aware,
    assert_user,
    async_list,
    async_pages_of,
    far_future,
    ids_of,
    jwt_with_claims,
    long_ago,
    participant,
    participant_ids,
    utc_now,
)

ClientFor = Callable[[User], ChatClient]

pytestmark = pytest.mark.asyncio


# Every thread client owns its own pipeline and aiohttp session; they are closed after each test
# (an unclosed aiohttp session would only warn at garbage collection).
_opened: List[ChatThreadClient] = []


@pytest_asyncio.fixture(autouse=True)
async def _close_thread_clients() -> AsyncIterator[None]:
    yield
    while _opened:
        await _opened.pop().close()


def thread_client(client: ChatClient, thread_id: str) -> ChatThreadClient:
    # get_chat_thread_client does not inherit the ChatClient's kwargs (1.2.0 behaviour).
    opened = client.get_chat_thread_client(thread_id, **ASYNC_CLIENT_KWARGS)
    _opened.append(opened)
    return opened


async def new_thread(client: ChatClient, topic: str, *participants: ChatParticipant) -> ChatThreadClient:
    result = await client.create_chat_thread(topic, thread_participants=list(participants))
    assert result.errors == [], f"unexpected invalid participants: {result.errors}"
    return thread_client(client, result.chat_thread.id)


def text_messages(messages: List[ChatMessage]) -> List[ChatMessage]:
    return [m for m in messages if m.type in (ChatMessageType.TEXT, ChatMessageType.HTML)]


def system_messages(messages: List[ChatMessage], kind: ChatMessageType) -> List[ChatMessage]:
    return [m for m in messages if m.type == kind]


def unknown_user_id(known: User) -> str:
    resource = known.id.rsplit("_", 1)[0]
    return f"{resource}_{uuid.uuid4()}"


# --------------------------------------------------------------------------------------------
# ChatClient
# --------------------------------------------------------------------------------------------


async def test_create_chat_thread(async_chat_client_for: ClientFor, alice: User, bob: User) -> None:
    client = async_chat_client_for(alice)
    shared_from = utc_now() - timedelta(hours=1)
    result = await client.create_chat_thread(
        "async topic",
        thread_participants=[
            participant(alice, "Alice"),
            participant(bob, "Bob", share_history_time=shared_from),
        ],
    )
    assert isinstance(result, CreateChatThreadResult)
    assert result.errors == []
    thread = result.chat_thread
    assert isinstance(thread, ChatThreadProperties)
    assert thread.id.startswith("19:") and thread.id.endswith("@thread.v2"), thread.id
    assert thread.topic == "async topic"
    assert_aware(thread.created_on, "chat_thread.created_on")
    assert_user(thread.created_by, alice, "chat_thread.created_by")

    members = await async_list(thread_client(client, thread.id).list_participants())
    by_id = {p.identifier.raw_id: p for p in members}
    assert set(by_id) == {alice.id, bob.id}
    assert by_id[bob.id].display_name == "Bob"
    assert_aware(by_id[bob.id].share_history_time, "share_history_time")
    assert abs((by_id[bob.id].share_history_time - shared_from).total_seconds()) < 1.0


async def test_create_chat_thread_idempotency_token(async_chat_client_for: ClientFor, alice: User) -> None:
    client = async_chat_client_for(alice)
    token = str(uuid.uuid4())
    first = await client.create_chat_thread("idem", idempotency_token=token)
    again = await client.create_chat_thread("idem", idempotency_token=token)
    other = await client.create_chat_thread("idem", idempotency_token=str(uuid.uuid4()))
    assert again.chat_thread.id == first.chat_thread.id
    assert other.chat_thread.id != first.chat_thread.id
    listed = ids_of(await async_list(client.list_chat_threads()))
    assert sorted(listed) == sorted([first.chat_thread.id, other.chat_thread.id])


async def test_create_chat_thread_unknown_participant(async_chat_client_for: ClientFor, alice: User) -> None:
    client = async_chat_client_for(alice)
    ghost_id = unknown_user_id(alice)
    ghost = ChatParticipant(identifier=CommunicationUserIdentifier(ghost_id))
    result = await client.create_chat_thread("ghost", thread_participants=[participant(alice), ghost])
    assert len(result.errors) == 1, result.errors
    failed, error = result.errors[0]
    assert failed is ghost
    assert isinstance(error, ChatError) and error.target == ghost_id


async def test_list_chat_threads_paging_resume_and_start_time(
    async_chat_client_for: ClientFor, alice: User
) -> None:
    client = async_chat_client_for(alice)
    created = [(await client.create_chat_thread(f"thread {i}")).chat_thread.id for i in range(5)]

    pages = await async_pages_of(client.list_chat_threads(results_per_page=2))
    assert all(len(page) <= 2 for page in pages) and len(pages) >= 3, [len(p) for p in pages]
    items = [item for page in pages for item in page]
    assert sorted(ids_of(items)) == sorted(created)
    assert all(isinstance(item, ChatThreadItem) for item in items)

    pager = client.list_chat_threads(results_per_page=2).by_page()
    first_page = ids_of(await async_list(await pager.__anext__()))
    token = pager.continuation_token
    assert isinstance(token, str) and token
    rest = await async_pages_of(client.list_chat_threads(), continuation_token=token)
    resumed = first_page + ids_of(item for page in rest for item in page)
    assert len(resumed) == len(set(resumed)), resumed
    assert sorted(resumed) == sorted(created)

    recent = await async_list(client.list_chat_threads(results_per_page=5, start_time=long_ago()))
    assert sorted(ids_of(recent)) == sorted(created)
    assert await async_list(client.list_chat_threads(start_time=far_future())) == []


async def test_delete_chat_thread(async_chat_client_for: ClientFor, alice: User) -> None:
    client = async_chat_client_for(alice)
    thread_id = (await client.create_chat_thread("to delete")).chat_thread.id
    assert await client.delete_chat_thread(thread_id) is None
    with pytest.raises(ResourceNotFoundError):
        await thread_client(client, thread_id).get_properties()


async def test_async_context_managers(emulator: Emulator, alice: User) -> None:
    kwargs = ASYNC_CLIENT_KWARGS
    async with ChatClient(emulator.endpoint, CommunicationTokenCredential(alice.token), **kwargs) as client:
        thread_id = (await client.create_chat_thread("ctx")).chat_thread.id
        bound = client.get_chat_thread_client(thread_id, **kwargs)
        assert isinstance(bound, ChatThreadClient) and bound.thread_id == thread_id
        async with bound:
            assert (await bound.get_properties()).topic == "ctx"
    direct = ChatThreadClient(
        emulator.endpoint, CommunicationTokenCredential(alice.token), thread_id, **kwargs
    )
    async with direct:
        assert (await direct.get_properties()).id == thread_id


# --------------------------------------------------------------------------------------------
# ChatThreadClient
# --------------------------------------------------------------------------------------------


async def test_get_properties_and_update_topic(async_chat_client_for: ClientFor, alice: User) -> None:
    chat = await new_thread(async_chat_client_for(alice), "before", participant(alice))
    props = await chat.get_properties()
    assert isinstance(props, ChatThreadProperties) and props.topic == "before"
    assert_user(props.created_by, alice, "created_by")

    assert await chat.update_topic(topic="after") is None
    assert (await chat.get_properties()).topic == "after"
    assert await chat.update_topic() is None
    assert (await chat.get_properties()).topic == "after"

    updates = system_messages(await async_list(chat.list_messages()), ChatMessageType.TOPIC_UPDATED)
    latest = [m for m in updates if m.content and m.content.topic == "after"]
    assert latest, "no topicUpdated system message with topic 'after'"
    assert_user(latest[0].content.initiator, alice, "topicUpdated initiator")


async def test_send_get_update_delete_message(async_chat_client_for: ClientFor, alice: User) -> None:
    chat = await new_thread(async_chat_client_for(alice), "messages", participant(alice))

    sent = await chat.send_message(
        "<p>hi</p>", chat_message_type="html", sender_display_name="Alice", metadata={"a": "1", "b": "2"}
    )
    assert isinstance(sent, SendChatMessageResult) and sent.id
    message = await chat.get_message(sent.id)
    assert isinstance(message, ChatMessage)
    assert message.type is ChatMessageType.HTML
    assert message.content.message == "<p>hi</p>"
    assert message.sender_display_name == "Alice"
    assert message.metadata == {"a": "1", "b": "2"}
    assert isinstance(message.sequence_id, str) and isinstance(message.version, str)
    assert_aware(message.created_on, "created_on")
    assert_user(message.sender, alice, "sender")
    assert message.edited_on is None and message.deleted_on is None

    assert await chat.update_message(sent.id, content="<p>bye</p>", metadata={"a": None, "c": "3"}) is None
    edited = await chat.get_message(sent.id)
    assert edited.content.message == "<p>bye</p>"
    assert edited.metadata == {"b": "2", "c": "3"}
    assert_aware(edited.edited_on, "edited_on")

    plain = await chat.get_message((await chat.send_message("plain")).id)
    assert plain.type is ChatMessageType.TEXT and plain.metadata is None

    assert await chat.delete_message(sent.id) is None
    try:
        gone = await chat.get_message(sent.id)
    except ResourceNotFoundError:
        pass
    else:
        assert_aware(gone.deleted_on, "deleted_on")


async def test_list_messages_paging_and_start_time(async_chat_client_for: ClientFor, alice: User) -> None:
    chat = await new_thread(async_chat_client_for(alice), "paging", participant(alice))
    sent = [(await chat.send_message(f"m{i}")).id for i in range(3)]

    pages = await async_pages_of(chat.list_messages(results_per_page=1))
    assert all(len(page) <= 1 for page in pages)
    messages = [m for page in pages for m in page]
    assert ids_of(text_messages(messages)) == list(reversed(sent))
    sequence = [int(m.sequence_id) for m in messages]
    assert sequence == sorted(sequence, reverse=True), sequence

    pivot = await chat.get_message(sent[1])
    since = await async_list(chat.list_messages(results_per_page=2, start_time=pivot.created_on))
    assert {pivot.id, sent[2]} <= set(ids_of(since))
    assert all(m.created_on >= pivot.created_on for m in since)
    assert await async_list(chat.list_messages(start_time=far_future())) == []


async def test_participants(async_chat_client_for: ClientFor, alice: User, bob: User, carol: User) -> None:
    chat = await new_thread(async_chat_client_for(alice), "members", participant(alice, "Alice"))

    assert await chat.add_participants([participant(bob, "Bob"), participant(carol, "Carol")]) == []
    everyone = await async_list(chat.list_participants())
    assert sorted(participant_ids(everyone)) == sorted([alice.id, bob.id, carol.id])

    pages = await async_pages_of(chat.list_participants(results_per_page=2))
    assert [len(page) for page in pages] == [2, 1]
    skipped = await async_list(chat.list_participants(skip=1))
    assert participant_ids(skipped) == participant_ids(everyone)[1:]

    ghost_id = unknown_user_id(alice)
    ghost = ChatParticipant(identifier=CommunicationUserIdentifier(ghost_id))
    failures = await chat.add_participants([ghost])
    assert len(failures) == 1 and failures[0][0] is ghost
    assert isinstance(failures[0][1], ChatError) and failures[0][1].target == ghost_id

    assert await chat.remove_participant(carol.identifier) is None
    remaining = participant_ids(await async_list(chat.list_participants()))
    assert sorted(remaining) == sorted([alice.id, bob.id])

    messages = await async_list(chat.list_messages())
    added = system_messages(messages, ChatMessageType.PARTICIPANT_ADDED)
    assert any(bob.id in participant_ids(m.content.participants) for m in added), (
        "no participantAdded for bob"
    )
    removed = system_messages(messages, ChatMessageType.PARTICIPANT_REMOVED)
    assert any(carol.id in participant_ids(m.content.participants) for m in removed), (
        "no participantRemoved for carol"
    )


async def test_typing_and_read_receipts(async_chat_client_for: ClientFor, alice: User, bob: User) -> None:
    chat = await new_thread(async_chat_client_for(alice), "events", participant(alice), participant(bob))
    assert await chat.send_typing_notification() is None
    assert await chat.send_typing_notification(sender_display_name="Alice") is None

    first = (await chat.send_message("first")).id
    second = (await chat.send_message("second")).id
    bob_chat = thread_client(async_chat_client_for(bob), chat.thread_id)
    assert await bob_chat.send_read_receipt(first) is None
    assert await chat.send_read_receipt(second) is None

    receipts = await async_list(chat.list_read_receipts())
    by_sender = {r.sender.raw_id: r for r in receipts}
    assert set(by_sender) == {alice.id, bob.id}
    assert all(isinstance(r, ChatMessageReadReceipt) for r in receipts)
    assert by_sender[bob.id].chat_message_id == first
    assert by_sender[alice.id].chat_message_id == second
    assert_aware(by_sender[bob.id].read_on, "read_on")

    pages = await async_pages_of(chat.list_read_receipts(results_per_page=1))
    assert [len(page) for page in pages] == [1, 1]
    assert len(await async_list(chat.list_read_receipts(results_per_page=5, skip=1))) == 1


# --------------------------------------------------------------------------------------------
# Error paths
# --------------------------------------------------------------------------------------------


async def test_unknown_thread_and_non_participant(
    async_chat_client_for: ClientFor, alice: User, bob: User
) -> None:
    client = async_chat_client_for(alice)
    with pytest.raises(ResourceNotFoundError):
        await thread_client(client, UNKNOWN_THREAD_ID).get_properties()
    with pytest.raises(ResourceNotFoundError):
        await async_list(thread_client(client, UNKNOWN_THREAD_ID).list_messages())

    chat = await new_thread(client, "private", participant(alice))
    outsider = thread_client(async_chat_client_for(bob), chat.thread_id)
    with pytest.raises(HttpResponseError) as info:
        await outsider.send_message("let me in")
    assert type(info.value) is HttpResponseError and info.value.status_code == 403
    assert info.value.model is not None


async def test_tampered_token_raises_client_authentication_error(
    emulator: Emulator, async_chat_client_for: ClientFor, alice: User
) -> None:
    thread_id = (await async_chat_client_for(alice).create_chat_thread("auth")).chat_thread.id
    forged = jwt_with_claims(alice.token, exp=int(far_future().timestamp()))
    kwargs = ASYNC_CLIENT_KWARGS
    async with ChatClient(emulator.endpoint, CommunicationTokenCredential(forged), **kwargs) as client:
        with pytest.raises(ClientAuthenticationError) as info:
            await thread_client(client, thread_id).get_properties()
    assert info.value.status_code == 401


async def test_concurrent_sends_get_distinct_ids_and_sequence(
    async_chat_client_for: ClientFor, alice: User
) -> None:
    chat = await new_thread(async_chat_client_for(alice), "burst", participant(alice))
    results = await asyncio.gather(*(chat.send_message(f"burst {i}") for i in range(20)))
    sent = [r.id for r in results]
    assert len(set(sent)) == 20, "two concurrent sends got the same message id"

    listed = text_messages(await async_list(chat.list_messages(results_per_page=7)))
    assert sorted(ids_of(listed)) == sorted(sent)
    assert sorted(m.content.message for m in listed) == sorted(f"burst {i}" for i in range(20))
    sequence = [int(m.sequence_id) for m in listed]
    assert len(set(sequence)) == 20 and sequence == sorted(sequence, reverse=True), sequence
