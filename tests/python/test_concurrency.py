"""Sharing: 16 threads on one client; the GIL is released while requests wait."""

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from acs_chat import ChatClient, ChatMessageType, ChatThreadClient


def test_sixteen_threads_share_one_client(client: ChatClient, thread: ChatThreadClient) -> None:
    def work(i: int) -> str:
        for j in range(5):
            thread.send_message("w{}-{}".format(i, j))
        return client.create_chat_thread("from {}".format(i)).chat_thread.id

    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(work, range(16)))
    assert len(set(ids)) == 16
    texts = [m for m in thread.list_messages(results_per_page=200) if m.type is ChatMessageType.TEXT]
    assert len(texts) == 80


def test_gil_is_released_during_requests(thread: ChatThreadClient) -> None:
    # A pure-Python counter keeps running while another thread makes requests: it could not advance if the
    # requests held the GIL for their whole duration.
    stop = threading.Event()
    ticks = [0]

    def count() -> None:
        while not stop.is_set():
            ticks[0] += 1

    def requests() -> None:
        for _ in range(20):
            thread.send_typing_notification()

    counter = threading.Thread(target=count)
    counter.start()
    before = ticks[0]
    requests()
    stop.set()
    counter.join()
    assert ticks[0] > before
