"""Ctrl-C interrupts a blocking call; after os.fork() the child gets a clear error or a working new client."""

import os
import signal
import socket
import sys
import threading
from typing import Any, List

import pytest

from acs_chat import ChatClient, CommunicationTokenCredential


class Interrupted(Exception):
    pass


def test_signal_interrupts_a_blocking_call(user: Any) -> None:
    # A server that accepts connections and never answers, so the request waits until interrupted.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: List[socket.socket] = []
    accepting = threading.Thread(target=lambda: held.append(server.accept()[0]), daemon=True)
    accepting.start()
    port = server.getsockname()[1]

    def on_signal(signum: int, frame: Any) -> None:
        raise Interrupted()

    previous = signal.signal(signal.SIGINT, on_signal)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    try:
        client = ChatClient("http://127.0.0.1:{}".format(port), CommunicationTokenCredential(user[1]), retry_total=0)
        timer.start()
        with pytest.raises(Interrupted):
            client.delete_chat_thread("19:x@thread.v2")
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
        for s in held:
            s.close()
        server.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_fork_child_gets_clear_error_or_new_client(emulator: Any, user: Any, client: ChatClient) -> None:
    client.create_chat_thread("before fork")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        outcome = "ok"
        try:
            try:
                client.create_chat_thread("inherited")
                outcome = "inherited client worked unexpectedly"
            except RuntimeError as e:
                if "fork" not in str(e):
                    outcome = "unclear error: {}".format(e)
            fresh = ChatClient(emulator["endpoint"], CommunicationTokenCredential(user[1]))
            fresh.create_chat_thread("in child")
        except BaseException as e:  # report anything to the parent
            outcome = "child failed: {!r}".format(e)
        os.write(write_end, outcome.encode())
        os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read_end) as f:
        outcome = f.read()
    assert outcome == "ok"
    assert client.create_chat_thread("parent still works").chat_thread.id
