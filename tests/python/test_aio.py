"""acs_chat.aio against the emulator: every coroutine, async paging, cancellation, 200 concurrent sends."""

import asyncio
import time
from typing import Any, List

import pytest

import acs_chat
from acs_chat import AccessToken, ChatMessageType, ChatParticipant
from acs_chat.aio import ChatClient, ChatThreadClient, CommunicationTokenCredential

from conftest import fake_jwt

pytestmark = pytest.mark.asyncio


async def make_thread(emulator: Any, user: Any) -> "tuple[ChatClient, ChatThreadClient]":
    client = ChatClient(emulator["endpoint"], CommunicationTokenCredential(user[1]))
    created = await client.create_chat_thread(
        "aio", thread_participants=[ChatParticipant(identifier=user[0], display_name="Owner")]
    )
    assert created.errors == []
    return client, client.get_chat_thread_client(created.chat_thread.id)


async def test_every_thread_method(emulator: Any, user: Any, make_user: Any) -> None:
    client, thread = await make_thread(emulator, user)
    async with client, thread:
        await thread.update_topic("renamed")
        assert (await thread.get_properties()).topic == "renamed"
        sent = await thread.send_message("<i>x</i>", chat_message_type="html", sender_display_name="A", metadata={"k": "v"})
        got = await thread.get_message(sent.id)
        assert got.type is ChatMessageType.HTML and got.metadata == {"k": "v"}
        await thread.update_message(sent.id, content="y", metadata={"k": None})
        assert (await thread.get_message(sent.id)).content.message == "y"  # type: ignore[union-attr]
        await thread.send_read_receipt(sent.id)
        assert [r.chat_message_id async for r in thread.list_read_receipts(results_per_page=5, skip=0)] == [sent.id]
        await thread.send_typing_notification(sender_display_name="A")
        other, _ = make_user()
        assert await thread.add_participants([ChatParticipant(identifier=other)]) == []
        assert await thread.add_participants([]) == []
        assert len([p async for p in thread.list_participants(results_per_page=1)]) == 2
        await thread.remove_participant(other)
        assert len([p async for p in thread.list_participants(skip=0)]) == 1
        await thread.delete_message(sent.id)
        assert (await thread.get_message(sent.id)).deleted_on is not None
        await client.delete_chat_thread(thread.thread_id)
        with pytest.raises(acs_chat.ResourceNotFoundError):
            await thread.get_properties()


async def test_validation_is_client_side(emulator: Any, user: Any) -> None:
    client, thread = await make_thread(emulator, user)
    with pytest.raises(ValueError, match=r"^topic cannot be None\.$"):
        await client.create_chat_thread("")
    with pytest.raises(ValueError, match="is not acceptable"):
        await thread.send_message("x", chat_message_type="bogus")
    with pytest.raises(ValueError, match="results_per_page"):
        thread.list_messages(results_per_page=0)
    with pytest.raises(ValueError, match=r"^thread_id cannot be None\.$"):
        client.get_chat_thread_client("")


async def test_async_paging_with_continuation(emulator: Any, user: Any) -> None:
    client, thread = await make_thread(emulator, user)
    ids = [(await thread.send_message("m{}".format(i))).id for i in range(5)]
    texts = [m.id async for m in thread.list_messages(results_per_page=2) if m.type is ChatMessageType.TEXT]
    assert texts == list(reversed(ids))
    pages = thread.list_messages(results_per_page=2).by_page()
    first = [m.id async for m in await pages.__anext__()]
    token = pages.continuation_token
    assert token and len(first) == 2
    rest = [m.id async for page in thread.list_messages().by_page(token) async for m in page]
    assert not set(first) & set(rest) and set(ids) <= set(first) | set(rest)
    threads = [t.id async for t in client.list_chat_threads(results_per_page=1)]
    assert thread.thread_id in threads


async def test_two_hundred_concurrent_sends(emulator: Any, user: Any) -> None:
    _, thread = await make_thread(emulator, user)
    results = await asyncio.gather(*(thread.send_message("c{}".format(i)) for i in range(200)))
    assert len({r.id for r in results}) == 200
    texts = [m async for m in thread.list_messages(results_per_page=200) if m.type is ChatMessageType.TEXT]
    assert len(texts) == 200


async def test_cancellation_cancels_the_request(user: Any) -> None:
    connection_closed = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Never answer; reading to EOF returns once the client drops the connection.
        while await reader.read(65536):
            pass
        connection_closed.set()
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        client = ChatClient("http://127.0.0.1:{}".format(port), CommunicationTokenCredential(user[1]), retry_total=0)
        task = asyncio.ensure_future(client.create_chat_thread("never answered"))
        await asyncio.sleep(0.2)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The engine dropped the request, which closes its connection.
        await asyncio.wait_for(connection_closed.wait(), timeout=10)
    finally:
        server.close()
        await server.wait_closed()


async def test_async_refresher(emulator: Any, identity: Any, user: Any) -> None:
    calls: List[int] = []

    async def refresher() -> AccessToken:
        calls.append(1)
        await asyncio.sleep(0)
        token, expires_on = identity.get_token(user[0].raw_id)
        return AccessToken(token, expires_on)

    cred = CommunicationTokenCredential(fake_jwt(60), token_refresher=refresher)
    client = ChatClient(emulator["endpoint"], cred)
    await client.create_chat_thread("refreshed")
    assert calls == [1]
    assert (await cred.get_token()).expires_on > time.time() + 600


async def test_async_refresher_that_raises(emulator: Any) -> None:
    class Boom(Exception):
        pass

    async def refresher() -> AccessToken:
        raise Boom("nope")

    client = ChatClient(emulator["endpoint"], CommunicationTokenCredential(fake_jwt(30), token_refresher=refresher))
    with pytest.raises(Boom):
        await client.create_chat_thread("never")


async def test_aio_credential_context_and_errors(emulator: Any) -> None:
    async with CommunicationTokenCredential(fake_jwt(3600)) as cred:
        client = ChatClient(emulator["endpoint"], cred)
        with pytest.raises(acs_chat.ClientAuthenticationError):
            await client.create_chat_thread("forged")


async def test_sync_clients_refuse_the_aio_credential(emulator: Any, user: Any) -> None:
    import acs_chat as sync

    with pytest.raises(TypeError, match="acs_chat.CommunicationTokenCredential"):
        sync.ChatClient(emulator["endpoint"], CommunicationTokenCredential(user[1]))
    # The other way round works, as in 1.2.0: aio clients accept the sync credential.
    client = ChatClient(emulator["endpoint"], sync.CommunicationTokenCredential(user[1]))
    assert (await client.create_chat_thread("sync credential")).chat_thread.topic == "sync credential"
