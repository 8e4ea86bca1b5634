"""Profile summary for bench/analysis.md: where a Python client spends its time in the scenario-3 operations.

    profile_py.py OPERATION LIB        (env as driver.py: BENCH_CONNECTION_STRING, BENCH_CA_CERT)

OPERATION is ``send`` (2 s of sequential send_message) or ``list`` (one listing of 10,000 messages); LIB is
``acs_chat`` or ``official``. Prints cProfile's top frames by own time: for acs_chat, time inside the Rust
extension shows as the ``_acs_chat`` method calls (cProfile cannot see below them).
"""

import cProfile
import os
import pstats
import sys
import time

import driver


def main():
    op, lib = sys.argv[1], sys.argv[2]
    ca = os.environ["BENCH_CA_CERT"]
    if op == "list":
        endpoint, token, _, thread = driver.setup(os.environ["BENCH_CONNECTION_STRING"], ca)
    else:
        endpoint, token, thread, _ = driver.setup_send_only(os.environ["BENCH_CONNECTION_STRING"], ca)
    client = driver.thread_client(lib, endpoint, token, thread, ca)
    client.send_message(driver.MESSAGE)
    prof = cProfile.Profile()
    prof.enable()
    if op == "list":
        driver.list_all(client)
    else:
        stop = time.perf_counter() + 2.0
        while time.perf_counter() < stop:
            client.send_message(driver.MESSAGE)
    prof.disable()
    pstats.Stats(prof).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
