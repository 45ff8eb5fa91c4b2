"""Check-in streaks: pure functions of the local days a chat pressed ✅ and its local today.

The rule (also in docs/usage.md):

- A day is a calendar date in the subscriber's timezone; it *counts* if it has a ✅ check-in.
  A check-in keeps the date it was made on, so a later timezone change does not move it.
- A streak is a run of counted days in which each missed day (a date without a check-in) is
  *frozen*: forgiven, provided the previous frozen day of the same run is at least
  `FREEZE_EVERY` (7) days earlier. So at most one missed day in any 7 consecutive days, and
  two missed days in a row always end a streak.
- A streak's length is the number of days with a check-in (a frozen day adds nothing).
- The current streak is the one holding the latest check-in, if it is still alive today:
  today itself is never a miss (the day is not over), yesterday can be frozen by the same
  rule; otherwise it is 0. The longest is the longest streak ever, current included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

FREEZE_EVERY = 7  # days between two frozen (forgiven) missed days of one streak
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Streak:
    """The current and longest streak, in days with a check-in; `today` whether today has one."""

    current: int
    longest: int
    today: bool


@dataclass(frozen=True)
class _Run:
    days: int  # days with a check-in
    last: date  # the latest check-in
    frozen: date | None  # the latest frozen day, if any


def streak(days: Iterable[date], today: date) -> Streak:
    """The streaks of the check-in `days` as seen on local `today` (see the module rules)."""
    ordered = sorted(set(days))
    runs: list[_Run] = []
    for day in ordered:
        run = _extend(runs[-1], day) if runs else None
        if run is None:
            runs.append(_Run(1, day, None))
        else:
            runs[-1] = run
    if not runs:
        return Streak(0, 0, today=False)
    alive = runs[-1].last >= today or _extend(runs[-1], today) is not None
    current = runs[-1].days if alive else 0
    return Streak(current, max(run.days for run in runs), today=today in set(ordered))


def _extend(run: _Run, day: date) -> _Run | None:
    """`run` continued by a check-in on `day` (after its last one), or None if it breaks."""
    missed = (day - run.last).days - 1
    if missed <= 0:
        return _Run(run.days + 1, day, run.frozen)
    gap = day - _DAY  # the one missed day there can be
    fits = run.frozen is None or (gap - run.frozen).days >= FREEZE_EVERY
    return _Run(run.days + 1, day, gap) if missed == 1 and fits else None
