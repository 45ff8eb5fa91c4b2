"""Schema migrations and the checks at open, against real SQLite files built by older code."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from scheduler.records import DeliveryStatus
from storage import DatabaseDamaged, DatabaseTooNew, MigrationRefused, Store
from storage.schema import LATEST

UTC_ZONE = ZoneInfo("UTC")

# `git show e1e2219^:storage/schema.py`: the first release; it set user_version = 1 and had
# no CHECK on deliveries.status.
FIRST_RELEASE = """
CREATE TABLE IF NOT EXISTS subscribers (
    chat_id INTEGER PRIMARY KEY,
    chat_type TEXT NOT NULL DEFAULT 'private',
    active INTEGER NOT NULL DEFAULT 1,
    delivery_time TEXT NOT NULL,          -- local 'HH:MM'
    timezone TEXT NOT NULL,               -- IANA name
    schedule_since INTEGER NOT NULL,      -- UTC epoch seconds of the last (re)subscribe or change
    last_delivery TEXT,                   -- local date of the last pending/sent daily tip
    next_due_at INTEGER,                  -- UTC epoch seconds; NULL while inactive
    subscribed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS subscribers_next_due ON subscribers (next_due_at)
    WHERE next_due_at IS NOT NULL;

-- One row per (chat, local date): the record that makes the daily tip exactly-once.
CREATE TABLE IF NOT EXISTS deliveries (
    chat_id INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    tip_id TEXT NOT NULL,
    status TEXT NOT NULL,                 -- pending | sent | failed | blocked
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, local_date)
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (chat_id)
    WHERE status = 'pending';

-- Tips a chat has seen in its current rotation cycle (daily, /tip and /avoid alike).
CREATE TABLE IF NOT EXISTS seen_tips (
    chat_id INTEGER NOT NULL,
    tip_id TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, tip_id)
);
PRAGMA user_version = 1;
"""

# `git show f784a72:storage/schema.py`, rendered: the same tables with a status CHECK, and
# user_version left at 0.
WITH_CHECK = FIRST_RELEASE.replace(
    "status TEXT NOT NULL,                 -- pending | sent | failed | blocked",
    "status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'blocked', 'released')),",
).replace("PRAGMA user_version = 1;", "")

SUBSCRIBERS = [
    # chat_id, type, active, time, zone, since, last_delivery, next_due_at, subscribed, updated
    (1, "private", 1, "08:00", "Europe/Berlin", 1772000000, "2026-03-01", 1772434800, "s1", "u1"),
    (-100, "group", 0, "07:30", "Asia/Tokyo", 1772000001, None, None, "s2", "u2"),
    (-1001234567890123, "supergroup", 1, "23:45", "UTC", 1772000002, None, 1772495100, "s", "u"),
]
DELIVERIES = [
    # chat_id, local_date, tip_id, status, attempts, updated_at
    (1, "2026-02-28", "fiber-a", "sent", 1, "2026-02-28T07:00:03+00:00"),
    (1, "2026-03-01", "k2-b", "pending", 0, "2026-03-01T07:00:01+00:00"),
    (-100, "2026-02-27", "brine", "blocked", 2, "2026-02-26T22:30:00+00:00"),
    (-1001234567890123, "2026-02-28", "tea", "failed", 5, "2026-02-28T23:50:00+00:00"),
]
SEEN = [(1, "fiber-a", "2026-02-28T07:00:03+00:00"), (1, "k2-b", "2026-03-01T07:00:01+00:00")]


COLUMNS = [
    "chat_id",
    "chat_type",
    "active",
    "delivery_time",
    "timezone",
    "schedule_since",
    "last_delivery",
    "subscribed_at",
    "updated_at",
]


def build_old_database(path, schema: str) -> None:
    """A database as the old code left it: its own tables, filled through plain SQL."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.executescript(schema)
    with conn:
        conn.executemany(f"INSERT INTO subscribers VALUES ({', '.join('?' * 10)})", SUBSCRIBERS)
        conn.executemany(
            "INSERT INTO deliveries (chat_id, local_date, tip_id, status, attempts, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            DELIVERIES,
        )
        conn.executemany("INSERT INTO seen_tips VALUES (?, ?, ?)", SEEN)
    conn.close()


def rows(store: Store, sql: str) -> list[tuple]:
    return [tuple(row.values()) for row in store.db.query(sql)]


