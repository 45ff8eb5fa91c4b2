"""Where each duplicate daily tip came from, so that only the allowed ones are allowed.

README (Reliability): the only duplicates possible are the sends on the wire at the instant of
a kill -9 (at most `workers` per kill) and a send whose answer was lost after Telegram had it
(maybe delivered: one each). A copy that is neither is a broken promise, whatever the totals.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

IN_FLIGHT = 10.0  # a copy this close before a kill -9 was on the wire at the kill
AFTER_SIGCONT = 15.0  # a copy this soon after a SIGCONT came from the process woken


class Tip(NamedTuple):
    """A daily tip as the emulator received it: when, and whether its answer was dropped after
    delivery (so the bot could not know it arrived)."""

    at: float
    maybe_delivered: bool = False


@dataclass
class Causes:
    """The extra copies (beyond one per chat), by cause."""

    maybe_delivered: int = 0
    per_kill: dict[int, int] = field(default_factory=dict)  # kill's index -> copies in flight
    other: int = 0
    after_sigcont: int = 0  # of the other ones

    @property
    def in_flight(self) -> int:
        return sum(self.per_kill.values())

    @property
    def total(self) -> int:
        return self.maybe_delivered + self.in_flight + self.other


def causes(chats: Iterable[Sequence[Tip]], kills: list[float], conts: list[float]) -> Causes:
    """Each chat's copies in order of arrival: the second and later are each explained by an
    earlier maybe-delivered copy not yet used, or by a kill -9 right after the copy before it;
    else they count as other."""
    found = Causes()
    for tips in chats:
        ordered = sorted(tips)
        unexplained_maybe = 0
        for before, copy in pairwise(ordered):
            unexplained_maybe += before.maybe_delivered
            if unexplained_maybe:
                unexplained_maybe -= 1
                found.maybe_delivered += 1
            elif (kill := _kill_between(before.at, copy.at, kills)) is not None:
                found.per_kill[kill] = found.per_kill.get(kill, 0) + 1
            else:
                found.other += 1
                found.after_sigcont += any(0 <= copy.at - c <= AFTER_SIGCONT for c in conts)
    return found


def _kill_between(before: float, after: float, kills: list[float]) -> int | None:
    for index, kill in enumerate(kills):
        if before <= kill <= after and kill - before <= IN_FLIGHT:
            return index
    return None
