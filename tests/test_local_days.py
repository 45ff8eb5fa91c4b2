"""One tip per local day in the timezone the subscriber has *now*, walked through the issue's
scenarios with `now` as an input: Tokyo → Los Angeles, `/time` to a just-passed minute, DST."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.due import (
    Schedule,
    day_start,
    delivered_day,
    is_due,
    local_date,
    next_due,
    rescheduled,
)
from scheduler.records import DeliveryStatus
from storage import Store

TOKYO = ZoneInfo("Asia/Tokyo")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")
NEW_YORK = ZoneInfo("America/New_York")
UTC_ZONE = ZoneInfo("UTC")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def deliver_due(store: Store, now: datetime) -> list[int]:
    """What the sweep does, without Telegram: claim everyone due and mark them sent."""
    sent = []
    for subscriber in store.due_subscribers(now, 100):
        if not is_due(subscriber.schedule, subscriber.last_delivery, now):
            store.refresh(subscriber.chat_id, now)
            continue
        day = local_date(subscriber.schedule, now)
        if store.claim_delivery(subscriber.chat_id, day, "tip", now):
            store.finish_delivery(subscriber.chat_id, day, DeliveryStatus.SENT, now, None)
            sent.append(subscriber.chat_id)
    return sent


def promised(store: Store, chat_id: int, now: datetime) -> datetime:
    """What `/settings` would say: the next delivery, from the stored subscriber."""
    subscriber = store.subscriber(chat_id)
    return next_due(subscriber.schedule, subscriber.last_delivery, now)


# Pure rules -------------------------------------------------------------------------------


def test_a_delivery_counts_for_its_local_day_in_the_current_zone():
    tokyo_eight = utc(2026, 3, 1, 23, 0)  # Mon 2 Mar 08:00 in Tokyo
    assert delivered_day(Schedule(time(8), TOKYO), tokyo_eight) == date(2026, 3, 2)
    assert delivered_day(Schedule(time(8), LOS_ANGELES), tokyo_eight) == date(2026, 3, 1)


def test_after_moving_from_tokyo_to_los_angeles_the_next_tip_is_the_next_la_morning():
    la = Schedule(time(8), LOS_ANGELES, since=utc(2026, 3, 1))
    moved = utc(2026, 3, 2, 0, 30)  # 09:30 in Tokyo, Sun 1 Mar 16:30 in Los Angeles
    last = delivered_day(la, utc(2026, 3, 1, 23, 0))
    assert next_due(la, last, moved) == utc(2026, 3, 2, 16, 0)  # Mon 2 Mar 08:00 PST


def test_days_meet_without_a_gap_across_dst():
    schedule = Schedule(time(8), NEW_YORK)
    spring = date(2026, 3, 8)
    assert day_start(schedule, spring) == utc(2026, 3, 8, 5)
    assert day_start(schedule, spring + timedelta(days=1)) == utc(2026, 3, 9, 4)  # 23 h day


def test_time_set_to_a_just_passed_minute_before_todays_tip_is_due_now():
    old = Schedule(time(8), UTC_ZONE, since=utc(2026, 3, 1))
    now = utc(2026, 3, 2, 7, 31)
    new = rescheduled(old, Schedule(time(7, 30), UTC_ZONE), None, now)
    assert next_due(new, None, now) == now


def test_time_set_after_todays_tip_came_waits_for_tomorrow():
    old = Schedule(time(8), UTC_ZONE, since=utc(2026, 3, 1))
    now = utc(2026, 3, 2, 9, 0)
    new = rescheduled(old, Schedule(time(8, 30), UTC_ZONE), date(2026, 3, 2), now)
    assert next_due(new, date(2026, 3, 2), now) == utc(2026, 3, 3, 8, 30)


def test_time_set_by_a_chat_that_subscribed_after_todays_time_starts_tomorrow():
    old = Schedule(time(8), UTC_ZONE, since=utc(2026, 3, 2, 22, 0))  # /start at 22:00
    now = utc(2026, 3, 2, 22, 5)
    new = rescheduled(old, Schedule(time(7), UTC_ZONE), None, now)
    assert next_due(new, None, now) == utc(2026, 3, 3, 7, 0)


def test_a_later_time_set_before_todays_tip_still_delivers_today():
    old = Schedule(time(8), UTC_ZONE, since=utc(2026, 3, 1))
    now = utc(2026, 3, 2, 7, 0)
    new = rescheduled(old, Schedule(time(9), UTC_ZONE), None, now)
    assert next_due(new, None, now) == utc(2026, 3, 2, 9)


# Through the store ------------------------------------------------------------------------


def test_tokyo_to_los_angeles_the_same_calendar_date_skips_nothing(store):
    store.subscribe(1, "private", Schedule(time(8), TOKYO), utc(2026, 2, 28))
    assert deliver_due(store, utc(2026, 3, 1, 23, 0)) == [1]  # Mon 2 Mar 08:00 in Tokyo
    moved = utc(2026, 3, 2, 0, 30)
    subscriber = store.set_schedule(
        1, moved, chat_type="private", default=Schedule(time(8), TOKYO), timezone=LOS_ANGELES
    )
    assert subscriber.last_delivery == date(2026, 3, 1)  # it fell on Sun 1 Mar in LA
    assert promised(store, 1, moved) == utc(2026, 3, 2, 16, 0)  # "Next tip: Mon 02 Mar, 08:00"
    assert deliver_due(store, utc(2026, 3, 2, 15, 59)) == []
    assert deliver_due(store, utc(2026, 3, 2, 16, 0)) == [1]  # as promised, not 41 h later
    assert deliver_due(store, utc(2026, 3, 3, 7, 59)) == []  # still Mon 2 Mar in LA


def test_los_angeles_to_tokyo_sends_no_second_tip_on_a_tokyo_day(store):
    store.subscribe(1, "private", Schedule(time(8), LOS_ANGELES), utc(2026, 2, 28))
    assert deliver_due(store, utc(2026, 3, 1, 16, 0)) == [1]  # Sun 1 Mar 08:00 in LA
    moved = utc(2026, 3, 1, 17, 0)  # already Mon 2 Mar 02:00 in Tokyo, where the tip fell
    store.set_schedule(
        1, moved, chat_type="private", default=Schedule(time(8), TOKYO), timezone=TOKYO
    )
    assert promised(store, 1, moved) == utc(2026, 3, 2, 23, 0)  # Tue 3 Mar 08:00 in Tokyo
    assert deliver_due(store, utc(2026, 3, 1, 23, 0)) == []  # Mon 2 Mar 08:00: had its tip


def test_a_claim_is_refused_for_a_day_that_already_had_a_tip_under_another_date_key(store):
    store.subscribe(1, "private", Schedule(time(8), LOS_ANGELES), utc(2026, 2, 28))
    assert deliver_due(store, utc(2026, 3, 1, 16, 0)) == [1]  # key 2026-03-01 (LA)
    store.set_schedule(
        1,
        utc(2026, 3, 1, 17, 0),
        chat_type="private",
        default=Schedule(time(8), TOKYO),
        timezone=TOKYO,
    )
    # Tokyo's Mon 2 Mar already holds that tip, whatever its key says:
    assert not store.claim_delivery(1, date(2026, 3, 2), "again", utc(2026, 3, 1, 23, 0))


def test_time_to_a_just_passed_minute_sends_todays_tip_at_once(store):
    eight = Schedule(time(8), UTC_ZONE)
    store.subscribe(1, "private", eight, utc(2026, 3, 1, 12))
    now = utc(2026, 3, 2, 7, 31)
    store.set_schedule(1, now, chat_type="private", default=eight, at=time(7, 30))
    assert promised(store, 1, now) == now
    assert deliver_due(store, now) == [1]
    assert deliver_due(store, utc(2026, 3, 2, 23, 59)) == []


def test_time_changed_after_todays_tip_does_not_send_another(store):
    eight = Schedule(time(8), UTC_ZONE)
    store.subscribe(1, "private", eight, utc(2026, 3, 1, 12))
    assert deliver_due(store, utc(2026, 3, 2, 8)) == [1]
    now = utc(2026, 3, 2, 9)
    store.set_schedule(1, now, chat_type="private", default=eight, at=time(8, 30))
    assert promised(store, 1, now) == utc(2026, 3, 3, 8, 30)
    assert deliver_due(store, utc(2026, 3, 2, 23, 59)) == []


def test_a_month_of_moves_and_dst_gives_one_tip_per_current_local_day(store):
    """Every 10 minutes for a month across New York's DST change, moving zone every few days:
    each local day of the zone held at the moment of delivery gets exactly one tip."""
    zones = [NEW_YORK, TOKYO, LOS_ANGELES, ZoneInfo("Europe/Berlin"), NEW_YORK]
    store.subscribe(1, "private", Schedule(time(2, 30), NEW_YORK), utc(2026, 2, 27))
    now, days = utc(2026, 3, 1), Counter()
    while now < utc(2026, 3, 31):
        zone = zones[(now - utc(2026, 3, 1)).days // 6]
        if store.subscriber(1).schedule.timezone != zone:
            store.set_schedule(
                1, now, chat_type="private", default=Schedule(time(8), zone), timezone=zone
            )
        if deliver_due(store, now):
            days[(zone.key, now.astimezone(zone).date())] += 1
        now += timedelta(minutes=10)
    assert set(days.values()) == {1}
    assert len(days) >= 29  # a move eastwards can skip at most the day it jumps over


def test_a_move_east_after_todays_tip_owes_only_times_still_ahead():
    """The documented rule of `rescheduled`: today's tip went out, so the new schedule owes
    only what is still ahead, even though the new zone's date has already turned."""
    old = Schedule(time(0, 30), LOS_ANGELES, since=utc(2026, 3, 1))
    delivered = utc(2026, 3, 2, 8, 30)  # Mon 2 Mar 00:30 in LA (17:30 in Tokyo)
    now = utc(2026, 3, 2, 18, 0)  # Mon 10:00 in LA, already Tue 3 Mar 03:00 in Tokyo
    new = rescheduled(old, Schedule(time(1, 0), TOKYO), delivered_day(old, delivered), now)
    assert next_due(new, delivered_day(new, delivered), now) == utc(2026, 3, 3, 16, 0)


def test_a_time_set_to_midnight_before_todays_delivery_still_gets_todays_tip():
    old = Schedule(time(8), UTC_ZONE, since=utc(2026, 3, 1))
    now = utc(2026, 3, 2, 7, 0)  # before today's 08:00 tip
    new = rescheduled(old, Schedule(time(0, 0), UTC_ZONE), None, now)
    assert new.since == utc(2026, 3, 2, 0, 0)  # today's midnight slot is owed from its start
    assert next_due(new, None, now) == now