def user_version(path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA user_version").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("schema", [FIRST_RELEASE, WITH_CHECK], ids=["user_version-1", "check"])
def test_an_old_database_upgrades_without_losing_anything(db_path, schema):
    build_old_database(db_path, schema)
    store = Store.open(db_path)
    assert user_version(db_path) == LATEST
    assert rows(store, f"SELECT {', '.join(COLUMNS)} FROM subscribers ORDER BY chat_id") == sorted(
        row[:7] + row[8:]
        for row in SUBSCRIBERS  # next_due_at aside, all as it was
    )
    assert sorted(
        rows(  # the compact columns (migration 16) read back as the old release wrote them
            store,
            "SELECT d.chat_id, date(d.local_day * 86400, 'unixepoch'), n.tip_id, d.status,"
            " d.attempts, strftime('%Y-%m-%dT%H:%M:%S+00:00', d.updated_at, 'unixepoch')"
            " FROM deliveries d JOIN tip_numbers n ON n.number = d.tip",
        )
    ) == sorted(DELIVERIES)
    assert store.seen_tips(1) == {tip_id for _, tip_id, _ in SEEN}
    assert store.last_seen_tip(1) == SEEN[-1][1]
    assert store.pending_deliveries()[0].tip_id == "k2-b"
    assert store.subscriber(1).last_delivery == date(2026, 3, 1)  # counts for the same day
    store.close()


def test_an_upgraded_database_refuses_unknown_statuses(db_path):
    build_old_database(db_path, FIRST_RELEASE)
    store = Store.open(db_path)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        store.db.execute("UPDATE deliveries SET status = 'delivered'")
    store.close()


def test_the_latest_delivery_keeps_its_local_day_when_it_was_sent_after_midnight(db_path):
    build_old_database(db_path, FIRST_RELEASE)
    conn = sqlite3.connect(db_path)
    with conn:  # Berlin's 1 March tip, claimed at 23:59:50 local and sent 00:00:20 on 2 March
        conn.execute(
            "UPDATE deliveries SET updated_at = '2026-03-01T23:00:20+00:00', status = 'sent'"
            " WHERE chat_id = 1 AND local_date = '2026-03-01'"
        )
    conn.close()
    store = Store.open(db_path)
    assert store.subscriber(1).last_delivery == date(2026, 3, 1)
    store.close()


def test_an_unknown_status_refuses_the_upgrade_and_changes_nothing(db_path):
    build_old_database(db_path, FIRST_RELEASE)
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute("UPDATE deliveries SET status = 'delivered' WHERE tip_id = 'tea'")
    conn.close()
    with pytest.raises(MigrationRefused, match=r"statuses this version does not know \('deliv"):
        Store.open(db_path)
    assert user_version(db_path) == 1
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM deliveries").fetchone()[0] == len(DELIVERIES)
    conn.close()


def test_a_new_database_gets_every_migration(db_path):
    Store.open(db_path).close()
    assert user_version(db_path) == LATEST


def test_reopening_runs_no_migration_twice(db_path):
    Store.open(db_path).close()
    store = Store.open(db_path)  # a second CREATE or ALTER would raise here
    assert user_version(db_path) == LATEST
    store.close()


def test_every_status_the_code_knows_fits_the_schema(store):
    store.subscribe(1, "private", Schedule(time(8), UTC_ZONE), datetime(2026, 3, 2, tzinfo=UTC))
    for number, status in enumerate(DeliveryStatus):
        store.db.execute(
            "INSERT INTO deliveries (chat_id, local_day, tip, status, delivered_at,"
            " updated_at) VALUES (1, ?, 1, ?, 0, 0)",
            [20454 + number, status],
        )
    assert len(rows(store, "SELECT * FROM deliveries")) == len(DeliveryStatus)


def test_a_database_from_a_newer_version_is_refused_and_left_as_it_is(db_path):
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {LATEST + 7}")
    conn.close()
    with pytest.raises(DatabaseTooNew) as refused:
        Store.open(db_path)
    assert str(refused.value) == (
        f"the database is at schema version {LATEST + 7}, newer than this version of the bot"
        f" knows ({LATEST}); run the newer version, or restore a backup made for this one"
    )
    assert user_version(db_path) == LATEST + 7


def test_a_file_that_is_not_a_database_is_refused(db_path):
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not SQLite\n" * 300)
    with pytest.raises(DatabaseDamaged, match="not a readable SQLite database"):
        Store.open(db_path)


def test_a_damaged_database_is_refused(db_path):
    store = Store.open(db_path)
    for chat_id in range(2000):
        store.mark_seen(chat_id, "fiber-a", datetime(2026, 3, 2, tzinfo=UTC))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    data = bytearray(db_path.read_bytes())
    page = 4096
    for start in range(page, len(data), page):  # scribble over every b-tree page's header
        data[start : start + 12] = b"\x0d\xff" * 6
    db_path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match=r"damaged|not a readable"):
        Store.open(db_path)


def layout(path) -> dict[str, object]:
    """Tables with their columns (name, type, not null, default, key), and the index names."""
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master ORDER BY name")]
        return {name: conn.execute(f"PRAGMA table_info({name})").fetchall() for name in names} | {
            "check": [
                r[0]
                for r in conn.execute("SELECT sql FROM sqlite_master")
                if r[0] and "CHECK (status IN" in r[0]
            ]
        }
    finally:
        conn.close()


@pytest.mark.parametrize("schema", [FIRST_RELEASE, WITH_CHECK], ids=["user_version-1", "check"])
def test_an_upgraded_database_has_the_same_layout_as_a_new_one(tmp_path, schema):
    old, new = tmp_path / "old.db", tmp_path / "new.db"
    build_old_database(old, schema)
    Store.open(old).close()
    Store.open(new).close()
    assert layout(old) == layout(new)


def test_the_upgrade_leaves_the_connections_secure_delete_as_it_found_it(tmp_path):
    from storage.schema import upgrade
    from tests.databases import database_at

    db = database_at(tmp_path / "old.db", 10)
    db.execute("PRAGMA secure_delete = 1")
    upgrade(db)
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    db.close()
