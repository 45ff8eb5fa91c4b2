"""The sandbox's clock: real time, sped up with `--fast-clock`, moved on by `:tomorrow`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta

DAY = 24 * 60 * 60.0
FAST_CLOCK_SPEED = DAY / 60  # --fast-clock: a sandbox day in a minute


class SandboxClock:
    """The bot's clock in the sandbox: real time, `speed` times faster, moved on by `jump_to`."""

    def __init__(
        self,
        start: datetime,
        *,
        speed: float = 1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._start = start
        self.speed = speed
        self._monotonic = monotonic
        self._started = monotonic()
        self._jumped = timedelta()

    def __call__(self) -> datetime:
        elapsed = (self._monotonic() - self._started) * self.speed
        return self._start + self._jumped + timedelta(seconds=elapsed)

    def jump_to(self, moment: datetime) -> None:
        """Move the clock forward to `moment` (a moment already past leaves it as it is)."""
        self._jumped += max(moment - self(), timedelta())

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds` of sandbox time (the delivery loop's sleep)."""
        await asyncio.sleep(seconds / self.speed)

    def real_seconds_until(self, moment: datetime) -> float:
        """How long, in real seconds, until the clock shows `moment` (0 if it is past)."""
        return max((moment - self()).total_seconds() / self.speed, 0.0)
