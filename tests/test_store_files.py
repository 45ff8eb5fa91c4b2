"""The database file itself: refused at start when unfit, private on disk, watched while open."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from storage import DatabaseReplaced, Store
from storage.schema import LATEST
from tests.conftest import TEST_LIBRARY
from tests.e2e import TOKEN

MONDAY = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
EIGHT_UTC = Schedule(time(8, 0), ZoneInfo("UTC"))


def run_bot(db_path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(db_path)}
    env["TIPS_LIBRARY"] = str(TEST_LIBRARY)  # the database, not the shipped tips, is on trial
    return subprocess.run(
        [sys.executable, "-m", "bot"], env=env, capture_output=True, text=True, timeout=30
    )


def test_a_database_from_a_newer_version_stops_the_bot_with_one_line(db_path):
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {LATEST + 1}")
    conn.close()
    done = run_bot(db_path)
    assert done.returncode == 2
    assert done.stderr == (
        f"gutbone-bot: cannot use the database at {db_path}: the database is at schema version"
        f" {LATEST + 1}, newer than this version of the bot knows ({LATEST}); run the newer"
        " version, or restore a backup made for this one\n"
    )
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST + 1  # never lowered
    conn.close()


def test_a_damaged_database_stops_the_bot_with_one_line(db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"\x00garbage" * 1000)
    done = run_bot(db_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"gutbone-bot: cannot use the database at {db_path}: it is ")
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.fixture
def open_umask():
    """Run with umask 000, the worst case: nothing may come out world-readable anyway."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_database_is_private_whatever_the_umask(tmp_path, open_umask):
    path = tmp_path / "state" / "gutbone" / "bot.db"
    store = Store.open(path)
    store.subscribe(1, "private", EIGHT_UTC, MONDAY)  # a write, so the WAL files exist
    assert mode(tmp_path / "state") == 0o700
    assert mode(tmp_path / "state" / "gutbone") == 0o700
    assert mode(path) == 0o600
    for suffix in ("-wal", "-shm"):
        assert mode(f"{path}{suffix}") == 0o600
    store.close()


def test_an_existing_folder_keeps_the_operators_permissions(tmp_path, open_umask):
    tmp_path.chmod(0o750)
    Store.open(tmp_path / "bot.db").close()
    assert mode(tmp_path) == 0o750


def test_the_open_file_checks_out_while_it_is_in_place(store):
    store.subscribe(1, "private", EIGHT_UTC, MONDAY)
    store.check_file()  # raises if not


def test_a_deleted_database_file_is_noticed(db_path):
    store = Store.open(db_path)
    db_path.unlink()
    with pytest.raises(DatabaseReplaced) as noticed:
        store.check_file()
    assert str(noticed.value) == (
        f"the database file {db_path} was deleted while the bot was running; restore it and restart"
    )
    store.close()


def test_a_replaced_database_file_is_noticed(db_path, tmp_path):
    store = Store.open(db_path)
    other = tmp_path / "other.db"
    Store.open(other).close()
    os.replace(other, db_path)
    with pytest.raises(DatabaseReplaced, match="was replaced by another file"):
        store.check_file()
    store.close()
