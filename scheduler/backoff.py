"""How long to wait before trying again: one exponential backoff, pure, for every retry loop.

Start-up (reaching Telegram), a reply that met a 5xx, a daily tip that did not go out and a
failed sweep all wait longer after each failure in a row, up to a cap, and some give up after
so many attempts. Each keeps its own settings as a named `Backoff`, next to the loop that uses
it; the loop itself does the waiting (a sleep, a queued `not_before`, a wake-up), because what
it may do meanwhile differs. No jitter: one process delivers and one process starts up per
bot, so there is no herd of clients to spread out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count

__all__ = ["Backoff"]


@dataclass(frozen=True)
class Backoff:
    """Wait `first` seconds after the first failure, `factor` times longer after each further
    one in a row, never more than `cap`; with `attempts`, give up after that many tries in all
    (the first included), else keep trying until it works."""

    first: float
    cap: float
    factor: float = 2.0
    attempts: int | None = None

    def __post_init__(self) -> None:
        if not 0 < self.first <= self.cap or self.factor < 1:
            raise ValueError(f"not a backoff: {self}")
        if self.attempts is not None and self.attempts < 1:
            raise ValueError(f"a backoff needs at least one attempt: {self}")

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` failures in a row (from 1)."""
        if failures < 1:
            raise ValueError(f"no delay before a first failure: {failures}")
        try:
            grown = self.first * self.factor ** (failures - 1)
        except OverflowError:  # a loop that has retried for days: long since at the cap
            return self.cap
        return min(grown, self.cap)

    def gives_up(self, failures: int) -> bool:
        """Whether `failures` failures in a row used up every attempt: no retry."""
        return self.attempts is not None and failures >= self.attempts

    def delays(self) -> Iterator[float]:
        """Each wait in turn, until the attempts are used up (forever without a limit)."""
        for failures in count(1):
            if self.gives_up(failures):
                return
            yield self.delay(failures)
