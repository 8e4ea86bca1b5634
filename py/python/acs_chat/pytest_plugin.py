"""pytest plugin: ``pytest_plugins = ["acs_chat.pytest_plugin"]`` gives the ``acs_chat_emulator`` fixture."""

from typing import Iterator

import pytest

from .testing import Emulator


@pytest.fixture(scope="session")
def acs_chat_emulator() -> Iterator[Emulator]:
    """One in-process emulator for the test session (plain http on loopback)."""
    with Emulator() as emu:
        yield emu
