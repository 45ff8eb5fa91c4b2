"""Incremental auto-vacuum: on from a new file's first page, turned on once for an old file
(where the disk has room), by one process of two starting together; free pages given back."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from storage import EventKind, Store
from storage import space as storage_space
from tests.databases import database_at

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
OPEN = "import logging, sys; from storage import Store; logging.basicConfig(level=logging.INFO)"


def auto_vacuum(store: Store) -> int:
    return int(store.db.execute("PRAGMA auto_vacuum").fetchone()[0])


def old_database(path, subscribers: int = 2_000):
    """A version 10 file (no auto-vacuum) with subscribers 1..n, the upper half deleted."""
    db = database_at(path, 10)
    db.conn.executemany(
        "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
        " schedule_since, next_due_at, subscribed_at, updated_at)"
        " VALUES (?, 'private', 1, '07:30', 'Europe/Berlin', 0, 0, '', '')",
        [(chat_id,) for chat_id in range(1, subscribers + 1)],
    )
    db.execute("DELETE FROM subscribers WHERE chat_id > ?", [subscribers // 2])
    db.conn.commit()
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    return db


@pytest.fixture
def old_path(tmp_path):
    return tmp_path / "old.db"


def test_a_new_database_has_incremental_auto_vacuum_from_its_first_page(store):
    assert auto_vacuum(store) == storage_space.INCREMENTAL


def test_an_old_database_gets_it_at_open_and_keeps_its_data(old_path, caplog):
    old_database(old_path).close()
    with caplog.at_level(logging.INFO, logger="storage.space"):
        store = Store.open(old_path)
    try:
        assert auto_vacuum(store) == storage_space.INCREMENTAL
        assert store.file_space().free_pages == 0  # the VACUUM left no free page behind
        [line] = caplog.messages
        assert line.startswith("Turned on incremental auto-vacuum: one VACUUM of ")
        assert store.db.execute("SELECT count(*) FROM subscribers").fetchone()[0] == 1_000
        kept = store.subscriber(1_000)
        assert kept is not None and kept.schedule.at == time(7, 30)
        assert kept.schedule.timezone == ZoneInfo("Europe/Berlin")
        assert store.subscriber(1_001) is None
        assert store.db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    finally:
        store.close()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="storage.space"):
        Store.open(old_path).close()
    assert caplog.messages == []  # once only


def test_a_disk_without_room_skips_it_with_a_reason_and_it_is_tried_again(old_path, caplog):
    db = old_database(old_path)
    with caplog.at_level(logging.WARNING, logger="storage.space"):
        ran = storage_space.turn_on_incremental(db, old_path, free_bytes=lambda folder: 1_000)
    assert not ran
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == 0
    [line] = caplog.messages
    assert line.startswith("Not turning on incremental auto-vacuum yet (space freed by pruning")
    assert f"MB free on {old_path.parent}'s disk, which has 0; free that space" in line
    assert storage_space.turn_on_incremental(db, old_path)  # room again: the next start does it
    assert db.execute("PRAGMA auto_vacuum").fetchone()[0] == storage_space.INCREMENTAL
    db.close()


def test_vacuum_asks_room_for_two_copies_of_the_live_data(tmp_path):
    assert storage_space.room_needed(tmp_path / "a.db", tmp_path, 1_000) == {tmp_path: 2_200}
    assert storage_space.temp_folder({"SQLITE_TMPDIR": str(tmp_path)}) == tmp_path
    assert storage_space.temp_folder({"SQLITE_TMPDIR": str(tmp_path / "none")}) != tmp_path


def test_the_second_of_two_processes_opening_at_once_waits_and_does_not_vacuum_again(old_path):
    old_database(old_path, subscribers=100_000).close()
    script = f"{OPEN}; Store.open(sys.argv[1]).close()"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(old_path)], stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    logs = [child.communicate(timeout=50)[1] for child in children]
    assert [child.returncode for child in children] == [0, 0], logs
    assert sum(log.count("Turned on incremental auto-vacuum") for log in logs) == 1, logs
    store = Store.open(old_path)
    try:
        assert auto_vacuum(store) == storage_space.INCREMENTAL
        assert store.db.execute("SELECT count(*) FROM subscribers").fetchone()[0] == 50_000
    finally:
        store.close()


def test_free_pages_fall_as_space_is_given_back(store):
    with store.transaction():
        for minute in range(20_000):
            store.record_event(EventKind.JOINED, NOW - timedelta(days=30, minutes=minute))
    before = store.file_space()
    assert store.prune_events(NOW - timedelta(days=8), 50_000) == 20_000
    pruned = store.file_space()
    assert pruned.free_pages > 50 and pruned.pages == before.pages
    assert store.give_back_space(20) == 20
    assert store.file_space() == storage_space.Space(
        pruned.pages - 20, pruned.free_pages - 20, pruned.page_size
    )
    assert store.give_back_space(10_000) == pruned.free_pages - 20
    assert store.file_space().free_pages == 0


def test_an_old_file_not_yet_turned_on_gives_nothing_back(old_path):
    db = old_database(old_path)
    store = Store(db)  # upgraded, but never through `open`: no VACUUM
    assert store.file_space().free_pages > 0
    assert store.give_back_space(100) == 0
    db.close()


def test_giving_back_refuses_to_run_inside_a_transaction(store):
    schedule = Schedule(time(8, 0), ZoneInfo("UTC"))
    with store.transaction():
        store.subscribe(1, "private", schedule, NOW)
        try:
            store.give_back_space(10)
        except RuntimeError as exc:
            assert "outside a transaction" in str(exc)
        else:
            raise AssertionError("gave back space inside a transaction")
    assert store.subscriber(1) is not None
