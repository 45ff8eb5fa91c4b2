"""Shared fixtures: a real SQLite file, a small tip library, a clock tests can move.

`library` is the test library in `tests/fixtures/library`, not the shipped one, whose content
curators rewrite: tests of behaviour must pass whatever the shipped tips say. Tests about the
shipped library itself ask for `shipped`.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from telegram import Bot

from emulator import TEST_TOKEN, BotAPIEmulator
from storage import Store
from tests.e2e import running_bot
from tips import LIBRARY_DIR, Library, load_library

TEST_LIBRARY = Path(__file__).parent / "fixtures" / "library"


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
    return load_library(TEST_LIBRARY)


@pytest.fixture(scope="session")
def shipped() -> Library:
    return load_library(LIBRARY_DIR)


def write_bibliography(library_dir: Path, path: Path) -> Path:
    """A verified bibliography like the curator's: the entries of `library_dir`'s
    references.yaml, one uncited verified entry (sync must leave it out), and one partially
    verified entry (never to be cited)."""
    copied = yaml.safe_load((library_dir / "references.yaml").read_text(encoding="utf-8"))
    extra = {"id": "zz_uncited2020_test", "first_author": "Nobody", "title": "Unused"}
    partial = {"id": "ods_calcium_hp", "title": "Calcium fact sheet", "status": "partial"}
    document = {"references": [extra, *copied["references"]], "partially_verified": [partial]}
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


@pytest.fixture
def bibliography_file(tmp_path):
    """The bibliography of the test library (see `write_bibliography`)."""
    return write_bibliography(TEST_LIBRARY, tmp_path / "bibliography.yaml")


@pytest.fixture
def shipped_bibliography_file(tmp_path):
    """The bibliography of the shipped library (see `write_bibliography`)."""
    return write_bibliography(LIBRARY_DIR, tmp_path / "shipped-bibliography.yaml")


@pytest.fixture
async def telegram():
    """The Bot API emulator on a free loopback port."""
    async with BotAPIEmulator() as emulator:
        yield emulator


@pytest.fixture
async def client(telegram):
    """A python-telegram-bot Bot talking to the emulator (``bot`` is the whole app): to this
    file's `telegram`, or to a module's own (with control endpoints, say)."""
    async with Bot(TEST_TOKEN, base_url=telegram.base_url) as bot:
        yield bot


@pytest.fixture
async def bot(telegram, store, library, clock, sleep, pacing):
    """The real Application, polling the emulator; time comes from `clock` and `pacing`."""
    async with running_bot(telegram, store, library, clock, sleep, pacing) as running:
        yield running
