"""The delivery loop's place in the bot: a heartbeat around each sweep, a database file that
vanished stops deliveries, and the periodic chores on python-telegram-bot's JobQueue.

When sweeps run is `scheduler.engine.DeliveryLoop`'s business (due times, wake-ups, the lease,
retries); this module only wraps each sweep. The heartbeat (a sweep's start, its end and
duration, and while it runs a sign of progress at most every `PROGRESS_EVERY` seconds) is what
`/stats` shows and `gutbone-bot health` judges. Pruning old records is a chore for APScheduler:
it runs every `TIDY_EVERY` seconds in the process that delivers.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime

from bot.service.metrics import Metrics
from scheduler.delivery import PRUNE_BATCH, Delivery
from scheduler.lifecycle import DeliveryStatus
from storage import KEEP_EVENTS, DatabaseReplaced, Store

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 30.0  # seconds between heartbeat writes while a long sweep runs


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
    ) -> None:
        self._store = store
        self._delivery = delivery
        self.heartbeat = heartbeat
        self._metrics = metrics
        self._clock = clock
        self._stopped = False

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

    def tidy(self) -> None:
        """The chores: prune old delivery records and events, a small batch of each."""
        self._delivery.tidy()
        self._prune_events()

    def _prune_events(self) -> None:
        try:
            self._store.prune_events(self._clock() - KEEP_EVENTS, PRUNE_BATCH)
        except sqlite3.Error as exc:
            logger.warning("Could not prune old events: %s", exc)
