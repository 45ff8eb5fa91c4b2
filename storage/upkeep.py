"""The file's upkeep in small steps: which chore runs next, and how much it may do.

Pruning old rows and giving freed pages back to the disk hold the event loop while they run
(SQLite answers synchronously), so each chore is cut into steps meant to take at most
`STEP_LIMIT`. A step's size is learned from the last one of its kind, aiming at a quarter of
the limit (`STEP_AIM`): on shared cores one step can take twice or thrice what the last one of
the same size took. It is halved after a step longer than the aim, doubled after one under a
quarter of the aim that did all it was allowed. A chore that
did all it was allowed has more to do: it runs again after a pause (the loop serves everyone
else in between) until the round has spent `ROUND_BUDGET`; what is left waits for the next
round. Pure: `bot.service.sweeping` runs and times the steps (with `storage.space`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "FIRST_SIZES",
    "STEP_AIM",
    "STEP_LIMIT",
    "Chore",
    "Round",
    "Step",
    "next_step",
    "record",
    "resized",
    "spare_pages",
    "start",
]


class Chore(StrEnum):
    """In the order they run: pruning first, since it frees the pages `SPACE` gives back."""

    DELIVERIES = "prune deliveries"  # closed delivery records older than they are kept
    EVENTS = "prune events"  # operators' events older than `KEEP_EVENTS`
    PLANTS = "prune plants"  # plant tallies of weeks no longer shown
    SPACE = "give back space"  # free pages cut off the end of the file


STEP_LIMIT = 0.020  # seconds one step may hold the event loop
STEP_AIM = STEP_LIMIT / 4  # what step sizes are learned toward, well under the limit
ROUND_BUDGET = 0.5  # seconds of steps in one round (a round every safety sweep, 5 minutes)
MAX_STEPS = 200  # steps in one round, however quick (a bound that needs no clock)
# Rows (pages for SPACE) per step to begin with, measured to take well under STEP_LIMIT on
# 2 shared cores (`python -m benchmarks --only space`); then learned, within these bounds.
FIRST_SIZES: Mapping[Chore, int] = MappingProxyType(
    {Chore.DELIVERIES: 1_000, Chore.EVENTS: 2_000, Chore.PLANTS: 1_000, Chore.SPACE: 100}
)
SMALLEST = 25
LARGEST: Mapping[Chore, int] = MappingProxyType(
    {Chore.DELIVERIES: 5_000, Chore.EVENTS: 20_000, Chore.PLANTS: 20_000, Chore.SPACE: 1_000}
)
# Free pages left in the file for the next days' rows to reuse: giving them back only to grow
# the file again tomorrow costs writes for nothing. 2% of the file, at least 1 MB of pages.
RESERVE_SHARE = 0.02
MIN_RESERVE = 256


@dataclass(frozen=True)
class Step:
    """Run `chore` on up to `size` rows (pages, for `SPACE`)."""

    chore: Chore
    size: int


@dataclass(frozen=True)
class Round:
    """One round of chores so far: who may have more to do, and what the steps cost."""

    sizes: Mapping[Chore, int]  # each chore's step size now (kept from round to round)
    waiting: tuple[Chore, ...]  # chores that may have more to do, the next one first
    spare_pages: int  # free pages above the reserve, still to give back this round
    spent: float = 0.0  # seconds of steps, summed
    longest: float = 0.0  # the longest step, in seconds
    steps: int = 0
    done: Mapping[Chore, int] = field(default_factory=dict)  # rows (pages) per chore


def spare_pages(pages: int, free_pages: int) -> int:
    """Free pages worth giving back: those above the reserve kept for reuse."""
    reserve = max(MIN_RESERVE, int(pages * RESERVE_SHARE))
    return max(0, free_pages - reserve)


def start(
    chores: Iterable[Chore], pages: int, free_pages: int, sizes: Mapping[Chore, int] = FIRST_SIZES
) -> Round:
    """A round of the chores this process has, in their order; `SPACE` only with pages to spare."""
    spare = spare_pages(pages, free_pages)
    wanted = set(chores) - ({Chore.SPACE} if spare == 0 else set())
    waiting = tuple(chore for chore in Chore if chore in wanted)
    return Round({**FIRST_SIZES, **sizes}, waiting, spare)


def next_step(plan: Round) -> Step | None:
    """The next step, or None when every chore is done or the round's budget is spent."""
    if not plan.waiting or plan.spent >= ROUND_BUDGET or plan.steps >= MAX_STEPS:
        return None
    chore = plan.waiting[0]
    size = plan.sizes[chore]
    if chore is Chore.SPACE:
        size = min(size, plan.spare_pages)
    return Step(chore, size)


def record(plan: Round, step: Step, done: int, seconds: float) -> Round:
    """The round after `step` did `done` rows (pages) in `seconds`: a chore that did less than
    allowed is through for this round; its next step's size follows from this one's time."""
    full = done >= step.size
    waiting = plan.waiting if full else tuple(c for c in plan.waiting if c is not step.chore)
    spare = plan.spare_pages - done if step.chore is Chore.SPACE else plan.spare_pages
    if step.chore is Chore.SPACE and spare <= 0:
        waiting = tuple(c for c in waiting if c is not Chore.SPACE)
    return replace(
        plan,
        sizes={**plan.sizes, step.chore: resized(step, seconds, full, plan.sizes[step.chore])},
        waiting=waiting,
        spare_pages=max(0, spare),
        spent=plan.spent + seconds,
        longest=max(plan.longest, seconds),
        steps=plan.steps + 1,
        done={**plan.done, step.chore: plan.done.get(step.chore, 0) + done},
    )


def resized(step: Step, seconds: float, full: bool, size: int) -> int:
    """The chore's next step size: half after a step over `STEP_AIM`, double after a full
    one under a quarter of it, else the same; within `SMALLEST` and the chore's `LARGEST`."""
    if seconds > STEP_AIM:
        size //= 2
    elif full and seconds < STEP_AIM / 4:
        size *= 2
    return max(SMALLEST, min(LARGEST[step.chore], size))
