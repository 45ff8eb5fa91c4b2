"""Every earlier schema version upgrades to the latest keeping what subscribers made.

For each version v a database lives through the migrations up to v as the releases left it,
filled through plain SQL with each table as it was when that table first existed: settings,
today's sent tip and a pending claim, the rotation, votes, check-ins and plants. Opening it
with today's `Store` must keep every subscriber's settings, streak, votes, this week's
plants, rotation and exactly-once state.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from habits.weeks import week_start
from scheduler.records import DeliveryStatus
from storage import Store
from storage.schema import LATEST, MIGRATIONS

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
ME, GROUP = 1, -100
DAY = timedelta(days=1)
CHECKED_IN = [TODAY - DAY * n for n in (0, 1, 2, 4, 5, 9)]  # one frozen day (3), 9 breaks
WEEK = week_start(TODAY)


def _iso(day: date) -> str:
    return day.isoformat()


def _v1(db: sqlite3.Connection) -> None:
    stamp = int(NOW.timestamp())
    db.executemany(
        "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
        " schedule_since, last_delivery, next_due_at, subscribed_at, updated_at)"
        " VALUES (?, ?, 1, ?, ?, ?, ?, NULL, ?, ?)",
        [
            (ME, "private", "00:00", "UTC", stamp - 40 * 86400, _iso(TODAY), "s1", "u1"),
            (GROUP, "group", "00:00", "UTC", stamp - 40 * 86400, _iso(TODAY - DAY), "s2", "u2"),
        ],
    )
    db.executemany(
        "INSERT INTO deliveries (chat_id, local_date, tip_id, status, attempts, updated_at)"
        " VALUES (?, ?, ?, ?, 1, ?)",
        [
            (ME, _iso(TODAY - DAY), "fiber-a", "sent", NOW.isoformat()),
            (ME, _iso(TODAY), "k2-b", "sent", NOW.isoformat()),
            (GROUP, _iso(TODAY), "tea-c", "pending", NOW.isoformat()),
        ],
    )
    db.executemany(
        "INSERT INTO seen_tips (chat_id, tip_id, seen_at) VALUES (?, ?, ?)",
        [(ME, "fiber-a", "a"), (ME, "k2-b", "b")],
    )


def _v6(db: sqlite3.Connection) -> None:
    stamp = int(NOW.timestamp())
    db.executemany(
        "INSERT INTO feedback (chat_id, tip_id, vote, voted_at) VALUES (?, ?, ?, ?)",
        [(ME, "fiber-a", 1, stamp), (ME, "k2-b", -1, stamp), (GROUP, "tea-c", 1, stamp)],
    )
    db.executemany(
        "INSERT INTO checkins (chat_id, local_date, tip_id, checked_at) VALUES (?, ?, ?, ?)",
        [(ME, _iso(day), "fiber-a", stamp) for day in CHECKED_IN],
    )


def _v7(db: sqlite3.Connection) -> None:
    db.execute("UPDATE subscribers SET topics = 'fiber,k2' WHERE chat_id = ?", [ME])


def _v8(db: sqlite3.Connection) -> None:
    stamp = int(NOW.timestamp())
    rows = [(ME, _iso(WEEK), name, stamp + n) for n, name in enumerate(["leek", "oats", "kale"])]
    rows.append((ME, _iso(WEEK - 7 * 4 * DAY), "rye", stamp))  # a month ago: may go
    db.executemany("INSERT INTO plants (chat_id, week, plant, added_at) VALUES (?, ?, ?, ?)", rows)


# Each fill runs right after the migration that made its tables, in the form they had then.
FILLS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _v1, 6: _v6, 7: _v7, 8: _v8}


def database_lived_to(path, version: int) -> None:
    """A file that went through versions 1..`version` with data written at each step."""
    db = Database(sqlite3.connect(path))
    for number, migration in enumerate(MIGRATIONS[:version], start=1):
        migration(db)
        db.execute(f"PRAGMA user_version = {number}")
        if number in FILLS:
            FILLS[number](db.conn)
        db.conn.commit()
    db.close()


@pytest.mark.parametrize("version", range(1, LATEST))
def test_an_old_database_keeps_what_subscribers_made(tmp_path, version):
    path = tmp_path / "old.db"
    database_lived_to(path, version)
    store = Store.open(path)
    me = store.subscriber(ME)
    assert (me.active, me.schedule.at, me.schedule.timezone) == (True, time(0), ZoneInfo("UTC"))
    assert not me.quiet and me.schedule.weekend_at is None and store.left_at(ME) is None
    assert store.delivery_status(ME, TODAY) is DeliveryStatus.SENT
    assert store.claim_delivery(ME, TODAY, "another", NOW) is False  # never twice a day
    assert [p.chat_id for p in store.pending_deliveries()] == [GROUP]
    assert store.seen_tips(ME) == {"fiber-a", "k2-b"}
    assert store.last_seen_tip(ME) == "k2-b"
    if version >= 6:
        assert (store.vote_of(ME, "fiber-a"), store.vote_of(ME, "k2-b")) == (1, -1)
        assert store.vote_of(GROUP, "tea-c") == 1
        assert store.checked_in(ME, TODAY)
        assert streak_now(store, ME, TODAY) == (5, 5)
    if version >= 7:
        assert me.topics == frozenset({"fiber", "k2"})
    if version >= 8:
        assert store.plants_of(ME, WEEK) == ["leek", "oats", "kale"]
    recap = store.recap_state(ME)  # the weekly recap: on, and never sent yet
    assert (recap.wanted, recap.recapped, recap.liked_tip) == (True, None, None)
    assert store.claim_recap_week(ME, WEEK) and not store.claim_recap_week(ME, WEEK)
    store.close()


def streak_now(store: Store, chat_id: int, today: date) -> tuple[int, int]:
    """(current, longest) as the bot shows them."""
    found = store.streak_of(chat_id, today)
    return found.current, found.longest
