"""A group upgraded to a supergroup: the newer settings win, history is merged, not lost."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from scheduler.due import Schedule
from scheduler.records import DeliveryStatus

OLD, NEW = -100, -1001234567890123
EIGHT_UTC = Schedule(time(8, 0), ZoneInfo("UTC"))
MONDAY = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def at(hour: int, minute: int = 0) -> datetime:
    return MONDAY.replace(hour=hour, minute=minute)


def test_settings_changed_in_the_supergroup_before_the_move_are_kept(store):
    store.subscribe(OLD, "group", EIGHT_UTC, at(6))
    store.subscribe(NEW, "supergroup", EIGHT_UTC, at(6, 30))
    store.set_schedule(
        NEW, at(7), chat_type="supergroup", default=EIGHT_UTC, timezone=ZoneInfo("Europe/Rome")
    )
    store.migrate(OLD, NEW, at(7, 5))
    moved = store.subscriber(NEW)
    assert moved.schedule.timezone.key == "Europe/Rome"
    assert moved.active
    assert store.subscriber(OLD) is None


def test_older_supergroup_settings_give_way_to_the_groups_newer_ones(store):
    store.subscribe(NEW, "supergroup", EIGHT_UTC, at(6))
    store.subscribe(OLD, "group", EIGHT_UTC, at(6, 10))
    store.set_schedule(OLD, at(6, 20), chat_type="group", default=EIGHT_UTC, at=time(9, 15))
    store.migrate(OLD, NEW, at(7))
    moved = store.subscriber(NEW)
    assert moved.schedule.at == time(9, 15)
    assert moved.chat_type == "supergroup"


def test_history_is_merged_and_a_taken_day_is_not_sent_again(store):
    store.subscribe(OLD, "group", EIGHT_UTC, at(6))
    store.mark_seen(OLD, "fiber-a", at(6))
    assert store.claim_delivery(OLD, date(2026, 3, 2), "fiber-a", at(8))
    store.finish_delivery(OLD, date(2026, 3, 2), DeliveryStatus.SENT, at(8), None)
    store.subscribe(NEW, "supergroup", EIGHT_UTC, at(9))
    store.mark_seen(NEW, "k2-b", at(9))
    store.set_schedule(NEW, at(9, 1), chat_type="supergroup", default=EIGHT_UTC, at=time(10))
    store.migrate(OLD, NEW, at(9, 5))
    assert store.seen_tips(NEW) == {"fiber-a", "k2-b"}
    assert store.subscriber(NEW).last_delivery == date(2026, 3, 2)  # Monday's tip went out
    assert store.due_subscribers(at(23, 59), 10) == []
    assert not store.claim_delivery(NEW, date(2026, 3, 2), "again", at(10))
    assert store.db.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 1


def test_a_taken_day_wins_over_the_same_day_left_free(store):
    store.subscribe(OLD, "group", EIGHT_UTC, at(6))
    store.subscribe(NEW, "supergroup", EIGHT_UTC, at(6))
    day = date(2026, 3, 2)
    store.claim_delivery(NEW, day, "failed-one", at(8))
    store.finish_delivery(NEW, day, DeliveryStatus.FAILED, at(8), None)
    store.claim_delivery(OLD, day, "sent-one", at(8, 1))
    store.finish_delivery(OLD, day, DeliveryStatus.SENT, at(8, 1), None)
    store.migrate(OLD, NEW, at(9))
    rows = store.db.execute(
        "SELECT d.chat_id, n.tip_id, d.status FROM deliveries d"
        " JOIN tip_numbers n ON n.number = d.tip"
    ).fetchall()
    assert rows == [(NEW, "sent-one", "sent")]


def test_migrating_twice_is_harmless(store):
    store.subscribe(OLD, "group", EIGHT_UTC, at(6))
    store.migrate(OLD, NEW)  # once from the old group's service message...
    store.migrate(OLD, NEW)  # ...and once from the new supergroup's
    assert store.subscriber(NEW).active and store.subscriber(OLD) is None
