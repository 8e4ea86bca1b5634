"""Run a command against a freshly started local emulator, then stop the emulator.

Usage: python scripts/with_emulator.py [--plain-http] -- COMMAND [ARGS...]

The emulator runs with ``--tls --in-memory --listen 127.0.0.1:0`` (TLS by default because the official
SDKs force https). The command gets these environment variables:

- ``ACS_CONNECTION_STRING``: ``endpoint=https://127.0.0.1:<port>;accesskey=<key>`` (a secret: not printed);
- ``ACS_ENDPOINT``: the endpoint alone;
- ``REQUESTS_CA_BUNDLE`` and ``SSL_CERT_FILE``: the emulator's CA certificate, so `requests` (sync SDK)
  and `ssl`'s default context (aiohttp, async SDK) trust it.

The emulator is stopped whatever happens (command failure, Ctrl-C); the exit status is the command's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from emulator_process import EmulatorError, EmulatorProcess


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plain-http", action="store_true", help="start the emulator without --tls")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run (after --)")
    opts = parser.parse_args(argv)
    command = opts.command[1:] if opts.command[:1] == ["--"] else opts.command
    if not command:
        parser.error("no command given (usage: with_emulator.py -- COMMAND [ARGS...])")

    emulator = EmulatorProcess(tls=not opts.plain_http)
    try:
        info = emulator.start()
    except EmulatorError as exc:
        print(f"with_emulator: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"with_emulator: emulator listening at {info.endpoint}", file=sys.stderr)
        env = dict(os.environ)
        env["ACS_CONNECTION_STRING"] = info.connection_string
        env["ACS_ENDPOINT"] = info.endpoint
        if info.ca_cert_path:
            env["REQUESTS_CA_BUNDLE"] = info.ca_cert_path
            env["SSL_CERT_FILE"] = info.ca_cert_path
        try:
            code = subprocess.call(command, env=env)
        except FileNotFoundError:
            print(f"with_emulator: command not found: {command[0]}", file=sys.stderr)
            return 127
        except KeyboardInterrupt:
            return 130
        if code != 0:
            tail = emulator.log_tail()
            if tail:
                print(f"with_emulator: command exited with {code}; emulator log tail:\n{tail}", file=sys.stderr)
        return code
    finally:
        status = emulator.stop()
        print(f"with_emulator: emulator stopped (exit status {status})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
