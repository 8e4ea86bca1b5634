"""Replay real ACS Chat service recordings against the emulator and compare the answers' shapes.

The recordings (``shared/recordings/test-proxy-2023/*.json``, api-version 2021-09-07) were made by the
official Python SDK's end-to-end tests. They are sanitized: user ids, message ids in bodies and tokens
read ``"sanitized"``, the Authorization header is gone, but real thread ids (``19:...@thread.v2``, raw or
percent-encoded) and numeric message ids remain in request URIs. A `Replayer` therefore:

- mints fresh users on the emulator's identity API (HMAC-signed, see `hmac_headers`);
- sends each recorded request in order with a Bearer token, after mapping the recorded thread and
  message ids in the URI to the ids the emulator returned earlier in the same recording, and the
  ``"sanitized"`` identifiers in request bodies to minted users (see `Replayer` for the rules);
- keeps the headers that change behaviour (``repeatability-request-id``, ``Content-Type``), mapping each
  recorded repeatability id to a fresh UUID so repeated runs against one emulator cannot collide;
- compares each answer with the recorded one: same status code, and same JSON shape (`shape_diff`).
"""

from __future__ import annotations

import base64
import copy
import email.utils
import hashlib
import hmac
import json
import os
import re
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from urllib.parse import quote, unquote, urlsplit

import requests

REPO_ROOT = Path(__file__).resolve().parents[2]

