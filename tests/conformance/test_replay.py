"""Acceptance: every real-service recording replays against the emulator with the same answers.

For each ``shared/recordings/test-proxy-2023/*.json`` (api-version 2021-09-07) the requests are sent in
order to a plain-http emulator, with ids mapped as `replay_lib.Replayer` documents; each answer must have
the recorded status code and the same JSON shape as the real service's answer. The helper functions the
replay relies on (HMAC signing, shape comparison, id mapping) are tested first, without an emulator.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

import pytest

try:
    from . import replay_lib  # when tests/conformance is imported as a package
except ImportError:
    import replay_lib

RECORDINGS = replay_lib.recording_files()


# --- helpers, no emulator needed ------------------------------------------------------------------


def test_recordings_are_present() -> None:
    # Without this, a missing shared/ directory would silently parametrize zero replay cases.
    assert len(RECORDINGS) >= 30, (
        f"expected the 36 test-proxy recordings under {replay_lib.shared_dir()}/recordings/test-proxy-2023 "
        f"(set ACS_SHARED_DIR to the shared directory), found {len(RECORDINGS)}")


def test_hmac_signature_matches_reference_vector() -> None:
    # The vector in shared/reference/rest_api.md §7.2, checked there against the SDK's own policy.
    headers = replay_lib.hmac_headers(
        "POST", "/identities?api-version=2023-10-01", "localhost:8443", b"{}",
        "ZW11bGF0b3Itc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWI=", date="Fri, 27 Nov 2026 17:00:00 GMT")
    assert headers["x-ms-content-sha256"] == "RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o="
    assert headers["Authorization"] == (
        "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256"
        "&Signature=IN6PhLmNtARRrYJOSYqsBJMgAe9jjYA76kh9Xj3ii08=")
    assert headers["x-ms-date"] == "Fri, 27 Nov 2026 17:00:00 GMT"


def test_hmac_rejects_bad_key_without_echoing_it() -> None:
    with pytest.raises(ValueError) as info:
        replay_lib.hmac_headers("GET", "/", "h", b"", "not*base64*secret")
    assert "not*base64*secret" not in str(info.value)


def test_shape_diff_accepts_same_shape_with_other_values() -> None:
    recorded = {"chatThread": {"id": "sanitized", "createdOn": "2023-05-26T21:37:42Z",
                               "createdByCommunicationIdentifier": {"rawId": "sanitized"}}, "n": 1}
    actual = {"chatThread": {"id": "19:x@thread.v2", "createdOn": "2026-11-27T17:00:00Z",
                             "createdByCommunicationIdentifier": {"rawId": "8:acs:r_1"}}, "n": 2.5}
    assert replay_lib.shape_diff(recorded, actual) == []


def test_shape_diff_names_missing_extra_and_mistyped_paths() -> None:
    recorded = {"value": [{"id": "a", "topic": "t"}], "flag": True}
    actual = {"value": [{"id": 5, "deletedOn": "x"}], "flag": 1, "nextLink": "http://h/next"}
    diffs = replay_lib.shape_diff(recorded, actual)
    assert "$.value[0].id: expected string, emulator sent number 5" in diffs
    assert any(d.startswith("$.value[0].topic: missing") for d in diffs)
    assert any(d.startswith("$.value[0].deletedOn: not in the recorded answer") for d in diffs)
    assert any(d.startswith("$.nextLink: not in the recorded answer") for d in diffs)
    assert any(d.startswith("$.flag: expected bool, emulator sent number") for d in diffs)
    assert len(diffs) == 5


def test_shape_diff_compares_array_lengths() -> None:
    assert replay_lib.shape_diff({"value": [1]}, {"value": [1, 2]}) == [
        "$.value: recorded 1 items, emulator sent 2"]
    assert replay_lib.shape_diff(None, {}) == ["$: expected null, emulator sent object {}"]


def _recording(tmp_path: Path, entries: list[dict]) -> replay_lib.Recording:
    path = tmp_path / "rec.json"
    path.write_text(json.dumps({"Entries": entries, "Variables": {}}))
    return replay_lib.load_recording(path)


def _entry(method: str, uri: str, body=None, status: int = 200, response=None, headers=None) -> dict:
    return {"RequestUri": "https://sanitized.communication.azure.com" + uri, "RequestMethod": method,
            "RequestHeaders": headers or {}, "RequestBody": body, "StatusCode": status,
            "ResponseHeaders": {}, "ResponseBody": response}


def test_replayer_maps_recorded_ids_to_emulator_ids(tmp_path: Path) -> None:
    rec = _recording(tmp_path, [
        _entry("GET", "/chat/threads/19%3AabC-1_x%40thread.v2/messages/1685151486588?api-version=2021-09-07"),
        _entry("DELETE", "/chat/threads/19:abC-1_x@thread.v2?api-version=2021-09-07"),
        _entry("POST", "/chat/threads/19:abC-1_x@thread.v2/participants/:remove?api-version=2021-09-07",
               body={"rawId": "sanitized", "communicationUser": {"id": "sanitized"}}),
        _entry("POST", "/chat/threads/19:abC-1_x@thread.v2/readReceipts?api-version=2021-09-07",
               body={"chatMessageId": "sanitized"}),
    ])
    replayer = replay_lib.Replayer("http://127.0.0.1:1", "a2V5", rec)
    replayer.users = [replay_lib.User("8:acs:r_0", "t0"), replay_lib.User("8:acs:r_1", "t1")]
    replayer.last_thread, replayer.last_message = "19:emu/1@thread.v2", "42"
    first, second, remove, receipt = rec.entries
    assert replayer._map_target(first) == (
        "/chat/threads/19%3Aemu%2F1%40thread.v2/messages/42?api-version=2021-09-07")
    # Raw style stays raw, and the same recorded thread maps to the same emulator thread.
    replayer.last_thread = "19:other@thread.v2"
    assert replayer._map_target(second) == "/chat/threads/19:emu%2F1@thread.v2?api-version=2021-09-07"
    assert replayer._request_body(remove) == {"rawId": "8:acs:r_1", "communicationUser": {"id": "8:acs:r_1"}}
    assert replayer._request_body(receipt) == {"chatMessageId": "42"}


def test_replayer_refuses_unmapped_placeholders(tmp_path: Path) -> None:
    rec = _recording(tmp_path, [
        _entry("PATCH", "/chat/threads/19:a@thread.v2?api-version=2021-09-07", body={"topic": "sanitized"}),
    ])
    replayer = replay_lib.Replayer("http://127.0.0.1:1", "a2V5", rec)
    replayer.last_thread = "19:e@thread.v2"
    with pytest.raises(replay_lib.ReplayError, match=r"sanitized placeholders at \$\.topic"):
        replayer._request_body(rec.entries[0])


def test_replayer_flags_repeatability_creating_a_second_thread(tmp_path: Path) -> None:
    create = _entry("POST", "/chat/threads?api-version=2021-09-07", body={"topic": "t", "participants": []},
                    status=201, response={"chatThread": {"id": "sanitized"}},
                    headers={"repeatability-request-id": "f63cae87-d259-41db-b556-b7a5ec2e0b14"})
    rec = _recording(tmp_path, [create, create])
    replayer = replay_lib.Replayer("http://127.0.0.1:1", "a2V5", rec)
    assert replayer._learn_ids(rec.entries[0], {"chatThread": {"id": "19:a@thread.v2"}}) == []
    assert replayer._learn_ids(rec.entries[1], {"chatThread": {"id": "19:a@thread.v2"}}) == []
    assert replayer._learn_ids(rec.entries[1], {"chatThread": {"id": "19:b@thread.v2"}}) == [
        "repeatability-request-id sent again, but the emulator created thread 19:b@thread.v2 "
        "instead of returning 19:a@thread.v2"]


def test_users_needed_counts_participants_and_actors() -> None:
    by_name = {p.name: replay_lib.load_recording(p) for p in RECORDINGS}
    receipts = by_name.get("test_chat_thread_client_e2e.pyTestChatThreadClienttest_list_read_receipts.json")
    if receipts is None:
        pytest.fail("the list_read_receipts recording is missing from the shared directory")
    assert replay_lib.users_needed(receipts) == 2
    assert all(replay_lib.users_needed(r) >= 2 for r in by_name.values())


# --- the replay itself ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replay_emulator() -> Iterator[replay_lib.StartupInfo]:
    """One plain-http, in-memory emulator for all replays (each replay mints its own users)."""
    emulator = replay_lib.EmulatorProcess(tls=False)
    try:
        info = emulator.start()
    except replay_lib.EmulatorError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield info
    finally:
        emulator.stop()


@pytest.mark.parametrize("recording_path", RECORDINGS, ids=[p.stem for p in RECORDINGS])
def test_replay_recording(replay_emulator: replay_lib.StartupInfo, recording_path: Path) -> None:
    recording = replay_lib.load_recording(recording_path)
    replayer = replay_lib.Replayer(replay_emulator.endpoint, replay_emulator.access_key_b64, recording)
    try:
        problems = replayer.run()
    except replay_lib.ReplayError as exc:
        problems = [f"the replay could not proceed: {exc}"]
    if problems:
        pytest.fail(f"{recording.name} differs from the real service:\n  " + "\n  ".join(problems),
                    pytrace=False)
