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
from dataclasses import dataclass, replace
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


# Running figures ------------------------------------------------------------------------------
#
# The store keeps no list of days: one `Tally` per chat, folded forward one check-in at a time
# (`fold`), answers the same `Streak` as `streak(days, today)` for days that come in order.
#
# A check-in dated *before* the last one (the chat's timezone moved west, so its local today
# went back a day or two) is late: it is recorded in the `recent` window if it falls inside it
# (so "checked in today?" and a week's days are right, and pressing again is no new check-in),
# but the run, its freezes and the longest streak stay as they were: a day already forgiven as
# frozen is not counted again, and nothing is ever counted twice. A late day older than the
# window is ignored.

WINDOW = 32  # days kept in `Tally.recent`: the last check-in day and the 31 before it
_FULL = (1 << WINDOW) - 1


@dataclass(frozen=True)
class Tally:
    """A chat's check-ins as running figures, enough for `Streak` without the days themselves.

    `days`, `last`, `frozen` and `freezes` describe the current run (the one holding the last
    check-in): its days with a check-in, its last check-in, its latest frozen day and how many
    missed days it forgave. `recent` has bit i set when `last - i days` has a check-in
    (i < `WINDOW`).
    """

    days: int = 0
    last: date | None = None
    frozen: date | None = None
    freezes: int = 0
    longest: int = 0
    recent: int = 0


NONE = Tally()


def fold(tally: Tally, day: date) -> Tally:
    """`tally` after a check-in on local `day`; `tally` itself when it changes nothing (the
    day had one already, or is a late day older than the window)."""
    if tally.last is None:
        return Tally(1, day, None, 0, max(tally.longest, 1), 1)
    if day <= tally.last:
        bit = 1 << (tally.last - day).days
        return (
            tally
            if bit > _FULL or tally.recent & bit
            else replace(tally, recent=tally.recent | bit)
        )
    shift = (day - tally.last).days
    recent = ((tally.recent << shift) | 1) & _FULL if shift < WINDOW else 1
    run = _extend(_Run(tally.days, tally.last, tally.frozen), day)
    if run is None:
        return Tally(1, day, None, 0, max(tally.longest, 1), recent)
    freezes = tally.freezes + (run.frozen != tally.frozen)
    return Tally(run.days, day, run.frozen, freezes, max(tally.longest, run.days), recent)


def seen_on(tally: Tally, today: date) -> Streak:
    """The `Streak` of `tally` on local `today`: `streak(days, today)` of the folded days."""
    if tally.last is None:
        return Streak(0, tally.longest, today=False)
    run = _Run(tally.days, tally.last, tally.frozen)
    alive = tally.last >= today or _extend(run, today) is not None
    return Streak(tally.days if alive else 0, tally.longest, today=checked_on(tally, today))


def checked_on(tally: Tally, day: date) -> bool:
    """Whether local `day` has a check-in, as far as the window remembers (a day older than
    the window, or after the last check-in, answers False)."""
    if tally.last is None or day > tally.last:
        return False
    offset = (tally.last - day).days
    return offset < WINDOW and bool(tally.recent >> offset & 1)


def recent_days(tally: Tally) -> list[date]:
    """The check-in days the window remembers, oldest first."""
    if tally.last is None:
        return []
    last = tally.last
    return [last - i * _DAY for i in reversed(range(WINDOW)) if tally.recent >> i & 1]


def merge(one: Tally, other: Tally) -> Tally:
    """Two chats' tallies as one (a group moving to its supergroup): each folded with the
    days the other's window remembers (a later day extends its run, an earlier one is only
    recorded), and the better result kept (the longer current run, then the later one); the
    longest streak is the longest of all."""
    kept = max(_fold_all(one, other), _fold_all(other, one), key=_rank)
    return replace(kept, longest=max(kept.longest, one.longest, other.longest))


def _fold_all(tally: Tally, other: Tally) -> Tally:
    for day in recent_days(other):
        tally = fold(tally, day)
    return tally


def _rank(tally: Tally) -> tuple[int, date]:
    return tally.days, tally.last or date.min
