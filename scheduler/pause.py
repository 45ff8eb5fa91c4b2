"""A gate that holds every delivery worker back while Telegram's `retry_after` runs."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

Sleep = Callable[[float], Awaitable[None]]


class Pause:
    """Open by default; `hold(seconds)` closes it for everyone until the wait is over."""

    def __init__(self, sleep: Sleep = asyncio.sleep) -> None:
        self._sleep = sleep
        self._open = asyncio.Event()
        self._open.set()
        self._holders = 0

    async def wait(self) -> None:
        await self._open.wait()

    async def hold(self, seconds: float) -> None:
        self._holders += 1
        self._open.clear()
        try:
            await self._sleep(seconds)
        finally:
            self._holders -= 1
            if self._holders == 0:
                self._open.set()