# The emulator launcher lives with the make helpers in scripts/ so `make demo` and these tests share it.
if str(REPO_ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
from emulator_process import EmulatorError, EmulatorProcess, StartupInfo  # noqa: E402

__all__ = [
    "EmulatorError", "EmulatorProcess", "StartupInfo", "Recording", "Replayer", "ReplayError", "User",
    "hmac_headers", "json_type", "load_recording", "mint_user", "recording_files", "shape_diff",
    "shared_dir",
]

#: The chat api-version every test-proxy recording uses.
CHAT_API_VERSION = "2021-09-07"
#: The identity api-version of azure-communication-identity 1.5.0.
IDENTITY_API_VERSION = "2023-10-01"
#: What the recorder wrote in place of ids and tokens.
SANITIZED = "sanitized"
#: Per-request timeout, seconds: the emulator is local, so anything slower is a hang.
HTTP_TIMEOUT_S = 30

#: Which minted user sends a request, where it is not the thread creator (user 0), by recording file
#: and entry index. The recorder dropped the Authorization header, so this comes from the upstream
#: test: in test_list_read_receipts the second user sends the third message and its read receipt
#: (which is why the last listings hold two receipts).
ACTING_USER: dict[str, dict[int, int]] = {
    "test_chat_thread_client_e2e.pyTestChatThreadClienttest_list_read_receipts.json": {7: 1, 8: 1},
}

_THREAD_ID_RE = re.compile(r"19(?::|%3A)[^/?#]*?(?:@|%40)thread\.v2", re.IGNORECASE)
_MESSAGE_ID_RE = re.compile(r"(/messages/)([^/?#]+)")


class ReplayError(Exception):
    """The replay itself could not proceed (bad recording, failed setup, unmappable id)."""


def shared_dir() -> Path:
    """The read-only shared material: `$ACS_SHARED_DIR`, else ``<repo>/../shared``."""
    override = os.environ.get("ACS_SHARED_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared"


def recording_files() -> list[Path]:
    """Every test-proxy recording, sorted by name (empty if the directory is missing)."""
    directory = shared_dir() / "recordings" / "test-proxy-2023"
    return sorted(directory.glob("*.json")) if directory.is_dir() else []


# --- HMAC signing (identity API) ------------------------------------------------------------------


def hmac_headers(method: str, path_and_query: str, host: str, body: bytes, access_key_b64: str,
                 date: Optional[str] = None) -> dict[str, str]:
    """The headers of an HMAC-SHA256 signed request, as the official SDKs compute them.

    `path_and_query` is the request target exactly as sent (already percent-encoded), `host` the Host
    header (``127.0.0.1:8443``), `date` an RFC 1123 date (default: now). The key is base64; raises
    ValueError if it is not valid base64 (without echoing it).
    """
    try:
        key = base64.b64decode(access_key_b64, validate=True)
    except ValueError:
        raise ValueError("access key is not valid base64") from None
    date = date or email.utils.formatdate(usegmt=True)
    content_hash = base64.b64encode(hashlib.sha256(body).digest()).decode()
    to_sign = f"{method.upper()}\n{path_and_query}\n{date};{host};{content_hash}"
    signature = base64.b64encode(hmac.new(key, to_sign.encode(), hashlib.sha256).digest()).decode()
    return {
        "x-ms-date": date,
        "x-ms-content-sha256": content_hash,
        "Authorization": f"HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature={signature}",
    }


@dataclass
class User:
    """A minted ACS user. The token is a secret: it is kept out of repr."""

    id: str
    token: str = field(repr=False)

    def identifier(self) -> dict[str, Any]:
        """The wire identifier model the SDK sends for this user."""
        return {"rawId": self.id, "communicationUser": {"id": self.id}}


def mint_user(http: requests.Session, endpoint: str, access_key_b64: str) -> User:
    """Creates a user with a ``chat`` token on the identity API; raises ReplayError on any surprise."""
    path = f"/identities?api-version={IDENTITY_API_VERSION}"
    body = json.dumps({"createTokenWithScopes": ["chat"]}).encode()
    headers = hmac_headers("POST", path, urlsplit(endpoint).netloc, body, access_key_b64)
    headers["Content-Type"] = "application/json"
    resp = http.post(endpoint + path, data=body, headers=headers, timeout=HTTP_TIMEOUT_S)
    if resp.status_code != 201:
        raise ReplayError(f"POST {path} returned {resp.status_code}, expected 201: {resp.text[:300]}")
    try:
        obj = resp.json()
    except ValueError:
        raise ReplayError(f"POST {path}: answer is not JSON: {resp.text[:200]!r}") from None
    try:
        user_id, token = obj["identity"]["id"], obj["accessToken"]["token"]
    except (KeyError, TypeError):
        # Only key names are shown: the body holds a token.
        raise ReplayError(f"POST {path}: answer lacks identity.id or accessToken.token "
                          f"(keys: {sorted(obj) if isinstance(obj, dict) else type(obj).__name__})") from None
    if not isinstance(user_id, str) or not isinstance(token, str):
        raise ReplayError(f"POST {path}: identity.id and accessToken.token must be strings")
    return User(id=user_id, token=token)


# --- JSON shape comparison ------------------------------------------------------------------------


def json_type(value: Any) -> str:
    """The JSON type name of a parsed JSON value (bool is not a number here)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def shape_diff(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Differences in JSON shape between a recorded answer and the emulator's, one line each.

    Same shape means: same JSON type at every position; objects have the same keys; arrays have the same
    length (the recordings come from fresh users, so list sizes are deterministic) and their items
    compare position by position. Values themselves are not compared: a recorded ``"sanitized"`` string
    matches any string.
    """
    etype, atype = json_type(expected), json_type(actual)
    if etype != atype:
        return [f"{path}: expected {etype}, emulator sent {atype} {_short(actual)}"]
    diffs: list[str] = []
    if etype == "object":
        for key in sorted(set(expected) - set(actual)):
            diffs.append(f"{path}.{key}: missing (recorded {json_type(expected[key])} {_short(expected[key])})")
        for key in sorted(set(actual) - set(expected)):
            diffs.append(f"{path}.{key}: not in the recorded answer (emulator sent {_short(actual[key])})")
        for key in sorted(set(expected) & set(actual)):
            diffs.extend(shape_diff(expected[key], actual[key], f"{path}.{key}"))
    elif etype == "array":
        if len(expected) != len(actual):
            diffs.append(f"{path}: recorded {len(expected)} items, emulator sent {len(actual)}")
        for i, (exp_item, act_item) in enumerate(zip(expected, actual)):
            diffs.extend(shape_diff(exp_item, act_item, f"{path}[{i}]"))
    return diffs


def _header(headers: dict[str, str], name: str) -> Optional[str]:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def find_sanitized(value: Any, path: str = "$") -> list[str]:
    """JSON paths under `value` whose string is the sanitizer's placeholder."""
    if value == SANITIZED:
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in find_sanitized(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in find_sanitized(v, f"{path}[{i}]")]
    return []


# --- Recordings -----------------------------------------------------------------------------------


@dataclass
class Entry:
    """One recorded request and the real service's answer."""

    index: int
    method: str
    #: Path and query as recorded (host removed), e.g. ``/chat/threads?api-version=2021-09-07``.
    target: str
    headers: dict[str, str]
    body: Any
    status: int
    response: Any
    response_headers: dict[str, str] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def header(self, name: str) -> Optional[str]:
        """A recorded request header, matched case-insensitively."""
        return _header(self.headers, name)

    def response_header(self, name: str) -> Optional[str]:
        """A recorded response header, matched case-insensitively."""
        return _header(self.response_headers, name)

    def operation(self) -> str:
        """A short name for what the request does, used to map ids."""
        path, method = self.path, self.method
        if method == "POST" and path == "/chat/threads":
            return "create_thread"
        if method == "POST" and path.endswith("/participants/:add"):
            return "add_participants"
        if method == "POST" and path.endswith("/participants/:remove"):
            return "remove_participant"
        if method == "POST" and path.endswith("/readReceipts"):
            return "send_read_receipt"
        if method == "POST" and path.endswith("/messages"):
            return "send_message"
        return "other"

    def describe(self) -> str:
        return f"entry {self.index} ({self.method} {self.target})"


@dataclass
class Recording:
    name: str
    entries: list[Entry]


def load_recording(path: Path) -> Recording:
    """Parses one test-proxy recording; raises ReplayError naming the file and the broken field."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        raw_entries = doc["Entries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReplayError(f"{path.name}: not a test-proxy recording ({exc!r})") from None
    entries = []
    for i, raw in enumerate(raw_entries):
        try:
            uri = urlsplit(raw["RequestUri"])
            target = uri.path + (f"?{uri.query}" if uri.query else "")
            entries.append(Entry(index=i, method=raw["RequestMethod"].upper(), target=target,
                                 headers=dict(raw.get("RequestHeaders") or {}), body=raw.get("RequestBody"),
                                 status=int(raw["StatusCode"]), response=raw.get("ResponseBody"),
                                 response_headers=dict(raw.get("ResponseHeaders") or {})))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ReplayError(f"{path.name}: entry {i} is malformed ({exc!r})") from None
    return Recording(name=path.name, entries=entries)


# --- Replay ---------------------------------------------------------------------------------------


def users_needed(recording: Recording) -> int:
    """How many users the recording's sanitized identifiers and senders stand for (at least 2)."""
    needed = 2
    for entry in recording.entries:
        participants = entry.body.get("participants") if isinstance(entry.body, dict) else None
        if entry.operation() == "create_thread" and isinstance(participants, list):
            needed = max(needed, len(participants))
        elif entry.operation() == "add_participants" and isinstance(participants, list):
            needed = max(needed, 1 + len(participants))
    for user_index in ACTING_USER.get(recording.name, {}).values():
        needed = max(needed, user_index + 1)
    return needed


class Replayer:
    """Replays one recording against one emulator endpoint (plain http). Not thread-safe.

    Identity mapping rules (from the upstream tests that made the recordings):
    - user 0 creates the thread and sends every request unless `ACTING_USER` says otherwise;
    - create-thread participant ``i`` is user ``i`` (the creator lists itself first);
    - add-participants participant ``i`` is user ``1 + i``; remove-participant removes user 1;
    - a read receipt's ``chatMessageId`` is the last message sent in the recording;
    - a recorded thread id in a URI is, when first seen, bound to the last thread the emulator created;
      a recorded message id likewise to the last message the emulator returned.
    """

    def __init__(self, endpoint: str, access_key_b64: str, recording: Recording) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.access_key_b64 = access_key_b64
        self.recording = recording
        self.http = requests.Session()
        # Proxies from the environment must not intercept loopback test traffic.
        self.http.trust_env = False
        self.users: list[User] = []
        self.thread_ids: dict[str, str] = {}
        self.message_ids: dict[str, str] = {}
        self.repeatability_ids: dict[str, str] = {}
        self.threads_by_repeatability_id: dict[str, str] = {}
        self.last_thread: Optional[str] = None
        self.last_message: Optional[str] = None

    def run(self) -> list[str]:
        """Replays every entry in order; returns the differences found (empty when conformant).

        Stops at the first wrong status code, since later requests depend on earlier ones.
        Raises ReplayError if the replay cannot proceed (e.g. user minting fails).
        """
        self.users = [mint_user(self.http, self.endpoint, self.access_key_b64)
                      for _ in range(users_needed(self.recording))]
        problems: list[str] = []
        for entry in self.recording.entries:
            resp = self._send(entry)
            if resp.status_code != entry.status:
                problems.append(f"{entry.describe()}: status {resp.status_code}, recorded {entry.status}; "
                                f"body: {resp.text[:300]}")
                break
            problems.extend(f"{entry.describe()}: {d}" for d in self._compare(entry, resp))
        return problems

    def _send(self, entry: Entry) -> requests.Response:
        actor = self.users[ACTING_USER.get(self.recording.name, {}).get(entry.index, 0)]
        headers = {"Authorization": f"Bearer {actor.token}", "Accept": "application/json"}
        recorded_repeatability = entry.header("repeatability-request-id")
        if recorded_repeatability:
            headers["repeatability-request-id"] = self.repeatability_ids.setdefault(
                recorded_repeatability, str(uuid.uuid4()))
        data = None
        if entry.body is not None:
            data = json.dumps(self._request_body(entry)).encode()
            headers["Content-Type"] = entry.header("Content-Type") or "application/json"
        url = self.endpoint + self._map_target(entry)
        try:
            return self.http.request(entry.method, url, data=data, headers=headers, timeout=HTTP_TIMEOUT_S)
        except requests.RequestException as exc:
            raise ReplayError(f"{entry.describe()}: request failed: {exc}") from None

    def _map_target(self, entry: Entry) -> str:
        def thread(match: re.Match[str]) -> str:
            recorded = unquote(match.group(0))
            if recorded not in self.thread_ids:
                if self.last_thread is None:
                    raise ReplayError(f"{entry.describe()}: thread {recorded} used before any thread was created")
                self.thread_ids[recorded] = self.last_thread
            mapped = self.thread_ids[recorded]
            # Keep the recording's encoding style: the async SDK sent raw ':' and '@', the sync one %3A/%40.
            return quote(mapped, safe="") if "%" in match.group(0) else quote(mapped, safe=":@")

        def message(match: re.Match[str]) -> str:
            recorded = unquote(match.group(2))
            if recorded not in self.message_ids:
                if self.last_message is None:
                    raise ReplayError(f"{entry.describe()}: message {recorded} used before any message was sent")
                self.message_ids[recorded] = self.last_message
            return match.group(1) + quote(self.message_ids[recorded], safe="")

        path, sep, query = entry.target.partition("?")
        path = _MESSAGE_ID_RE.sub(message, _THREAD_ID_RE.sub(thread, path))
        return path + sep + query

    def _user_identifier(self, entry: Entry, user_index: int, recorded: Any) -> Any:
        if user_index >= len(self.users):
            raise ReplayError(f"{entry.describe()}: needs user {user_index}, only {len(self.users)} minted")
        if not isinstance(recorded, dict):
            return recorded
        mapped = copy.deepcopy(recorded)
        user = self.users[user_index]
        if mapped.get("rawId") == SANITIZED:
            mapped["rawId"] = user.id
        inner = mapped.get("communicationUser")
        if isinstance(inner, dict) and inner.get("id") == SANITIZED:
            inner["id"] = user.id
        return mapped

    def _request_body(self, entry: Entry) -> Any:
        body = copy.deepcopy(entry.body)
        op = entry.operation()
        if op in ("create_thread", "add_participants") and isinstance(body, dict):
            first_user = 0 if op == "create_thread" else 1
            for i, participant in enumerate(body.get("participants") or []):
                if isinstance(participant, dict):
                    participant["communicationIdentifier"] = self._user_identifier(
                        entry, first_user + i, participant.get("communicationIdentifier"))
        elif op == "remove_participant":
            body = self._user_identifier(entry, 1, body)
        elif op == "send_read_receipt" and isinstance(body, dict) and body.get("chatMessageId") == SANITIZED:
            if self.last_message is None:
                raise ReplayError(f"{entry.describe()}: read receipt before any message was sent")
            body["chatMessageId"] = self.last_message
        leftovers = find_sanitized(body)
        if leftovers:
            raise ReplayError(f"{entry.describe()}: request body still holds sanitized placeholders at "
                              f"{', '.join(leftovers)}; the replay has no rule for them")
        return body

    def _compare(self, entry: Entry, resp: requests.Response) -> list[str]:
        if entry.response is None:
            return [] if not resp.content.strip() else [f"recorded no body, emulator sent {resp.text[:200]!r}"]
        try:
            actual = resp.json()
        except ValueError:
            return [f"recorded a JSON body, emulator sent non-JSON {resp.text[:200]!r}"]
        diffs = []
        recorded_type = entry.response_header("Content-Type") or ""
        actual_type = resp.headers.get("Content-Type", "")
        if recorded_type.startswith("application/json") and not actual_type.startswith("application/json"):
            diffs.append(f"Content-Type {actual_type!r}, recorded {recorded_type!r}")
        diffs.extend(shape_diff(entry.response, actual))
        diffs.extend(self._learn_ids(entry, actual))
        return diffs

    def _learn_ids(self, entry: Entry, actual: Any) -> list[str]:
        """Remembers ids the emulator returned; checks repeatability returns the first thread again."""
        op = entry.operation()
        if op == "create_thread":
            thread = actual.get("chatThread") if isinstance(actual, dict) else None
            thread_id = thread.get("id") if isinstance(thread, dict) else None
            if not isinstance(thread_id, str):
                return ["create-thread answer has no string chatThread.id"]
            self.last_thread = thread_id
            recorded_repeatability = entry.header("repeatability-request-id")
            if recorded_repeatability:
                first = self.threads_by_repeatability_id.setdefault(recorded_repeatability, thread_id)
                if first != thread_id:
                    return [f"repeatability-request-id sent again, but the emulator created thread {thread_id} "
                            f"instead of returning {first}"]
        elif op == "send_message":
            message_id = actual.get("id") if isinstance(actual, dict) else None
            if not isinstance(message_id, str):
                return ["send-message answer has no string id"]
            self.last_message = message_id
        return []
