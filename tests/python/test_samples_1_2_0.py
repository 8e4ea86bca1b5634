"""Compatibility: the samples/*.py of the azure-communication-chat 1.2.0 sdist run unchanged against the
emulator with ``azure.communication.chat`` mapped to ``acs_chat``.

The sdist is downloaded from PyPI at test time (never committed; cached under target/); the test is skipped
when PyPI is unreachable or ``azure-communication-identity`` (which the samples use for users) is not installed.
"""

import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Iterator, List

import pytest

from acs_chat.testing import Emulator

SAMPLES = [
    "chat_client_sample.py",
    "chat_client_sample_async.py",
    "chat_thread_client_sample.py",
    "chat_thread_client_sample_async.py",
    "user_credential_sample.py",
    "user_credential_sample_async.py",
]

# Runs a sample with the official package names resolving to ours; nothing else changes.
RUNNER = """
import runpy, sys
import acs_chat, acs_chat.aio
sys.modules["azure.communication.chat"] = acs_chat
sys.modules["azure.communication.chat.aio"] = acs_chat.aio
runpy.run_path(sys.argv[1], run_name="__main__")
"""


# Downloads are kept under target/ (git-ignored) so later runs need no network.
CACHE = Path(__file__).resolve().parents[2] / "target" / "python-test-cache"


@pytest.fixture(scope="module")
def samples_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("azure.communication.identity")
    CACHE.mkdir(parents=True, exist_ok=True)
    archives = list(CACHE.glob("azure*communication*chat*1.2.0.tar.gz"))
    if not archives:
        download = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "-q", "-d", str(CACHE),
             "azure-communication-chat==1.2.0"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if download.returncode != 0:
            pytest.skip("cannot download the 1.2.0 sdist from PyPI: " + download.stderr.strip()[-200:])
        archives = list(CACHE.glob("azure*communication*chat*1.2.0.tar.gz"))
    target = tmp_path_factory.mktemp("sdist")
    with tarfile.open(archives[0]) as tar:
        members: List[tarfile.TarInfo] = [m for m in tar.getmembers() if "/samples/" in m.name and m.isfile()]
        tar.extractall(target, members=members)
    return next(target.glob("*/samples"))


@pytest.fixture(scope="module")
def tls_emulator() -> Iterator[Emulator]:
    # The identity SDK the samples use insists on https.
    with Emulator(tls=True) as emu:
        yield emu


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_runs_unchanged(sample: str, samples_dir: Path, tls_emulator: Emulator, tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    assert tls_emulator.ca_cert_pem is not None
    ca.write_text(tls_emulator.ca_cert_pem)
    env = dict(
        os.environ,
        COMMUNICATION_SAMPLES_CONNECTION_STRING=tls_emulator.connection_string,
        AZURE_COMMUNICATION_SERVICE_ENDPOINT=tls_emulator.endpoint,
        REQUESTS_CA_BUNDLE=str(ca),
        SSL_CERT_FILE=str(ca),
    )
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(samples_dir / sample)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=str(samples_dir),
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
