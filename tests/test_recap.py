"""The weekly recap's rules (`habits.recap`), and what the store keeps for it: the setting,
the week last recapped (claimed once), the latest 👍 with its time, garbage read leniently."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from habits.recap import Recap, WeekRecord, recap_due
from habits.streaks import NONE, fold
from scheduler.due import Schedule

UTC_ZONE = ZoneInfo("UTC")
MONDAY = date(2026, 3, 2)
SUNDAY = date(2026, 3, 8)
SUNDAY_EIGHT = datetime(2026, 3, 8, 8, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def tally_of(*days: date):
    tally = NONE
    for day in sorted(days):
        tally = fold(tally, day)
    return tally


def record(**changes) -> WeekRecord:
    """Check-ins on Monday, Tuesday and Thursday to Sunday, 12 plants this week."""
    days = [MONDAY, MONDAY + DAY, *(MONDAY + DAY * n for n in range(3, 7))]
    values = {"tally": tally_of(*days), "plants_week": MONDAY, "plants": 12} | changes
    return WeekRecord(**values)


def test_sundays_tip_brings_the_week():
    recap = recap_due(record(), SUNDAY, SUNDAY_EIGHT, UTC_ZONE)
    # Wednesday is a frozen (forgiven) day: the run holds its 6 check-in days
    assert recap == Recap(MONDAY, (True, True, False, True, True, True, True), 6, 12, None)
    assert recap.days_checked == 6


@pytest.mark.parametrize("day", [MONDAY + DAY * n for n in range(6)])
def test_no_recap_on_other_days(day):
    now = datetime.combine(day, time(8), UTC)
    assert recap_due(record(), day, now, UTC_ZONE) is None


def test_the_subscribers_own_sunday_counts_not_utcs():
    tokyo = ZoneInfo("Asia/Tokyo")
    saturday_utc = datetime(2026, 3, 7, 23, 30, tzinfo=UTC)  # Sunday 08:30 in Tokyo
    assert recap_due(record(), SUNDAY, saturday_utc, tokyo) is not None
    assert recap_due(record(), SUNDAY, saturday_utc, UTC_ZONE) is None
    new_york = ZoneInfo("America/New_York")
    sunday_utc = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)  # still Saturday in New York
    assert recap_due(record(), SUNDAY, sunday_utc, new_york) is None


def test_a_tip_recorded_after_its_day_brings_no_recap():
    assert recap_due(record(), SUNDAY - DAY, SUNDAY_EIGHT, UTC_ZONE) is None


def test_once_a_week_and_only_when_wanted():
    assert recap_due(record(recapped=MONDAY), SUNDAY, SUNDAY_EIGHT, UTC_ZONE) is None
    assert recap_due(record(recapped=MONDAY - 7 * DAY), SUNDAY, SUNDAY_EIGHT, UTC_ZONE)
    assert recap_due(record(wanted=False), SUNDAY, SUNDAY_EIGHT, UTC_ZONE) is None


def test_an_empty_week_brings_nothing():
    empty = WeekRecord(tally=tally_of(MONDAY - 3 * DAY), plants_week=MONDAY, plants=0)
    assert recap_due(empty, SUNDAY, SUNDAY_EIGHT, UTC_ZONE) is None
    last_weeks_plants = WeekRecord(plants_week=MONDAY - 7 * DAY, plants=9)
    assert recap_due(last_weeks_plants, SUNDAY, SUNDAY_EIGHT, UTC_ZONE) is None


@pytest.mark.parametrize(
    ("liked_at", "shown"),
    [
        (datetime(2026, 3, 4, 9, 0, tzinfo=UTC), "tea-a"),  # this week
        (datetime(2026, 3, 1, 23, 0, tzinfo=UTC), None),  # last Sunday
    ],
)
def test_the_tip_liked_this_week(liked_at, shown):
    only_a_vote = WeekRecord(liked="tea-a", liked_at=liked_at)
    recap = recap_due(only_a_vote, SUNDAY, SUNDAY_EIGHT, UTC_ZONE)
    assert (recap.liked if recap else None) == shown
    assert recap is None or (recap.checked, recap.plants) == ((False,) * 7, 0)


# --- the store ------------------------------------------------------------------------------

EIGHT_UTC = Schedule(time(8), UTC_ZONE)
START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_a_new_chat_wants_the_recap_and_has_had_none(store):
    assert store.week_record(5, MONDAY) is None
    store.subscribe(5, "private", EIGHT_UTC, START)
    assert store.week_record(5, MONDAY) == WeekRecord(NONE, MONDAY, 0, wanted=True)


def test_the_record_holds_checkins_plants_and_the_latest_like(store):
    store.subscribe(5, "private", EIGHT_UTC, START)
    store.check_in(5, MONDAY)
    store.add_plants(5, MONDAY, ["oats", "kale"])
    store.vote(5, "tea-a", 1, START)
    store.vote(5, "k2-b", 1, START + DAY)
    found = store.week_record(5, MONDAY)
    assert (found.tally, found.plants) == (tally_of(MONDAY), 2)
    assert (found.liked, found.liked_at) == ("k2-b", START + DAY)
    store.vote(5, "tea-a", -1, START + 2 * DAY)  # a 👎 on another tip changes nothing
    assert store.week_record(5, MONDAY).liked == "k2-b"
    store.vote(5, "k2-b", -1, START + 2 * DAY)  # taken back
    assert store.week_record(5, MONDAY).liked is None


def test_a_week_is_claimed_once(store):
    store.subscribe(5, "private", EIGHT_UTC, START)
    assert store.claim_recap_week(5, MONDAY)
    assert not store.claim_recap_week(5, MONDAY)
    assert store.week_record(5, MONDAY).recapped == MONDAY
    assert store.claim_recap_week(5, MONDAY + 7 * DAY)
    assert not store.claim_recap_week(6, MONDAY)  # no such chat


def test_the_setting_is_kept_and_needs_a_row(store):
    assert not store.set_weekly_recap(5, False, START)
    store.subscribe(5, "private", EIGHT_UTC, START)
    assert store.set_weekly_recap(5, False, START)
    assert store.recap_state(5).wanted is False
    assert store.set_weekly_recap(5, True, START)
    assert store.recap_state(5).wanted is True


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("weekly_recap", 7),
        ("weekly_recap", "off"),
        ("recap_week", "last week"),
        ("recap_week", 42),  # stored as the text "42"
        ("liked_tip", "tea-a"),
        ("liked_at", "yesterday"),
        ("liked_at", 1.5),
    ],
)
def test_garbage_in_the_recap_columns_reads_as_the_defaults(store, column, value):
    store.subscribe(5, "private", EIGHT_UTC, START)
    store.vote(5, "tea-a", 1, START)
    store.db.execute(f"UPDATE subscribers SET {column} = ? WHERE chat_id = 5", [value])
    state = store.recap_state(5)
    defaults = {"weekly_recap": True, "recap_week": None, "liked_tip": None, "liked_at": None}
    read = {
        "weekly_recap": state.wanted,
        "recap_week": state.recapped,
        "liked_tip": state.liked_tip,
        "liked_at": state.liked_at,
    }
    assert read[column] == defaults[column]
    assert store.subscriber(5).active  # the subscription itself is untouched
    assert store.week_record(5, MONDAY) is not None
    assert store.claim_recap_week(5, MONDAY)  # garbage in the week is overwritten


# --- what the delivery tells the recap ------------------------------------------------------


async def test_a_tip_recorded_as_sent_is_told_after_it_is_recorded(
    store, library, clock, sleep, caplog
):
    from scheduler.lifecycle import DeliveryStatus
    from scheduler.outcomes import Gone
    from tests.test_delivery import ScriptedSender, make_delivery, subscribe

    told = []

    def listener(chat_id, day):
        told.append((chat_id, day, store.delivery_status(chat_id, day)))
        raise RuntimeError("a broken listener")

    sender = ScriptedSender()
    sender.script[2] = [Gone("blocked")]
    subscribe(store, clock, 1, 2)
    delivery = make_delivery(store, library, sender, clock, sleep, sent_listeners=[listener])
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert await delivery.sweep() == {"sent": 1, "blocked": 1}
    assert told == [(1, MONDAY, DeliveryStatus.SENT)]  # the blocked chat is not told
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        "After chat 1's tip: RuntimeError: a broken listener"
    ]
    assert await delivery.sweep() == {}  # the tip stays recorded: nothing again


async def test_the_picture_waits_behind_every_daily_tip_waiting(pacing):
    """The recap goes at the gateway's lowest priority: queued first, it still goes last."""
    import asyncio

    from bot.transport.gateway import Gateway, Send
    from scheduler.pacing import Priority
    from tests.test_gateway import LIMITS, Telegram, send

    gateway = Gateway(LIMITS, clock=pacing.clock, sleep=pacing.sleep, reply_deadline=60)
    await gateway.initialize()
    telegram = Telegram(pacing)
    try:
        first = asyncio.ensure_future(send(gateway, telegram, 1, "tip", Send(Priority.TIP)))
        await asyncio.sleep(0)
        extras = [send(gateway, telegram, 100 + n, "recap", Send(Priority.EXTRA)) for n in range(3)]
        tips = [send(gateway, telegram, chat, "tip", Send(Priority.TIP)) for chat in range(2, 12)]
        await asyncio.gather(first, *extras, *tips)
    finally:
        await gateway.shutdown()
    assert telegram.texts() == ["tip"] * 11 + ["recap"] * 3


