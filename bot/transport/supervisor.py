"""A background task that is restarted when it fails, and given up on when it keeps failing.

A bug in a long-lived task (the gateway's dispatcher) must neither leave it dead, with whoever
waits on it hanging, nor restart it in a tight loop for ever. Each failure is one log line
(the traceback at DEBUG) and a restart; more than `max_failures` within `window` seconds, on
the injected clock, and `on_give_up` is told instead (the gateway then stops the bot).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

logger = logging.getLogger(__name__)

MAX_FAILURES = 5  # restarted after this many failures...
FAILURE_WINDOW = 60.0  # ...within this many seconds; one more and it is given up on


class Supervised:
    """`run()` as a task named `name`, restarted after each failure until it keeps failing."""

    def __init__(
        self,
        name: str,
        run: Callable[[], Coroutine[Any, Any, None]],
        *,
        clock: Callable[[], float],
        on_give_up: Callable[[BaseException], None],
    ) -> None:
        self._name = name
        self._run = run
        self._clock = clock
        self._on_give_up = on_give_up
        self._failures: deque[float] = deque()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the task, unless it runs already (python-telegram-bot initializes its rate
        limiter at every `Bot.initialize()`, start-up retries included: one task, not many)."""
        if self._task is None:
            self._failures.clear()
            self._spawn()

    async def stop(self) -> None:
        task, self._task = self._task, None  # no restart once stopping
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _spawn(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)
        self._task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        if task is not self._task or task.cancelled():  # stopped
            return
        error = task.exception() or RuntimeError("it returned")
        now = self._clock()
        self._failures.append(now)
        while self._failures[0] <= now - FAILURE_WINDOW:
            self._failures.popleft()
        what = f"The {self._name} task failed ({type(error).__name__}: {error})"
        logger.debug("%s", what, exc_info=error)
        if len(self._failures) <= MAX_FAILURES:
            logger.error("%s; restarting it", what)
            self._spawn()
            return
        failures = len(self._failures)
        logger.error("%s %d times within %g s; giving up", what, failures, FAILURE_WINDOW)
        self._task = None
        self._on_give_up(error)
