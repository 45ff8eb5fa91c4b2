"""An asyncio event loop on virtual time: whenever nothing is ready to run, the clock jumps to
the next timer. Sleeps of hours pass in microseconds, in a deterministic order, so tests (and
the simulation) walk through days of a process's life without waiting for the wall clock.

Only for code that does no real I/O while it runs (SQLite is synchronous, so it is fine).
"""

from __future__ import annotations

import asyncio
import selectors
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

T = TypeVar("T")

EPOCH = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


class _JumpingSelector(selectors.DefaultSelector):
    """Where the loop would block waiting for I/O, move virtual time forward instead."""

    def __init__(self) -> None:
        super().__init__()
        self.loop: VirtualTimeLoop | None = None

    def select(self, timeout: float | None = None) -> list[Any]:
        ready = super().select(0)
        if not ready and timeout is not None and timeout > 0 and self.loop is not None:
            self.loop.now += timeout
        return ready


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """`time()` is virtual; `clock()` gives it as a UTC datetime from `start`."""

    def __init__(self, start: datetime = EPOCH) -> None:
        selector = _JumpingSelector()
        super().__init__(selector)
        selector.loop = self
        self.now = 0.0
        self.start = start

    def time(self) -> float:
        return self.now

    def clock(self) -> datetime:
        return self.start + timedelta(seconds=self.now)

    def at(self, moment: datetime) -> float:
        """The loop time at which the clock shows `moment`."""
        return (moment - self.start).total_seconds()


def run_virtual(main: Coroutine[Any, Any, T], start: datetime = EPOCH) -> T:
    """Run `main` on a fresh virtual-time loop, closing it afterwards."""
    loop = VirtualTimeLoop(start)
    try:
        return loop.run_until_complete(main)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


async def sleep_until(moment: datetime) -> None:
    """Sleep (virtually) until the running virtual loop's clock shows `moment`."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop), "only on virtual time"
    await asyncio.sleep(max(0.0, loop.at(moment) - loop.now))


def virtual_clock() -> datetime:
    """The running virtual loop's clock, for code that takes a `clock`."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop), "only on virtual time"
    return loop.clock()
