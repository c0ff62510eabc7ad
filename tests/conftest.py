"""Fixtures: a clean environment, a controllable clock and the real bot on a temporary file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from support.bot import ENV_PREFIXES, BotUnderTest, FakeClock, running_bot


@pytest.fixture
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No developer's .env or MUTUALAID_*/TELEGRAM_* variable reaches the code under test."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(isolated_env: Path) -> Path:
    return isolated_env / "mutualaid-test.db"


@pytest.fixture
def start_bot(
    db_path: Path, clock: FakeClock
) -> Callable[..., AbstractAsyncContextManager[BotUnderTest]]:
    """`async with start_bot(volunteer_approval=True) as bot:` for non-default settings.

    Every bot started this way shares the test's database file and clock, so starting a
    second one after the first is a restart.
    """

    def start(**settings: Any) -> AbstractAsyncContextManager[BotUnderTest]:
        return running_bot(db_path, clock=clock, **settings)

    return start


@pytest.fixture
async def bot(
    start_bot: Callable[..., AbstractAsyncContextManager[BotUnderTest]],
) -> AsyncIterator[BotUnderTest]:
    """The bot with default settings (approval off); no exception may escape a handler."""
    async with start_bot() as running:
        yield running
        assert not running.errors.records, running.errors.describe()
