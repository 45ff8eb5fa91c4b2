"""The due decision across days, DST changes, schedule changes and downtime."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule, is_due, local_date, next_due, slot

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def walk(schedule: Schedule, start: datetime, end: datetime, step=timedelta(minutes=1)):
    """Simulate a bot, subscribed at `start`, sweeping every minute: when tips go out."""
    schedule = replace(schedule, since=start)
    last, sent, now = None, [], start
    while now < end:
        if is_due(schedule, last, now):
            sent.append(now)
            last = local_date(schedule, now)
        now += step
    return sent


def test_due_at_the_local_time_not_before():
    schedule = Schedule(time(8, 0), BERLIN)  # 08:00 CET = 07:00 UTC in winter
    assert not is_due(schedule, None, utc(2026, 1, 15, 6, 59))
    assert is_due(schedule, None, utc(2026, 1, 15, 7, 0))


def test_not_due_again_the_same_local_day():
    schedule = Schedule(time(8, 0), BERLIN)
    assert not is_due(schedule, date(2026, 1, 15), utc(2026, 1, 15, 22, 0))
    assert next_due(schedule, date(2026, 1, 15), utc(2026, 1, 15, 22, 0)) == utc(2026, 1, 16, 7)


def test_local_date_not_utc_date_decides():
    # 23:30 in Auckland is already the next day there while UTC is still on the day before.
    schedule = Schedule(time(23, 30), ZoneInfo("Pacific/Auckland"))
    now = utc(2026, 1, 15, 10, 30)  # 23:30 NZDT on 15 Jan
    assert local_date(schedule, now) == date(2026, 1, 15)
    assert is_due(schedule, date(2026, 1, 14), now)


def test_one_tip_per_day_over_a_month():
    schedule = Schedule(time(7, 30), NEW_YORK)
    sent = walk(schedule, utc(2026, 6, 1), utc(2026, 7, 1))
    assert len(sent) == 30
    assert all(moment.astimezone(NEW_YORK).time() == time(7, 30) for moment in sent)


@pytest.mark.parametrize(
    ("zone", "spring_day"),
    [(BERLIN, date(2026, 3, 29)), (NEW_YORK, date(2026, 3, 8))],
)
def test_spring_forward_gap_delivers_at_the_next_valid_minute(zone, spring_day):
    schedule = Schedule(time(2, 30), zone)  # 02:30 does not exist that night
    delivered = slot(schedule, spring_day).astimezone(zone)
    assert (delivered.hour, delivered.minute) == (3, 0)
    sent = walk(schedule, utc(2026, 3, 1), utc(2026, 4, 1))
    assert [m.astimezone(zone).date() for m in sent] == [
        date(2026, 3, 1) + timedelta(days=n) for n in range(31)
    ]


@pytest.mark.parametrize(
    ("zone", "fall_day"),
    [(BERLIN, date(2026, 10, 25)), (NEW_YORK, date(2026, 11, 1))],
)
def test_fall_back_day_delivers_once_at_the_first_occurrence(zone, fall_day):
    schedule = Schedule(time(1, 30), zone)  # 01:30 happens twice in New York
    start = datetime.combine(fall_day, time(0), zone).astimezone(UTC)
    sent = walk(schedule, start, start + timedelta(hours=30))
    assert len([m for m in sent if m.astimezone(zone).date() == fall_day]) == 1
    first = slot(schedule, fall_day)
    assert first.astimezone(zone).fold == 0


def test_daily_times_stay_local_across_dst():
    schedule = Schedule(time(8, 0), BERLIN)
    assert slot(schedule, date(2026, 3, 28)) == utc(2026, 3, 28, 7)  # CET
    assert slot(schedule, date(2026, 3, 29)) == utc(2026, 3, 29, 6)  # CEST


def test_downtime_same_day_is_caught_up():
    schedule = Schedule(time(8, 0), BERLIN, since=utc(2026, 1, 1))
    # The bot was down from 06:00 to 11:00 UTC: on return, today's tip is still owed.
    assert is_due(schedule, date(2026, 1, 14), utc(2026, 1, 15, 11, 0))


def test_downtime_across_days_owes_only_today():
    schedule = Schedule(time(8, 0), BERLIN, since=utc(2026, 1, 1))
    back = utc(2026, 1, 18, 5, 0)  # before today's 08:00 local, three days after the last tip
    assert not is_due(schedule, date(2026, 1, 15), back)
    assert next_due(schedule, date(2026, 1, 15), back) == utc(2026, 1, 18, 7)


def test_a_time_set_after_it_passed_starts_tomorrow():
    changed = utc(2026, 1, 15, 22, 0)
    schedule = Schedule(time(7, 0), ZoneInfo("UTC"), since=changed)
    assert not is_due(schedule, None, changed)
    assert next_due(schedule, None, changed) == utc(2026, 1, 16, 7)


def test_a_later_time_set_the_same_day_still_delivers_today():
    changed = utc(2026, 1, 15, 6, 0)
    schedule = Schedule(time(9, 0), ZoneInfo("UTC"), since=changed)
    assert next_due(schedule, None, changed) == utc(2026, 1, 15, 9)
