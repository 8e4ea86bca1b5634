"""Run the python examples of the official azure-communication-chat 1.2.0 README against the emulator.

The README is taken from the 1.2.0 sdist, downloaded from PyPI at test time (never committed).
Its ```python blocks run in document order in one namespace, so ``thread_id``, message ids and
users come only from the README's own flow. The only edits are the placeholder substitutions in
``SUBSTITUTIONS``: the endpoint, the connection string (the README's way to reach identity) and
the one literal token. Blocks that cannot run as written are listed in ``NOT_RUN`` /
``EXPECTED_ERRORS`` with the exact reason; everything else must run without error.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Type

import pytest
from azure.core.exceptions import ResourceNotFoundError

from sdk_support import Emulator

SDIST_REQUIREMENT = "azure-communication-chat==1.2.0"
SDIST_README = "azure-communication-chat-1.2.0/README.md"
PIP_TIMEOUT_S = 300

# Number of ```python blocks in the 1.2.0 README; a different count means the tables below no
# longer describe the document and must be re-derived.
EXPECTED_BLOCKS = 29

# Blocks not executed, keyed by 0-based index, with the first line they must start with (so a
# different README fails loudly instead of skipping the wrong code) and why.
NOT_RUN: Dict[int, Tuple[str, str]] = {
    2: (
        "create_chat_thread_result = chat_client.create_chat_thread(topic)",
        "fragment: uses `topic`, which the README first defines in block 12",
    ),
    3: (
        "create_chat_thread_result = chat_client.create_chat_thread(",
        "fragment: uses `thread_participants` and `idempotency_token`, first defined in block 13",
    ),
    4: (
        "chat_thread_client = chat_client.get_chat_thread_client(thread_id)",
        "fragment: uses `thread_id`, first defined in block 13",
    ),
    5: ("create_chat_thread(topic, **kwargs)", "method signature listing, not code"),
    6: ("update_topic(topic, **kwargs)", "method signature listing, not code"),
    7: ("get_properties(**kwargs)", "method signature listing, not code"),
    8: ("send_message(content, **kwargs)", "method signature listing, not code"),
    9: ("list_participants(**kwargs)", "method signature listing, not code"),
    10: ("send_typing_notification(**kwargs)", "method signature listing, not code"),
    11: ("send_read_receipt(message_id, **kwargs)", "method signature listing, not code"),
}


@dataclass(frozen=True)
class ExpectedError:
    """A block that is run but fails in the README itself, before or without any bad response."""

    first_line: str
    error: Type[BaseException]
    message: str
    why: str


EXPECTED_ERRORS: Dict[int, ExpectedError] = {
    # `update_topic` runs (and is checked below); the next line passes `thread_id` positionally to
    # get_properties(self, **kwargs), a client-side TypeError in 1.2.0, so its assert never runs.
    16: ExpectedError(
        first_line='topic = "new topic"',
        error=TypeError,
        message="positional argument",
        why="README bug: get_properties() takes no positional thread_id",
    ),
    # `new_user` exists only in a commented-out snippet of block 24; the README never defines it.
    25: ExpectedError(
        first_line="chat_thread_client.remove_participant(identifier=new_user)",
        error=NameError,
        message="new_user",
        why="README bug: `new_user` is undefined in the README's flow",
    ),
}

# Placeholder -> how to obtain its replacement (as Python source) from the emulator and the
# namespace the blocks have built so far. Every placeholder must be found in the README.
Replacement = Callable[[Emulator, Dict[str, object]], str]
SUBSTITUTIONS: Dict[str, Replacement] = {
    # Block 0 (identity quick start).
    '"<connection string of your Communication service>"': lambda emu, ns: repr(emu.connection_string),
    # Blocks 13 and 24.
    "'<connection_string>'": lambda emu, ns: repr(emu.connection_string),
    # Blocks 1, 13 and 15.
    '"https://<RESOURCE_NAME>.communcationservices.azure.com"': lambda emu, ns: repr(emu.endpoint),
    # Block 15 (list chat threads) re-creates its client from a literal token: it gets the token
    # the README's own identity step issued (block 13's `token`), so the flow continues as that
    # user and lists the thread block 13 created.
    '"<token>"': lambda emu, ns: repr(ns["token"]),
}

PLACEHOLDER = re.compile(r"""["']<[^<>"']+>["']""")


def _download_readme(dest: Path) -> str:
    """``pip download`` the 1.2.0 sdist and return its README.md text."""
    env = dict(os.environ)
    # The session points these at the emulator CA; pip must verify PyPI with its own store.
    for key in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE"):
        env.pop(key, None)
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        SDIST_REQUIREMENT,
        "--no-deps",
        "--no-binary",
        ":all:",
        "--disable-pip-version-check",
        # Nothing is cached outside the repository (as scripts/ensure_venv.sh does).
        "--no-cache-dir",
        "-d",
        str(dest),
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=PIP_TIMEOUT_S)
    if done.returncode != 0:
        pytest.fail(
            f"`{' '.join(cmd)}` failed with exit code {done.returncode} (network access to PyPI is "
            f"required):\n{done.stderr[-3000:]}",
            pytrace=False,
        )
    archives = sorted(dest.glob("azure*communication*chat*1.2.0.tar.gz"))
    assert archives, f"pip reported success but no sdist is in {dest}: {os.listdir(dest)}"
    with tarfile.open(archives[0], "r:gz") as tar:
        try:
            member = tar.getmember(SDIST_README)
        except KeyError:
            pytest.fail(f"{archives[0].name} has no {SDIST_README}", pytrace=False)
        handle = tar.extractfile(member)
        assert handle is not None, f"{SDIST_README} is not a regular file"
        return handle.read().decode("utf-8")


def python_blocks(readme: str) -> List[str]:
    """The bodies of the README's fenced ```python blocks, in order."""
    return re.findall(r"^```python[ \t]*\n(.*?)^```", readme, flags=re.S | re.M)