async def test_a_stop_cancels_a_picture_held_on_the_wire_and_its_week_stays_claimed(store, library):
    import asyncio

    from bot.commands.weekly import WeeklyRecaps

    class HangingBot:
        def __init__(self) -> None:
            self.calls = 0

        async def send_photo(self, *args, **kwargs):
            self.calls += 1
            await asyncio.Event().wait()  # Telegram never answers

    bot = HangingBot()
    store.subscribe(5, "private", EIGHT_UTC, START)
    store.check_in(5, MONDAY)
    recaps = WeeklyRecaps(bot, store, library, lambda: SUNDAY_EIGHT)
    recaps.after_tip(5, SUNDAY)
    while not bot.calls:
        await asyncio.sleep(0)
    await recaps.close(0.01)
    await recaps.settled()  # nothing is left running
    assert store.recap_state(5).recapped == MONDAY
    again = WeeklyRecaps(bot, store, library, lambda: SUNDAY_EIGHT)  # the next life
    again.after_tip(5, SUNDAY)
    await again.settled()
    await again.close(0.01)
    assert bot.calls == 1


async def test_only_sundays_tips_are_looked_into(store, library):
    """The other six days cost the delivery nothing: no task, no read."""
    from bot.commands.weekly import WeeklyRecaps

    recaps = WeeklyRecaps(None, store, library, lambda: SUNDAY_EIGHT)
    for n in range(6):
        recaps.after_tip(5, MONDAY + n * DAY)
    assert recaps._waiting is None
