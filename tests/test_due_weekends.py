"""A different time at weekends (`/time weekends 09:30`): the slot moves, one tip a day stays."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule, is_due, next_due, rescheduled, slot, time_on
from tests.test_due import walk

BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY = date(2026, 3, 6)  # Friday 6 March 2026: Saturday the 7th, Monday the 9th
WEEKDAYS_7_WEEKENDS_930 = Schedule(time(7, 0), BERLIN, weekend_at=time(9, 30))


def local(moment: datetime) -> tuple[date, time]:
    here = moment.astimezone(BERLIN)
    return here.date(), here.time().replace(second=0, microsecond=0)


def test_the_weekend_time_is_saturdays_and_sundays_only():
    days = [FRIDAY + timedelta(days=n) for n in range(4)]
    assert [time_on(WEEKDAYS_7_WEEKENDS_930, day) for day in days] == [
        time(7, 0),
        time(9, 30),
        time(9, 30),
        time(7, 0),
    ]
    assert time_on(Schedule(time(7, 0), BERLIN), days[1]) == time(7, 0)  # none set


def test_friday_to_monday_one_tip_a_day_each_at_its_days_time():
    start = datetime.combine(FRIDAY, time(0), BERLIN).astimezone(UTC)
    sent = walk(WEEKDAYS_7_WEEKENDS_930, start, start + timedelta(days=4))
    assert [local(moment) for moment in sent] == [
        (FRIDAY, time(7, 0)),
        (date(2026, 3, 7), time(9, 30)),
        (date(2026, 3, 8), time(9, 30)),
        (date(2026, 3, 9), time(7, 0)),
    ]


def test_a_weekend_time_earlier_than_the_weekday_one():
    schedule = Schedule(time(9, 30), BERLIN, weekend_at=time(6, 0))
    start = datetime.combine(FRIDAY, time(8, 0), BERLIN).astimezone(UTC)
    sent = walk(schedule, start, start + timedelta(days=4))
    assert [local(moment)[1] for moment in sent] == [time(9, 30), time(6), time(6), time(9, 30)]
    assert len({local(moment)[0] for moment in sent}) == 4


@pytest.mark.parametrize(
    ("saturday", "weekend_at", "sunday_local"),
    [
        (date(2026, 3, 28), time(2, 30), time(3, 0)),  # spring forward: 02:30 does not exist
        (date(2026, 3, 28), time(9, 30), time(9, 30)),
        (date(2026, 10, 24), time(2, 30), time(2, 30)),  # fall back: 02:30 happens twice
        (date(2026, 10, 24), time(9, 30), time(9, 30)),
    ],
)
def test_a_dst_weekend_in_berlin_keeps_one_tip_a_day(saturday, weekend_at, sunday_local):
    schedule = Schedule(time(7, 0), BERLIN, weekend_at=weekend_at)
    start = datetime.combine(saturday - timedelta(days=1), time(0), BERLIN).astimezone(UTC)
    sent = walk(schedule, start, start + timedelta(days=4))
    days = [local(moment)[0] for moment in sent]
    assert days == [saturday + timedelta(days=n) for n in range(-1, 3)]
    assert local(sent[2]) == (saturday + timedelta(days=1), sunday_local)
    assert sent[2].astimezone(BERLIN).fold == 0  # the first 02:30 of a fall-back night
    assert local(sent[3])[1] == time(7, 0)


def test_changing_the_weekend_time_on_saturday_after_its_tip_sends_no_second_one():
    saturday = date(2026, 3, 7)
    sent_at = slot(WEEKDAYS_7_WEEKENDS_930, saturday)  # 09:30 Berlin: the tip went out
    now = sent_at + timedelta(hours=1)  # 10:30: asks for 11:00 at weekends
    later = replace(WEEKDAYS_7_WEEKENDS_930, weekend_at=time(11, 0))
    moved = rescheduled(WEEKDAYS_7_WEEKENDS_930, later, saturday, now)
    due = next_due(moved, saturday, now)
    assert local(due) == (date(2026, 3, 8), time(11, 0))  # Sunday's, at the new time
    for minute in range(0, 14 * 60):  # the rest of Saturday: nothing more
        assert not is_due(moved, saturday, now + timedelta(minutes=minute))


def test_an_earlier_weekend_time_set_before_saturdays_tip_sends_it_at_once():
    saturday = date(2026, 3, 7)
    now = datetime.combine(saturday, time(8, 0), BERLIN).astimezone(UTC)  # before 09:30
    earlier = replace(WEEKDAYS_7_WEEKENDS_930, weekend_at=time(7, 30))
    moved = rescheduled(WEEKDAYS_7_WEEKENDS_930, earlier, date(2026, 3, 6), now)
    assert next_due(moved, date(2026, 3, 6), now) == now  # still owed today: now, not twice
    assert local(next_due(moved, saturday, now)) == (date(2026, 3, 8), time(7, 30))


def test_turning_the_weekend_time_off_goes_back_to_the_weekday_time():
    saturday = date(2026, 3, 7)
    now = datetime.combine(saturday, time(6, 0), BERLIN).astimezone(UTC)
    off = replace(WEEKDAYS_7_WEEKENDS_930, weekend_at=None)
    moved = rescheduled(WEEKDAYS_7_WEEKENDS_930, off, date(2026, 3, 6), now)
    assert local(next_due(moved, date(2026, 3, 6), now)) == (saturday, time(7, 0))
