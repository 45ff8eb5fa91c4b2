"""The delivery loop's place in the bot: a heartbeat around each sweep, a database file that
vanished stops deliveries, and the periodic chores on python-telegram-bot's JobQueue.

When sweeps run is `scheduler.engine.DeliveryLoop`'s business (due times, wake-ups, the lease,
retries); this module only wraps each sweep. The heartbeat (a sweep's start, its end and
duration, and while it runs a sign of progress at most every `PROGRESS_EVERY` seconds) is what
`/stats` shows and `gutbone-bot health` judges. The chores (pruning old records, giving free
pages back to the disk) run on APScheduler every `TIDY_EVERY` seconds in the process that
delivers, in short steps that `storage.upkeep` plans and this module times.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.service.metrics import Metrics
from scheduler.delivery import Delivery
from scheduler.lifecycle import DeliveryStatus
from storage import KEEP_EVENTS, KEEP_PLANTS, DatabaseReplaced, Store
from storage import upkeep as chores

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 30.0  # seconds between heartbeat writes while a long sweep runs
CHORE_PAUSE = 0.02  # seconds between two chore steps: the loop's own time


class SweepHeartbeat:
    """The heartbeat one process writes: a sweep's start and end, and signs of progress.

    Built before the delivery (it listens to each tip's outcome) and given to the `Sweeper`.
    """

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        holder: str,
        *,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._clock = clock
        self._holder = holder
        self.timer = timer
        self._last_beat = float("-inf")

    def started(self) -> None:
        self._beat(lambda now: self._store.sweep_started(self._holder, now))

    def finished(self, seconds: float) -> None:
        self._beat(lambda now: self._store.sweep_finished(now, seconds))

    def progressed(self, _status: DeliveryStatus) -> None:
        """A tip finished: a sign of life for a long sweep, written now and then."""
        if self.timer() - self._last_beat >= PROGRESS_EVERY:
            self._beat(self._store.sweep_progressed)

    def _beat(self, write: Callable[[datetime], None]) -> None:
        """Write the heartbeat; a disk that refuses costs the heartbeat, never a delivery."""
        self._last_beat = self.timer()
        try:
            write(self._clock())
        except sqlite3.Error as exc:
            logger.warning("Could not write the sweep's heartbeat: %s", exc)


class Sweeper:
    """Wraps each sweep of one process: the file check, the heartbeat, the metrics."""

    def __init__(
        self,
        store: Store,
        delivery: Delivery,
        heartbeat: SweepHeartbeat,
        metrics: Metrics,
        clock: Callable[[], datetime],
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._store = store
        self._delivery = delivery
        self.heartbeat = heartbeat
        self._metrics = metrics
        self._clock = clock
        self._sleep = sleep
        self._stopped = False
        self._steps = self._chore_steps()
        self._sizes = chores.FIRST_SIZES  # each chore's step size, learned round after round

    async def sweep(self) -> None:
        """Sweep once, leaving a heartbeat. A database file that was deleted or replaced under
        us stops deliveries (writes would go to a file nobody reads) until a restart."""
        if self._stopped:
            return
        try:
            self._store.check_file()
        except DatabaseReplaced as exc:
            self._stopped = True
            logger.error("%s; daily tips stop until the bot is restarted", exc)
            return
        started = self.heartbeat.timer()
        self.heartbeat.started()
        await self._delivery.sweep()
        seconds = self.heartbeat.timer() - started
        self.heartbeat.finished(seconds)
        self._metrics.sweep_seconds.observe(seconds)

    async def tidy(self) -> None:
        """One round of the chores (`storage.upkeep`): prune old delivery records, events
        and plant tallies, then give free pages back to the disk, in steps of at most about
        20 ms each with a pause between them; what is left waits for the next round."""
        try:
            space = self._store.file_space()
        except sqlite3.Error as exc:
            logger.warning("Could not read the database's free pages: %s", exc)
            return
        plan = chores.start(self._steps, space.pages, space.free_pages, self._sizes)
        while (step := chores.next_step(plan)) is not None:
            if plan.steps:
                await self._sleep(CHORE_PAUSE)  # the loop serves everyone else in between
            started = self.heartbeat.timer()
            done = self._steps[step.chore](step.size)
            plan = chores.record(plan, step, done, self.heartbeat.timer() - started)
        self._sizes = plan.sizes
        self._metrics.chore_longest_step.set(plan.longest)
        if plan.steps:
            logger.debug(
                "Chores: %s in %d steps, the longest %.1f ms",
                ", ".join(f"{chore} {done:,}" for chore, done in plan.done.items()),
                plan.steps,
                plan.longest * 1000,
            )

    def _chore_steps(self) -> dict[chores.Chore, Callable[[int], int]]:
        """What runs one step of each chore: given a size, how many rows (pages) it did."""
        store, clock = self._store, self._clock
        return {
            chores.Chore.DELIVERIES: self._delivery.tidy,  # it logs its own failures
            chores.Chore.EVENTS: _logged(
                "prune old events", lambda n: store.prune_events(clock() - KEEP_EVENTS, n)
            ),
            chores.Chore.PLANTS: _logged(
                "prune old plant tallies",
                lambda n: store.prune_plants((clock() - KEEP_PLANTS).date(), n),
            ),
            chores.Chore.SPACE: _logged("give free pages back to the disk", store.give_back_space),
        }


def _logged(doing: str, step: Callable[[int], int]) -> Callable[[int], int]:
    """A chore's step that, when the database fails it, says so in one line and counts as
    having done nothing (the next round tries again)."""

    def run(size: int) -> int:
        try:
            return step(size)
        except sqlite3.Error as exc:
            logger.warning("Could not %s: %s", doing, exc)
            return 0

    return run
