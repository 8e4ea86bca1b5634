"""Start and stop a local `acs-chat-emulator` process and read its startup line.

The emulator prints one JSON object as its first stdout line:
``{"endpoint": ..., "connection_string": ..., "ca_cert": ...}`` and then serves until SIGINT/SIGTERM.
`EmulatorProcess` wraps that contract for scripts and tests: it starts the binary, waits (bounded) for the
line, keeps draining the pipes so the emulator never blocks on a full pipe, and always stops the process
on exit (SIGTERM, then SIGKILL if it does not stop in time).

The connection string holds the access key: it is a secret, so `EmulatorProcess` never prints it and
its repr shows only the endpoint.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Optional, Sequence

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Seconds to wait for the startup line. Generous: a cold start on a loaded 2-core machine includes
#: generating a TLS certificate.
STARTUP_TIMEOUT_S = 30.0
#: Seconds to wait for a graceful exit after SIGTERM before SIGKILL.
SHUTDOWN_TIMEOUT_S = 10.0


class EmulatorError(RuntimeError):
    """The emulator could not be started, or its startup line broke the contract."""


def default_binary() -> Path:
    """The emulator binary: `$ACS_EMULATOR_BIN`, else `<repo>/target/debug/acs-chat-emulator`."""
    override = os.environ.get("ACS_EMULATOR_BIN")
    if override:
        return Path(override)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO_ROOT / "target"))
    return target / "debug" / "acs-chat-emulator"


@dataclass
class StartupInfo:
    """The emulator's first stdout line, parsed."""

    endpoint: str
    #: ``endpoint=...;accesskey=...`` (holds the access key: a secret).
    connection_string: str = field(repr=False)
    #: Path of a PEM file with the CA that signed the emulator's TLS certificate; None without --tls.
    ca_cert_path: Optional[str]

    @property
    def access_key_b64(self) -> str:
        """The base64 access key from the connection string."""
        return parse_connection_string(self.connection_string)[1]


def parse_connection_string(connection_string: str) -> tuple[str, str]:
    """Returns ``(endpoint, base64 access key)`` of an ACS connection string.

    Keys are matched case-insensitively and each element is split on its first ``=`` only, as the
    official SDKs do, so the key's base64 padding survives. Raises ValueError naming the missing part
    (never echoing the string, which holds the key).
    """
    parts: dict[str, str] = {}
    for element in connection_string.split(";"):
        if not element.strip():
            continue
        name, sep, value = element.partition("=")
        if not sep:
            raise ValueError("connection string element without '=' (expected endpoint=...;accesskey=...)")
        parts[name.strip().lower()] = value.strip()
    endpoint = parts.get("endpoint")
    key = parts.get("accesskey")
    if not endpoint:
        raise ValueError("connection string has no 'endpoint=' element")
    if not key:
        raise ValueError("connection string has no 'accesskey=' element")
    return endpoint.rstrip("/"), key


def _parse_startup_line(line: str, workdir: Path) -> StartupInfo:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        # The line is not JSON, so it is not the connection string either: safe to show a prefix.
        raise EmulatorError(f"first stdout line is not JSON ({exc}): {line[:200]!r}") from None
    if not isinstance(obj, dict):
        raise EmulatorError(f"first stdout line is JSON but not an object (got {type(obj).__name__})")
    for key in ("endpoint", "connection_string"):
        if not isinstance(obj.get(key), str) or not obj[key]:
            raise EmulatorError(f"startup line has no string field {key!r} (fields: {sorted(obj)})")
    ca = obj.get("ca_cert")
    ca_path: Optional[str] = None
    if isinstance(ca, str) and ca:
        if ca.lstrip().startswith("-----BEGIN"):
            # PEM text inline: give clients a file, which is what REQUESTS_CA_BUNDLE/SSL_CERT_FILE want.
            pem = workdir / "emulator-ca.pem"
            pem.write_text(ca)
            ca_path = str(pem)
        elif Path(ca).is_file():
            ca_path = ca
        else:
            raise EmulatorError(f"startup line ca_cert is neither PEM text nor an existing file: {ca[:200]!r}")
    return StartupInfo(endpoint=obj["endpoint"].rstrip("/"), connection_string=obj["connection_string"],
                       ca_cert_path=ca_path)


