"""Shared fixtures: a real SQLite file, the shipped tip library, a clock tests can move."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import yaml

from emulator import BotAPIEmulator
from storage import Store
from tests.e2e import running_bot
from tips import LIBRARY_DIR, Library, load_library


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


class PacingTime:
    """The gateway's monotonic clock for tests: its sleeps pass at once and move it forward,
    so pacing and 429 pauses keep their order without the test waiting for them."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


@pytest.fixture
def pacing() -> PacingTime:
    return PacingTime()


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
def bibliography_file(tmp_path):
    """A verified bibliography like the curator's: the shipped entries, one uncited verified
    entry (sync must leave it out), and one partially verified entry (never to be cited)."""
    shipped = yaml.safe_load((LIBRARY_DIR / "references.yaml").read_text(encoding="utf-8"))
    extra = {"id": "zz_uncited2020_test", "first_author": "Nobody", "title": "Unused"}
    partial = {"id": "ods_calcium_hp", "title": "Calcium fact sheet", "status": "partial"}
    document = {"references": [extra, *shipped["references"]], "partially_verified": [partial]}
    path = tmp_path / "bibliography.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture
async def telegram():
    """The Bot API emulator on a free loopback port."""
    async with BotAPIEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(telegram, store, library, clock, sleep, pacing):
    """The real Application, polling the emulator; time comes from `clock` and `pacing`."""
    async with running_bot(telegram, store, library, clock, sleep, pacing) as running:
        yield running
