"""The weekly recap: what Sunday's picture shows, and whether a chat is owed one.

Pure: a function of what is stored about the chat's week (`WeekRecord`), the day its daily
tip was for, the instant and the chat's zone. The recap goes with the local Sunday's daily
tip, once a week (the week recapped last is stored), to a chat that did not turn it off, and
only for a week with something in it: a check-in, a plant or a 👍.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from habits.streaks import NONE, Tally, checked_on, seen_on
from habits.weeks import week_start

__all__ = ["SUNDAY", "Recap", "WeekRecord", "recap_due"]

SUNDAY = 6  # `date.weekday()`
_DAYS = 7


@dataclass(frozen=True)
class WeekRecord:
    """What the store holds about a chat's weeks, as read.

    `plants` are the names counted in the week starting `plants_week` (the store is asked for
    the current one); `liked` is the chat's latest 👍 tip and `liked_at` when it was pressed;
    `recapped` the Monday of the last week a recap went out for; `wanted` is False once the
    chat turned the recap off in /settings.
    """

    tally: Tally = NONE
    plants_week: date | None = None
    plants: int = 0
    liked: str | None = None
    liked_at: datetime | None = None
    recapped: date | None = None
    wanted: bool = True


@dataclass(frozen=True)
class Recap:
    """One week's picture: its Monday, a check-in or not for each day Monday to Sunday, the
    streak on Sunday, the plants counted that week and the tip liked that week (if any)."""

    week: date
    checked: tuple[bool, ...]
    streak: int
    plants: int
    liked: str | None

    @property
    def days_checked(self) -> int:
        return sum(self.checked)


def recap_due(record: WeekRecord, tip_day: date, now: datetime, zone: ZoneInfo) -> Recap | None:
    """The recap to send after the daily tip for local `tip_day` went out `now`, or None.

    None unless the tip is today's and today is Sunday (a tip recorded late, after
    midnight, brings no recap), the chat wants it, this week has not had one, and the week is
    not empty.
    """
    today = now.astimezone(zone).date()
    if not record.wanted or tip_day != today or today.weekday() != SUNDAY:
        return None
    week = week_start(today)
    if record.recapped is not None and record.recapped >= week:
        return None
    checked = tuple(checked_on(record.tally, week + timedelta(days=n)) for n in range(_DAYS))
    plants = record.plants if record.plants_week == week else 0
    liked = record.liked if _in_week(record.liked_at, week, zone) else None
    if not any(checked) and not plants and liked is None:
        return None
    return Recap(week, checked, seen_on(record.tally, today).current, plants, liked)


def _in_week(moment: datetime | None, week: date, zone: ZoneInfo) -> bool:
    return moment is not None and week_start(moment.astimezone(zone).date()) == week