def substitute(code: str, emulator: Emulator, namespace: Dict[str, object]) -> Tuple[str, List[str]]:
    """Apply SUBSTITUTIONS; returns the new code and the placeholders that were replaced."""
    used = []
    for placeholder, replacement in SUBSTITUTIONS.items():
        if placeholder in code:
            code = code.replace(placeholder, replacement(emulator, namespace))
            used.append(placeholder)
    return code, used


@pytest.fixture(scope="module")
def readme(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _download_readme(tmp_path_factory.mktemp("sdist"))


def run_block(index: int, code: str, namespace: Dict[str, object]) -> Tuple[str, Optional[BaseException]]:
    out = io.StringIO()
    error: Optional[BaseException] = None
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(code, f"<README.md python block {index}>", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - classified by the caller
            error = exc
    return out.getvalue(), error


def test_readme_python_examples_run_against_emulator(emulator: Emulator, readme: str) -> None:
    blocks = python_blocks(readme)
    assert len(blocks) == EXPECTED_BLOCKS, (
        f"README has {len(blocks)} python blocks, tables assume {EXPECTED_BLOCKS}"
    )

    namespace: Dict[str, Any] = {"__name__": "readme_examples"}
    used_placeholders: List[str] = []
    checked: List[int] = []
    for index, raw in enumerate(blocks):
        first_line = raw.lstrip().splitlines()[0]
        if index in NOT_RUN:
            expected_start, _why = NOT_RUN[index]
            assert first_line.startswith(expected_start), f"block {index} is now {first_line!r}"
            continue
        code, used = substitute(raw, emulator, namespace)
        used_placeholders += used
        leftover = PLACEHOLDER.findall(code)
        assert not leftover, f"block {index} still has placeholders {leftover}; extend SUBSTITUTIONS"

        output, error = run_block(index, code, namespace)
        expected = EXPECTED_ERRORS.get(index)
        if expected is None:
            assert error is None, (
                f"README block {index} ({first_line!r}) raised {type(error).__name__}: {error}"
            )
        else:
            assert first_line.startswith(expected.first_line), f"block {index} is now {first_line!r}"
            assert isinstance(error, expected.error) and expected.message in str(error), (
                f"block {index}: expected {expected.error.__name__} ({expected.why}), got {error!r}"
            )
        if index in AFTER_BLOCK:
            AFTER_BLOCK[index](namespace, output)
            checked.append(index)

    assert set(used_placeholders) == set(SUBSTITUTIONS), (
        f"placeholders never found in the README: {set(SUBSTITUTIONS) - set(used_placeholders)}"
    )
    assert set(checked) == set(AFTER_BLOCK), f"checks never ran for blocks {set(AFTER_BLOCK) - set(checked)}"


# What the README's flow must have produced right after a block, beyond "no exception". Each
# check runs immediately after its block, while the namespace still holds that block's objects.
Namespace = Dict[str, Any]


def _after_thread_with_participants(ns: Namespace, output: str) -> None:
    assert ns["create_chat_thread_result"].errors == []
    assert ns["retry"] == []
    members = [p.identifier.raw_id for p in ns["chat_thread_client"].list_participants()]
    assert ns["user"].properties["id"] in members


def _after_list_threads(ns: Namespace, output: str) -> None:
    assert f"thread id: {ns['thread_id']}" in output, f"block 13's thread not listed: {output!r}"


def _after_update_topic(ns: Namespace, output: str) -> None:
    # update_topic ran before the README's own TypeError; the change must be on the service.
    assert ns["chat_thread_client"].get_properties().topic == "new topic"


def _after_delete_thread(ns: Namespace, output: str) -> None:
    with pytest.raises(ResourceNotFoundError):
        ns["chat_thread_client"].get_properties()


def _after_send_messages(ns: Namespace, output: str) -> None:
    assert output.count("Message sent: id: ") == 2, output
    assert ns["send_message_result_id"] != ns["send_message_result_w_type_id"]


def _after_get_message(ns: Namespace, output: str) -> None:
    assert ns["chat_message"].id == ns["send_message_result_id"]
    assert ns["chat_message"].content.message == "hello world"


def _after_list_messages(ns: Namespace, output: str) -> None:
    listed = re.findall(r"ChatMessage: Id= (\S+) ;", output)
    assert ns["send_message_result_id"] in listed and ns["send_message_result_w_type_id"] in listed, output


def _after_add_participants(ns: Namespace, output: str) -> None:
    assert ns["response"] == []
    members = {p.identifier.raw_id for p in ns["chat_thread_client"].list_participants()}
    assert {u.properties["id"] for u in ns["new_users"]} <= members


def _after_read_receipt(ns: Namespace, output: str) -> None:
    receipts = list(ns["chat_thread_client"].list_read_receipts())
    assert [r.chat_message_id for r in receipts] == [ns["send_message_result_id"]]


AFTER_BLOCK: Dict[int, Callable[[Namespace, str], None]] = {
    13: _after_thread_with_participants,
    15: _after_list_threads,
    16: _after_update_topic,
    17: _after_delete_thread,
    18: _after_send_messages,
    19: _after_get_message,
    20: _after_list_messages,
    24: _after_add_participants,
    27: _after_read_receipt,
}
