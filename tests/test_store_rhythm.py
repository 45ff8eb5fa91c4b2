"""Quiet delivery, a weekend time and when a chat left, on a real SQLite file (migration 17)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlite_utils import Database

from scheduler.due import Schedule
from scheduler.records import DeliveryStatus
from storage import Store
from storage.schema import MIGRATIONS

BERLIN_SEVEN = Schedule(time(7, 0), ZoneInfo("Europe/Berlin"))
FRIDAY_NOON = datetime(2026, 3, 6, 11, 0, tzinfo=UTC)  # 12:00 in Berlin
SATURDAY = date(2026, 3, 7)
CHAT = 42


def berlin(day: date, at: time) -> datetime:
    return datetime.combine(day, at, BERLIN_SEVEN.timezone).astimezone(UTC)


def subscribed(store: Store) -> None:
    store.subscribe(CHAT, "private", BERLIN_SEVEN, FRIDAY_NOON - timedelta(days=3))


def weekend(store: Store, at: time | None, now: datetime):
    return store.set_weekend_time(CHAT, at, now, chat_type="private", default=BERLIN_SEVEN)


def test_quiet_is_stored_and_read_back(store):
    subscribed(store)
    assert not store.subscriber(CHAT).quiet
    quiet = store.set_quiet(CHAT, True, FRIDAY_NOON, chat_type="private", default=BERLIN_SEVEN)
    assert quiet.quiet and quiet.active and store.subscriber(CHAT).quiet
    store.set_quiet(CHAT, False, FRIDAY_NOON, chat_type="private", default=BERLIN_SEVEN)
    assert not store.subscriber(CHAT).quiet


def test_quiet_for_an_unknown_chat_stores_it_inactive(store):
    saved = store.set_quiet(7, True, FRIDAY_NOON, chat_type="private", default=BERLIN_SEVEN)
    assert saved.quiet and not saved.active
    assert store.earliest_due() is None


def test_the_weekend_time_moves_the_queue_and_off_moves_it_back(store):
    subscribed(store)
    store.claim_delivery(CHAT, date(2026, 3, 6), "fiber-a", berlin(date(2026, 3, 6), time(7)))
    saved = weekend(store, time(9, 30), FRIDAY_NOON)
    assert saved.schedule.weekend_at == time(9, 30)
    assert store.earliest_due() == berlin(SATURDAY, time(9, 30))
    assert store.subscriber(CHAT).schedule.weekend_at == time(9, 30)
    assert weekend(store, None, FRIDAY_NOON).schedule.weekend_at is None
    assert store.earliest_due() == berlin(SATURDAY, time(7, 0))


def test_a_new_weekday_time_keeps_the_weekend_one(store):
    subscribed(store)
    weekend(store, time(9, 30), FRIDAY_NOON)
    changed = store.set_schedule(
        CHAT, FRIDAY_NOON, chat_type="private", default=BERLIN_SEVEN, at=time(6, 15)
    )
    assert (changed.schedule.at, changed.schedule.weekend_at) == (time(6, 15), time(9, 30))


def test_a_weekend_time_changed_after_saturdays_tip_waits_for_sunday(store):
    subscribed(store)
    weekend(store, time(9, 30), FRIDAY_NOON)
    sent_at = berlin(SATURDAY, time(9, 30))
    assert [s.chat_id for s in store.due_subscribers(sent_at, 10)] == [CHAT]
    assert store.claim_delivery(CHAT, SATURDAY, "fiber-a", sent_at)
    store.finish_delivery(CHAT, SATURDAY, DeliveryStatus.SENT, sent_at, None)
    later = berlin(SATURDAY, time(10, 0))
    weekend(store, time(10, 30), later)  # still ahead today: no second tip for it
    assert store.due_subscribers(berlin(SATURDAY, time(23, 59)), 10) == []
    assert store.earliest_due() == berlin(SATURDAY + timedelta(days=1), time(10, 30))
    assert not store.claim_delivery(CHAT, SATURDAY, "k2-b", berlin(SATURDAY, time(10, 30)))


def test_left_at_is_when_an_active_chat_stopped(store):
    assert store.left_at(CHAT) is None
    subscribed(store)
    assert store.left_at(CHAT) is None
    store.unsubscribe(CHAT, FRIDAY_NOON)
    assert store.left_at(CHAT) == FRIDAY_NOON
    store.deactivate(CHAT, FRIDAY_NOON + timedelta(days=1))  # already inactive: kept
    assert store.left_at(CHAT) == FRIDAY_NOON
    store.subscribe(CHAT, "private", BERLIN_SEVEN, FRIDAY_NOON + timedelta(days=2))
    store.deactivate(CHAT, FRIDAY_NOON + timedelta(days=3))  # blocked the bot
    assert store.left_at(CHAT) == FRIDAY_NOON + timedelta(days=3)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("quiet", 7),
        ("quiet", "yes"),
        ("weekend_time", "25:99"),
        ("weekend_time", 930),
        ("weekend_time", "soon"),
        ("left_at", "yesterday"),
        ("left_at", 10**15),
    ],
)
def test_garbage_in_the_new_columns_reads_as_not_chosen(store, column, value):
    subscribed(store)
    store.db.execute(f"UPDATE subscribers SET {column} = ? WHERE chat_id = ?", [value, CHAT])
    read = store.subscriber(CHAT)
    assert read.active and read.problem is None
    assert not read.quiet and read.schedule.weekend_at is None
    assert store.left_at(CHAT) is None
    due = store.due_subscribers(berlin(date(2026, 3, 7), time(7, 0)), 10)
    assert [s.chat_id for s in due] == [CHAT]
    assert not due[0].quiet and due[0].schedule.weekend_at is None


def test_migration_17_marks_inactive_rows_as_left_and_adds_nothing_chosen(tmp_path):
    path = tmp_path / "v16.db"
    db = Database(sqlite3.connect(path))
    for number, migration in enumerate(MIGRATIONS[:16], start=1):
        migration(db)
        db.execute(f"PRAGMA user_version = {number}")
    rows = [(1, 1, "2026-03-01T10:00:00+00:00"), (2, 0, "2026-03-02T10:00:00+00:00")]
    rows.append((3, 0, "garbage"))
    db.conn.executemany(
        "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
        " schedule_since, subscribed_at, updated_at) VALUES (?, 'private', ?, '07:00',"
        " 'Europe/Berlin', 0, 's', ?)",
        rows,
    )
    db.conn.commit()
    db.close()
    store = Store.open(path)
    assert store.left_at(1) is None
    assert store.left_at(2) == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert store.left_at(3) is None
    first = store.subscriber(1)
    assert not first.quiet and first.schedule.weekend_at is None
    store.close()


@pytest.mark.parametrize(
    ("friday", "sunday_at"),
    [(date(2026, 3, 27), time(3, 0)), (date(2026, 10, 23), time(2, 30))],  # DST weekends
)
def test_the_queue_walks_a_dst_weekend_one_tip_a_local_day(store, friday, sunday_at):
    """Claims and finishes as the sweep makes them, at each next due instant: Friday to Monday
    over the night the clocks change, a weekend time at 02:30 (missing in March, twice in
    October): one tip a local day, each at its day's time."""
    start = datetime.combine(friday, time(0), BERLIN_SEVEN.timezone).astimezone(UTC)
    store.subscribe(CHAT, "private", BERLIN_SEVEN, start)
    weekend(store, time(2, 30), start)
    sent = []
    for _ in range(4):
        due = store.earliest_due()
        assert store.due_subscribers(due - timedelta(seconds=1), 10) == []
        assert [s.chat_id for s in store.due_subscribers(due, 10)] == [CHAT]
        local = due.astimezone(BERLIN_SEVEN.timezone)
        assert store.claim_delivery(CHAT, local.date(), f"tip-{len(sent)}", due)
        store.finish_delivery(CHAT, local.date(), DeliveryStatus.SENT, due, None)
        sent.append((local.date(), local.time()))
    days = [friday + timedelta(days=n) for n in range(4)]
    times = [time(7), time(2, 30), sunday_at, time(7)]
    assert sent == list(zip(days, times, strict=True))
