"""Weeks for the plant count: Monday to Sunday, in the subscriber's own calendar.

Pure: the local date comes from `scheduler.due.local_date(schedule, now)`, so a week turns at
local midnight between Sunday and Monday, whatever UTC says and across DST changes.
"""

from __future__ import annotations

from datetime import date, timedelta


def week_start(day: date) -> date:
    """The Monday of the week holding local `day`."""
    return day - timedelta(days=day.weekday())