class EmulatorProcess:
    """A running emulator; use as a context manager so it is always stopped.

    Not thread-safe: one owner starts and stops it. The emulator's stderr goes to a log file in a private
    temporary directory (see `log_path`/`log_tail`), so failures can show what the emulator said.
    """

    def __init__(self, binary: Optional[Path] = None, *, tls: bool = False,
                 extra_args: Sequence[str] = (), startup_timeout_s: float = STARTUP_TIMEOUT_S) -> None:
        self.binary = Path(binary) if binary else default_binary()
        self.tls = tls
        self.extra_args = list(extra_args)
        self.startup_timeout_s = startup_timeout_s
        self.info: Optional[StartupInfo] = None
        self._proc: Optional[subprocess.Popen[str]] = None
        self._tmp: Optional[tempfile.TemporaryDirectory[str]] = None
        self._log: Optional[IO[str]] = None

    def __repr__(self) -> str:
        endpoint = self.info.endpoint if self.info else None
        return f"EmulatorProcess(binary={str(self.binary)!r}, tls={self.tls}, endpoint={endpoint!r})"

    @property
    def args(self) -> list[str]:
        """The full command line (no secrets: the access key is not passed on it)."""
        args = [str(self.binary), "--listen", "127.0.0.1:0", "--in-memory"]
        if self.tls:
            args.append("--tls")
        return args + self.extra_args

    @property
    def log_path(self) -> Optional[Path]:
        """Where the emulator's stderr goes (inside a temporary directory removed by `stop`)."""
        return Path(self._tmp.name) / "emulator.log" if self._tmp else None

    def log_tail(self, max_chars: int = 4000) -> str:
        """The last `max_chars` characters of the emulator's stderr, for error messages."""
        path = self.log_path
        if not path or not path.exists():
            return ""
        text = path.read_text(errors="replace")
        return text[-max_chars:]

    def start(self) -> StartupInfo:
        """Starts the emulator and returns its startup line; raises EmulatorError with the log on failure."""
        if not self.binary.is_file():
            raise EmulatorError(f"emulator binary not found at {self.binary}; build it with "
                                "`cargo build -p acs-chat-emulator` (or set ACS_EMULATOR_BIN)")
        self._tmp = tempfile.TemporaryDirectory(prefix="acs-emulator-")
        self._log = open(Path(self._tmp.name) / "emulator.log", "w", encoding="utf-8")
        self._proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=self._log, text=True, bufsize=1)
        lines: "queue.Queue[Optional[str]]" = queue.Queue()
        assert self._proc.stdout is not None
        threading.Thread(target=_pump_stdout, args=(self._proc.stdout, lines), daemon=True,
                         name="emulator-stdout").start()
        try:
            first = lines.get(timeout=self.startup_timeout_s)
        except queue.Empty:
            self.stop()
            raise EmulatorError(f"emulator printed no startup line within {self.startup_timeout_s:.0f} s "
                                f"({' '.join(self.args)})") from None
        if first is None:
            code = self._proc.wait()
            tail = self.log_tail()
            self.stop()
            raise EmulatorError(f"emulator exited with status {code} before printing its startup line "
                                f"({' '.join(self.args)}); its stderr ends with:\n{tail}")
        try:
            self.info = _parse_startup_line(first.strip(), Path(self._tmp.name))
        except EmulatorError:
            self.stop()
            raise
        if self.tls and not self.info.ca_cert_path:
            self.stop()
            raise EmulatorError("emulator started with --tls but its startup line has no ca_cert")
        return self.info

    def stop(self) -> Optional[int]:
        """Stops the emulator (SIGTERM, then SIGKILL after a timeout); returns its exit status. Idempotent."""
        code = None
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=SHUTDOWN_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            code = proc.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None
        return code

    def __enter__(self) -> "EmulatorProcess":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _pump_stdout(stream: IO[str], lines: "queue.Queue[Optional[str]]") -> None:
    # Only the first line matters; the rest is read and dropped so the emulator never blocks on a
    # full pipe. None marks end of stream (the process exited or closed stdout).
    first = True
    for line in stream:
        if first:
            lines.put(line)
            first = False
    if first:
        lines.put(None)
