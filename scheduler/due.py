"""When a subscriber's daily tip is due: pure functions of (preferences, last delivery, now).

A subscriber gets one tip per local day *in the timezone they have now*, at or after their
chosen local time; a tip already delivered counts for the local day (in that zone) in which it
was delivered. Deliveries are therefore remembered as UTC instants and turned into local days
only when asked, so moving from Tokyo to Los Angeles neither skips nor doubles a day.
Everything here takes `now` as an argument, so tests can walk through days, DST changes and
restarts without a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Schedule:
    """A subscriber's delivery preferences: local time of day and IANA timezone.

    `since` is the instant from which tips are owed: a day whose delivery time came before it
    is not owed, so subscribing at 23:00 with a 07:00 schedule does not send a tip at once.
    `rescheduled` moves it when the time or timezone changes (see there).
    `paused_until` is the instant a pause ends (`/pause`): no day whose delivery time comes
    before it is owed, and the first one after it is, with nothing to do to resume.
    `weekend_at`, when set, is the local time on Saturdays and Sundays instead of `at`
    (`/time weekends 09:30`); it only moves a day's slot, so one tip per local day still holds.
    """

    at: time
    timezone: ZoneInfo
    since: datetime | None = None
    paused_until: datetime | None = None
    weekend_at: time | None = None


_SATURDAY = 5


def time_on(schedule: Schedule, day: date) -> time:
    """The local delivery time on `day`: the weekend time on Saturday and Sunday, if set."""
    if schedule.weekend_at is not None and day.weekday() >= _SATURDAY:
        return schedule.weekend_at
    return schedule.at


def local_date(schedule: Schedule, now: datetime) -> date:
    """The subscriber's calendar date at instant `now`."""
    return _date_in(schedule.timezone, now)


def delivered_day(schedule: Schedule, delivered_at: datetime | None) -> date | None:
    """The local day, in the schedule's (current) timezone, that a delivery counts for."""
    return None if delivered_at is None else local_date(schedule, delivered_at)


def day_start(schedule: Schedule, day: date) -> datetime:
    """The UTC instant local `day` begins; a day is `[day_start(d), day_start(d + 1))`.

    Midnight inside a DST gap maps to the instant the clocks jump, so consecutive days still
    meet without a hole.
    """
    return _midnight(schedule.timezone, day)


# Pure, and shared by every chat in a zone (or at a time): a claim batch asks the same few
# thousand times, so these are cached rather than recomputed through zoneinfo each time.
@lru_cache(maxsize=4096)
def _date_in(zone: ZoneInfo, instant: datetime) -> date:
    # a batch asks at one `now`, and its chats' last tips share their claim instants
    return instant.astimezone(zone).date()


@lru_cache(maxsize=4096)
def _midnight(zone: ZoneInfo, day: date) -> datetime:
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def pause_end(schedule: Schedule, days: int, now: datetime) -> datetime:
    """When a pause of `days` days asked for at `now` ends: the start of the local day after
    the `days` following today, so `/pause 1` skips all of tomorrow (and whatever of today's
    tip has not gone out yet)."""
    return day_start(schedule, local_date(schedule, now) + timedelta(days=days + 1))


def is_paused(schedule: Schedule, now: datetime) -> bool:
    """True while a pause set on this schedule has not ended."""
    return schedule.paused_until is not None and now < schedule.paused_until


def rescheduled(
    old: Schedule, new: Schedule, last_delivery: date | None, now: datetime
) -> Schedule:
    """`new`, with `since` chosen so that a tip still owed today stays owed.

    If today's tip had not gone out yet under the old schedule, it is owed under the new one
    too, at once if the new time has already passed (`/time 07:00` at 07:30, before the
    08:00 tip: the tip comes now). Otherwise (already delivered, or not owed today) only times
    still ahead are owed, as after subscribing.
    """
    owed_today = local_date(old, next_due(old, last_delivery, now)) == local_date(old, now)
    since = day_start(new, local_date(new, now)) if owed_today else now
    return replace(new, since=since)


def slot(schedule: Schedule, day: date) -> datetime:
    """The UTC instant of the delivery on local `day`.

    A local time that does not exist (the spring-forward gap) moves to the first valid minute
    after the gap; a time that happens twice (fall-back) uses its first occurrence. The time is
    the day's own (`time_on`): a weekend time on Saturday and Sunday.
    """
    return _slot(time_on(schedule, day), schedule.timezone, day)


@lru_cache(maxsize=4096)
def _slot(at: time, zone: ZoneInfo, day: date) -> datetime:
    naive = datetime.combine(day, at)
    for _ in range(24 * 60):
        local = naive.replace(tzinfo=zone, fold=0)
        instant = local.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == naive:
            return instant
        naive += _MINUTE
    raise ValueError(f"no valid local time on {day} in {zone}")


def is_due(schedule: Schedule, last_delivery: date | None, now: datetime) -> bool:
    """True when the current local day's tip has not gone out and its time has come."""
    return now >= next_due(schedule, last_delivery, now)


def next_due(schedule: Schedule, last_delivery: date | None, now: datetime) -> datetime:
    """The instant of the next delivery owed; `now` itself when it is owed already.

    Today's tip is owed if it has not gone out and its time came at or after
    `schedule.since`; otherwise tomorrow's. A tip missed on an earlier day (the bot was down
    all day) is not owed any more: one tip per local day, never two to make up. A tip owed
    since earlier today is due `now`, so what `/settings` promises is when it really comes.
    While paused, the first delivery time at or after `schedule.paused_until` is next.
    """
    today = local_date(schedule, now)
    day = today if last_delivery is None or last_delivery < today else today + _DAY
    due = slot(schedule, day)
    if schedule.since is not None and due < schedule.since:
        due = slot(schedule, day + _DAY)
    if schedule.paused_until is not None and due < schedule.paused_until:
        due = _first_slot_from(schedule, schedule.paused_until)
    return max(due, now)


def _first_slot_from(schedule: Schedule, moment: datetime) -> datetime:
    """The first delivery instant at or after `moment`."""
    day = local_date(schedule, moment)
    due = slot(schedule, day)
    return due if due >= moment else slot(schedule, day + _DAY)
