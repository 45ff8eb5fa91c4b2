"""The store against a real SQLite file: subscriptions, schedules, claims, migration."""

import sqlite3
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from scheduler.records import DeliveryStatus
from storage import Store

DEFAULT = Schedule(time(8, 0), ZoneInfo("UTC"))
MORNING = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_subscribe_is_idempotent_and_reports_newness(store):
    subscriber, new = store.subscribe(42, "private", DEFAULT, MORNING)
    again, new_again = store.subscribe(42, "private", DEFAULT, MORNING)
    assert (new, new_again) == (True, False)
    assert subscriber == again
    assert subscriber.active and store.subscriber(42) == subscriber


def test_stop_keeps_settings_and_start_restores_them(store):
    store.subscribe(42, "private", DEFAULT, MORNING)
    store.set_schedule(
        42,
        MORNING,
        chat_type="private",
        default=DEFAULT,
        at=time(7, 15),
        timezone=ZoneInfo("Europe/Berlin"),
    )
    assert store.unsubscribe(42, MORNING) is True
    assert store.unsubscribe(42, MORNING) is False
    assert store.due_subscribers(datetime(2026, 3, 3, tzinfo=UTC), 10) == []
    subscriber, reactivated = store.subscribe(42, "private", DEFAULT, MORNING)
    assert reactivated
    assert subscriber.schedule.at == time(7, 15)
    assert subscriber.schedule.timezone.key == "Europe/Berlin"


def test_due_subscribers_is_a_range_on_next_due(store):
    store.subscribe(1, "private", DEFAULT, MORNING)  # 08:00 UTC today
    store.subscribe(2, "private", Schedule(time(9, 0), ZoneInfo("UTC")), MORNING)
    at_8 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert [s.chat_id for s in store.due_subscribers(at_8, 10)] == [1]
    at_9 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert [s.chat_id for s in store.due_subscribers(at_9, 10)] == [1, 2]


def test_a_day_is_claimed_once(store):
    store.subscribe(1, "private", DEFAULT, MORNING)
    day = date(2026, 3, 2)
    assert store.claim_delivery(1, day, "fiber-a", MORNING)
    assert not store.claim_delivery(1, day, "fiber-b", MORNING)
    assert store.subscriber(1).last_delivery == day
    assert store.due_subscribers(datetime(2026, 3, 2, 23, 0, tzinfo=UTC), 10) == []


def test_a_failed_day_can_be_claimed_again_later(store):
    store.subscribe(1, "private", DEFAULT, MORNING)
    day, now = date(2026, 3, 2), datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    store.claim_delivery(1, day, "fiber-a", now)
    retry_at = datetime(2026, 3, 2, 8, 10, tzinfo=UTC)
    store.finish_delivery(1, day, DeliveryStatus.FAILED, now, retry_at)
    assert store.subscriber(1).last_delivery is None
    assert store.due_subscribers(datetime(2026, 3, 2, 8, 5, tzinfo=UTC), 10) == []
    assert [s.chat_id for s in store.due_subscribers(retry_at, 10)] == [1]
    assert store.claim_delivery(1, day, "fiber-b", retry_at)


def test_blocked_deactivates(store):
    store.subscribe(1, "private", DEFAULT, MORNING)
    store.claim_delivery(1, date(2026, 3, 2), "fiber-a", MORNING)
    store.finish_delivery(1, date(2026, 3, 2), DeliveryStatus.BLOCKED, MORNING, None)
    assert not store.subscriber(1).active
    assert store.pending_deliveries() == []
    store.subscribe(1, "private", DEFAULT, MORNING)  # back after /start: the day is free again
    assert store.claim_delivery(1, date(2026, 3, 2), "fiber-b", MORNING)


def test_migration_moves_everything_to_the_new_id(store):
    store.subscribe(-100, "group", DEFAULT, MORNING)
    store.mark_seen(-100, "fiber-a", MORNING)
    store.claim_delivery(-100, date(2026, 3, 2), "fiber-a", MORNING)
    store.migrate(-100, -1001234567890123)
    assert store.subscriber(-100) is None
    assert store.subscriber(-1001234567890123).active
    assert store.seen_tips(-1001234567890123) == {"fiber-a"}
    [pending] = store.pending_deliveries()
    assert (pending.chat_id, pending.local_date, pending.tip_id) == (
        -1001234567890123,
        date(2026, 3, 2),
        "fiber-a",
    )


def test_data_survives_reopening(db_path):
    first = Store.open(db_path)
    first.subscribe(7, "private", DEFAULT, MORNING)
    first.claim_delivery(7, date(2026, 3, 2), "k2-a", MORNING)
    first.close()
    second = Store.open(db_path)
    assert [p.tip_id for p in second.pending_deliveries()] == ["k2-a"]
    assert second.subscriber(7).last_delivery == date(2026, 3, 2)
    second.close()


def test_seen_history_and_last_seen(store):
    store.mark_seen(5, "a", MORNING)
    store.mark_seen(5, "b", MORNING)
    assert store.last_seen_tip(5) == "b"
    store.forget_seen(5, ["a", "b"])
    assert store.seen_tips(5) == set()


def test_the_schema_refuses_a_status_the_code_does_not_know(store):
    store.subscribe(1, "private", DEFAULT, MORNING)
    store.claim_delivery(1, date(2026, 3, 2), "fiber-a", MORNING)
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        store.db.execute("UPDATE deliveries SET status = 'delivered'")


def test_a_released_claim_frees_the_day(store):
    store.subscribe(1, "private", DEFAULT, MORNING)
    day, now = date(2026, 3, 2), datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    store.claim_delivery(1, day, "fiber-a", now)
    store.finish_delivery(1, day, DeliveryStatus.RELEASED, now, None)
    assert store.subscriber(1).last_delivery is None
    assert [s.chat_id for s in store.due_subscribers(now, 10)] == [1]
