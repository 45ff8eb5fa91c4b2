"""One bad row never stops everyone: broken rows written straight into a real SQLite file."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.delivery import Delivery
from scheduler.due import Schedule
from storage import Store
from tests.test_delivery import ScriptedSender, chooser

EIGHT_UTC = Schedule(time(8, 0), ZoneInfo("UTC"))
BERLIN_SEVEN = Schedule(time(7, 0), ZoneInfo("Europe/Berlin"))
SUBSCRIBED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GOOD, BAD = 1, 2

BROKEN = [
    ("timezone", "Mars/Olympus"),
    ("timezone", "../../etc/passwd"),
    ("timezone", "America"),
    ("timezone", ""),
    ("timezone", "Europe/Berlin\x00"),
    ("timezone", 42),
    ("delivery_time", "25:99"),
    ("delivery_time", "soon"),
    ("delivery_time", 800),
    ("schedule_since", "yesterday"),
    ("schedule_since", 10**15),
    ("last_delivered_at", "2026-03-01"),
]
IDS = [f"{column}={value!r}" for column, value in BROKEN]


def two_due_subscribers(store: Store, column: str, value: object) -> None:
    """A good subscriber and one whose `column` holds garbage, both due at 08:00 UTC."""
    for chat_id in (GOOD, BAD):
        store.subscribe(chat_id, "private", EIGHT_UTC, SUBSCRIBED)
    store.db.execute(f"UPDATE subscribers SET {column} = ? WHERE chat_id = ?", [value, BAD])


def problem_of(store: Store, chat_id: int) -> tuple[object, object]:
    row = store.db.execute(
        "SELECT problem, next_due_at FROM subscribers WHERE chat_id = ?", [chat_id]
    ).fetchone()
    return row[0], row[1]


@pytest.mark.parametrize(("column", "value"), BROKEN, ids=IDS)
def test_a_bad_row_is_skipped_and_taken_out_of_the_queue(store, column, value, caplog):
    two_due_subscribers(store, column, value)
    with caplog.at_level(logging.WARNING, logger="storage.tables.subscribers"):
        due = store.due_subscribers(EIGHT, 10)
    assert [s.chat_id for s in due] == [GOOD]
    problem, next_due_at = problem_of(store, BAD)
    assert column in problem and next_due_at is None
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith(f"Skipping subscriber {BAD} until it is fixed: {column} ")


@pytest.mark.parametrize(("column", "value"), BROKEN, ids=IDS)
def test_a_bad_row_is_logged_once_not_every_sweep(store, column, value, caplog):
    two_due_subscribers(store, column, value)
    with caplog.at_level(logging.WARNING, logger="storage.tables.subscribers"):
        store.due_subscribers(EIGHT, 10)
        assert len(caplog.records) == 1
        caplog.clear()
        store.due_subscribers(EIGHT, 10)
        store.refresh(BAD, EIGHT)
    assert caplog.records == []


@pytest.mark.parametrize(("column", "value"), BROKEN, ids=IDS)
def test_reading_a_bad_row_answers_instead_of_raising(store, column, value):
    two_due_subscribers(store, column, value)
    for read in (lambda: store.subscriber(BAD), lambda: store.refresh(BAD, EIGHT)):
        subscriber = read()
        assert subscriber.chat_id == BAD
        assert not subscriber.active  # so nothing promises a tip that will not come
        assert column in subscriber.problem
    assert store.subscriber(BAD, default=BERLIN_SEVEN).schedule.timezone in (
        BERLIN_SEVEN.timezone,
        EIGHT_UTC.timezone,  # columns that still read keep their values
    )


@pytest.mark.parametrize(("column", "value"), BROKEN, ids=IDS)
def test_start_repairs_a_bad_row_with_the_defaults(store, column, value):
    two_due_subscribers(store, column, value)
    store.due_subscribers(EIGHT, 10)
    subscriber, newly = store.subscribe(BAD, "private", BERLIN_SEVEN, EIGHT)
    assert newly and subscriber.active and subscriber.problem is None
    assert problem_of(store, BAD)[0] is None
    assert store.subscriber(BAD) == subscriber
    tomorrow = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    assert BAD in [s.chat_id for s in store.due_subscribers(tomorrow, 10)]


def test_a_new_timezone_repairs_a_row_whose_timezone_did_not_load(store):
    two_due_subscribers(store, "timezone", "Mars/Olympus")
    store.due_subscribers(EIGHT, 10)
    store.subscribe(BAD, "private", EIGHT_UTC, EIGHT)  # reactivated with the default zone...
    store.db.execute("UPDATE subscribers SET timezone = 'Mars/Olympus' WHERE chat_id = ?", [BAD])
    fixed = store.set_schedule(
        BAD, EIGHT, chat_type="private", default=EIGHT_UTC, timezone=ZoneInfo("Asia/Tokyo")
    )
    assert fixed.active and fixed.problem is None
    assert fixed.schedule.timezone.key == "Asia/Tokyo"


@pytest.mark.parametrize(("column", "value"), BROKEN, ids=IDS)
async def test_the_sweep_carries_on_past_a_bad_row(store, library, sleep, column, value):
    two_due_subscribers(store, column, value)
    sender = ScriptedSender()
    delivery = Delivery(
        store, chooser(store, library), sender.send, lambda: EIGHT, workers=8, sleep=sleep
    )
    assert await delivery.sweep() == {"sent": 1}
    assert [chat_id for chat_id, _ in sender.delivered] == [GOOD]


def test_a_batch_of_only_bad_rows_does_not_hide_the_good_ones_behind_it(store):
    for chat_id in range(1, 6):
        store.subscribe(chat_id, "private", EIGHT_UTC, SUBSCRIBED)
    store.db.execute("UPDATE subscribers SET next_due_at = next_due_at - 60 WHERE chat_id < 5")
    store.db.execute("UPDATE subscribers SET timezone = 'Nowhere' WHERE chat_id < 5")
    assert [s.chat_id for s in store.due_subscribers(EIGHT, 2)] == [5]


async def test_settings_still_answers_for_a_bad_row(bot, store):
    await bot.ask(7, "/start")
    store.db.execute("UPDATE subscribers SET timezone = 'Mars/Olympus' WHERE chat_id = 7")
    reply = await bot.ask(7, "/settings")
    assert "off ⏸ (/start to turn it on)" in reply
    welcome = await bot.ask(7, "/start")
    assert "Welcome to GutBone Daily" in welcome and "UTC" in welcome
    assert "on ✅" in await bot.ask(7, "/settings")
