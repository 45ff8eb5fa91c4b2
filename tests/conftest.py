"""Shared fixtures: a real SQLite file, the shipped tip library, a clock tests can move."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from emulator import BotAPIEmulator
from storage import Store
from tests.e2e import running_bot
from tips import Library, load_library


class FakeClock:
    """A clock that only moves when a test says so."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class RecordingSleep:
    """An `asyncio.sleep` stand-in that returns at once and remembers what was asked."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 6, 0, tzinfo=UTC))


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "gutbone.db"


@pytest.fixture
def store(db_path):
    store = Store.open(db_path)
    yield store
    store.close()


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library()


@pytest.fixture
async def telegram():
    """The Bot API emulator on a free loopback port."""
    async with BotAPIEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(telegram, store, library, clock, sleep):
    """The real Application, polling the emulator; time comes from `clock`."""
    async with running_bot(telegram, store, library, clock, sleep) as running:
        yield running
