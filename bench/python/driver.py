"""Scenario 3 of the bench: Python ``acs_chat`` vs ``azure-communication-chat==1.2.0``, same emulator, same run.

Run by ``acs-chat-bench`` with the bench venv's interpreter:

    driver.py --rounds N --seconds S        (env: BENCH_CONNECTION_STRING, BENCH_CA_CERT)

It creates a user, a thread for sends and a thread of 10,000 messages (through ``acs_chat``, which is set-up,
not measured), then for each round measures both libraries one after the other (the order flips every round so
drift of the shared machine hits both alike) and prints one JSON object of figures per line on stdout. Progress
goes to stderr. Both clients get the same TLS: the emulator's CA through ``connection_verify``.

Memory is the peak resident set size (``VmHWM`` of /proc/self/status) of a fresh interpreter that imports one library and lists
10,000 messages: tracemalloc would miss the Rust engine's allocations, so it would flatter acs_chat.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time

MESSAGE = "benchmark message of a typical length, about sixty bytes"
LISTED = 10_000
PAGE = 200
IN_FLIGHT = 64
LIBS = ("acs_chat", "official")


def log(msg):
    print("bench: python: " + msg, file=sys.stderr, flush=True)


def sync_module(lib):
    if lib == "acs_chat":
        import acs_chat as m
    else:
        import azure.communication.chat as m
    return m


def aio_module(lib):
    if lib == "acs_chat":
        import acs_chat.aio as m
    else:
        import azure.communication.chat.aio as m
    return m


def thread_client(lib, endpoint, token, thread_id, ca):
    m = sync_module(lib)
    return m.ChatThreadClient(endpoint, m.CommunicationTokenCredential(token), thread_id, connection_verify=ca)


def rate(seconds, op, minimum=1):
    """Calls ``op`` until ``seconds`` have passed (at least ``minimum`` times); returns calls per second."""
    start = time.perf_counter()
    n = 0
    while n < minimum or time.perf_counter() - start < seconds:
        op()
        n += 1
    return n / (time.perf_counter() - start)


def list_all(client):
    n = sum(1 for _ in client.list_messages(results_per_page=PAGE))
    if n < LISTED:
        raise RuntimeError("listed {} messages, fewer than {}".format(n, LISTED))


async def aio_rate(lib, endpoint, token, thread_id, ca, seconds):
    m = aio_module(lib)
    async with m.ChatThreadClient(
        endpoint, m.CommunicationTokenCredential(token), thread_id, connection_verify=ca
    ) as client:
        await client.send_message(MESSAGE)
        done = 0
        stop = time.perf_counter() + seconds

        async def worker():
            nonlocal done
            while time.perf_counter() < stop:
                await client.send_message(MESSAGE)
                done += 1

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))
        return done / (time.perf_counter() - start)


IMPORT_SNIPPET = (
    "import time; t = time.perf_counter(); import {}; print(time.perf_counter() - t)"
)
IMPORT_NAME = {"acs_chat": "acs_chat", "official": "azure.communication.chat"}


def import_seconds(lib):
    out = subprocess.run(
        [sys.executable, "-c", IMPORT_SNIPPET.format(IMPORT_NAME[lib])],
        check=True, capture_output=True, text=True,
    )
    return float(out.stdout.strip())


def peak_rss_mib(lib, env_thread):
    out = subprocess.run(
        [sys.executable, __file__, "--memory", lib, "--list-thread", env_thread, "--listed", str(LISTED)],
        check=True, capture_output=True, text=True,
    )
    return float(out.stdout.strip())


def memory_child(lib, list_thread):
    """In a fresh interpreter: import ``lib``, list 10,000 messages, print the peak RSS in MiB."""
    endpoint, token, ca = os.environ["BENCH_ENDPOINT"], os.environ["BENCH_TOKEN"], os.environ["BENCH_CA_CERT"]
    list_all(thread_client(lib, endpoint, token, list_thread, ca))
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec from the forking (large) parent.
    with open("/proc/self/status") as f:
        hwm_kib = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    print(hwm_kib / 1024.0)


def setup_send_only(connection_string, ca):
    """A user and a thread for sends, no listed thread: (endpoint, token, send thread, None)."""
    return _setup(connection_string, ca, fill_listed=False)


def setup(connection_string, ca):
    """A user, a thread for sends and a thread of LISTED messages: (endpoint, token, send, listed)."""
    return _setup(connection_string, ca, fill_listed=True)


def _setup(connection_string, ca, fill_listed):
    import acs_chat
    from acs_chat.identity import CommunicationIdentityClient

    with open(ca) as f:
        pem = f.read()
    identity = CommunicationIdentityClient.from_connection_string(connection_string, extra_root_certificate_pem=pem)
    _, token = identity.create_user_and_token(["chat"])
    endpoint = connection_string.split("endpoint=", 1)[1].split(";", 1)[0]
    chat = acs_chat.ChatClient(endpoint, acs_chat.CommunicationTokenCredential(token.token), connection_verify=ca)
    send_thread = chat.create_chat_thread("bench send").chat_thread.id
    if not fill_listed:
        return endpoint, token.token, send_thread, None
    list_thread = chat.create_chat_thread("bench list").chat_thread.id
    log("filling a thread with {} messages".format(LISTED))

    async def fill():
        import acs_chat.aio as aio

        async with aio.ChatThreadClient(
            endpoint, aio.CommunicationTokenCredential(token.token), list_thread, connection_verify=ca
        ) as c:
            per = LISTED // IN_FLIGHT + 1
            left = [LISTED]

            async def worker():
                for _ in range(per):
                    if left[0] <= 0:
                        return
                    left[0] -= 1
                    await c.send_message(MESSAGE)

            await asyncio.gather(*(worker() for _ in range(IN_FLIGHT)))

    asyncio.run(fill())
    return endpoint, token.token, send_thread, list_thread


def main():
    global LISTED
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--import-runs", type=int, default=15)
    p.add_argument("--listed", type=int, default=LISTED, help="messages in the listed thread (quick mode: fewer)")
    p.add_argument("--memory", choices=LIBS)
    p.add_argument("--list-thread")
    a = p.parse_args()
    LISTED = a.listed
    if a.memory:
        memory_child(a.memory, a.list_thread)
        return
    ca = os.environ["BENCH_CA_CERT"]
    endpoint, token, send_thread, list_thread = setup(os.environ["BENCH_CONNECTION_STRING"], ca)
    # The memory children need the token; the environment keeps it out of the process list.
    os.environ.update(BENCH_ENDPOINT=endpoint, BENCH_TOKEN=token)
    senders = {lib: thread_client(lib, endpoint, token, send_thread, ca) for lib in LIBS}
    listers = {lib: thread_client(lib, endpoint, token, list_thread, ca) for lib in LIBS}
    for c in senders.values():
        c.send_message(MESSAGE)
    for rnd in range(1, a.rounds + 1):
        order = LIBS if rnd % 2 else LIBS[::-1]
        fig = {}
        for lib in order:
            fig[lib + " sync send_message"] = rate(a.seconds, lambda: senders[lib].send_message(MESSAGE))
        log("round {}/{}: sync send {:.0f}/s acs_chat, {:.0f}/s official".format(
            rnd, a.rounds, fig["acs_chat sync send_message"], fig["official sync send_message"]))
        for lib in order:
            fig[lib + " list 10,000 messages"] = rate(a.seconds, lambda: list_all(listers[lib]))
        for lib in order:
            fig[lib + " aio send_message, 64 in flight"] = asyncio.run(
                aio_rate(lib, endpoint, token, send_thread, ca, a.seconds))
        for lib in order:
            runs = [import_seconds(lib) for _ in range(a.import_runs)]
            fig[lib + " import"] = statistics.median(runs) * 1000.0
        for lib in order:
            fig[lib + " peak RSS listing 10,000"] = peak_rss_mib(lib, list_thread)
        log("round {}/{}: ".format(rnd, a.rounds) + ", ".join("{} {:.1f}".format(k, v) for k, v in fig.items()))
        print(json.dumps(fig), flush=True)


if __name__ == "__main__":
    main()
