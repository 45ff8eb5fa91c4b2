"""When a subscriber's daily tip is due: pure functions of (preferences, last delivery, now).

A subscriber gets one tip per *local* calendar day, at or after their chosen local time.
Everything here takes `now` as an argument, so tests can walk through days, DST changes and
restarts without a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Schedule:
    """A subscriber's delivery preferences: local time of day and IANA timezone.

    `since` is when they were last set (subscribing, or changing time or timezone): a day
    whose delivery time had already passed by then is not owed, so changing the time at
    23:00 to 07:00 does not send a tip at once.
    """

    at: time
    timezone: ZoneInfo
    since: datetime | None = None


def local_date(schedule: Schedule, now: datetime) -> date:
    """The subscriber's calendar date at instant `now`."""
    return now.astimezone(schedule.timezone).date()


def slot(schedule: Schedule, day: date) -> datetime:
    """The UTC instant of the delivery on local `day`.

    A local time that does not exist (the spring-forward gap) moves to the first valid minute
    after the gap; a time that happens twice (fall-back) uses its first occurrence.
    """
    naive = datetime.combine(day, schedule.at)
    for _ in range(24 * 60):
        local = naive.replace(tzinfo=schedule.timezone, fold=0)
        instant = local.astimezone(UTC)
        if instant.astimezone(schedule.timezone).replace(tzinfo=None) == naive:
            return instant
        naive += _MINUTE
    raise ValueError(f"no valid local time on {day} in {schedule.timezone}")


def is_due(schedule: Schedule, last_delivery: date | None, now: datetime) -> bool:
    """True when the current local day's tip has not gone out and its time has come."""
    return now >= next_due(schedule, last_delivery, now)


def next_due(schedule: Schedule, last_delivery: date | None, now: datetime) -> datetime:
    """The instant of the next delivery owed; in the past means due now (catch-up).

    Today's tip is owed if it has not gone out and its time came after `schedule.since`;
    otherwise tomorrow's. A tip missed on an earlier day (the bot was down all day) is not
    owed any more: one tip per local day, never two to make up.
    """
    today = local_date(schedule, now)
    day = today if last_delivery is None or last_delivery < today else today + _DAY
    due = slot(schedule, day)
    if schedule.since is not None and due < schedule.since:
        due = slot(schedule, day + _DAY)
    return due
