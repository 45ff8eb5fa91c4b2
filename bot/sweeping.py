"""When the delivery sweep runs: at the next due time, and a safety sweep every few minutes.

There are no per-subscriber jobs: local delivery times live in the database, and after each
sweep one wake-up is set on python-telegram-bot's JobQueue for the earliest `next_due_at`
(re-armed whenever a subscriber's schedule changes). So the first tip of a minute goes out
within a second or two of it, an idle bot does no work between due times, memory stays flat
with a million subscribers, and cron's DST pitfalls (a daily job firing twice on the fall-back
day) never arise. The safety sweep also picks up claims left pending by an error.

Each sweep leaves a heartbeat in the database (its start, its end and duration, and while it
runs a sign of progress at most every `PROGRESS_EVERY` seconds), which `/stats` shows and
`gutbone-bot health` judges.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from telegram.ext import Job, JobQueue

from bot.context import App, Context
from bot.lease import RENEW_EVERY, DeliveryLease
from scheduler.delivery import PRUNE_BATCH, SAFETY_SWEEP_SECONDS
from scheduler.records import DeliveryStatus
from storage import DatabaseReplaced
from storage.events import KEEP_EVENTS

logger = logging.getLogger(__name__)

SWEEP_JOB = "safety-sweep"
WAKE_JOB = "wake-up"
LEASE_JOB = "delivery-lease"
PROGRESS_EVERY = 30.0  # seconds between heartbeat writes while a long sweep runs
UNLEASED = "unleased"  # the heartbeat's holder when sweeping without a lease (tests)
_JOB_SETTINGS = {
    "misfire_grace_time": SAFETY_SWEEP_SECONDS,  # late (a busy loop, a suspended host): still run
    "coalesce": True,  # missed runs collapse into one: a sweep catches up on its own
    "max_instances": 1,  # a long sweep (a large audience) is never doubled
}


class Sweeper:
    """Owns the sweep jobs of one Application; with a `lease`, sweeps only while holding it."""

    def __init__(
        self,
        app: App,
        lease: DeliveryLease | None = None,
        *,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._app = app
        self._lease = lease
        self._timer = timer
        self._wake: Job[Context] | None = None
        self._stopped = False
        self._last_beat = float("-inf")
        self._sweeps = 0  # sweeps running or waiting for the one that runs (a wake-up)
        self._started = 0.0  # the timer when the first of them started
        app.bot_data.services.delivery.outcome_listeners.append(self._progressed)

    def start(self) -> None:
        """Sweep now, then every `SAFETY_SWEEP_SECONDS`, and at every wake-up in between."""
        if self._lease is not None:
            self._lease.renew()  # now, so the first sweep need not wait for the lease job
            self._jobs().run_repeating(
                self._renew, interval=RENEW_EVERY, name=LEASE_JOB, job_kwargs={"max_instances": 1}
            )
            self._app.bot_data.services.delivery.may_deliver = self._lease.held
        self._jobs().run_repeating(
            self._safety_sweep,
            interval=SAFETY_SWEEP_SECONDS,
            name=SWEEP_JOB,
            # `first=0` would compute its first run when the JobQueue starts, an interval late
            job_kwargs={**_JOB_SETTINGS, "next_run_time": datetime.now(UTC)},
        )
        self._app.bot_data.services.wake_at = self.wake_at

    def wake_at(self, moment: datetime | None) -> None:
        """Sweep at `moment`, unless a wake-up is already set for no later than that."""
        if moment is None:
            return
        moment = max(moment, datetime.now(UTC) + timedelta(seconds=1))
        current = self._wake
        if current is not None and not current.removed and current.next_t is not None:
            if current.next_t <= moment:
                return
            current.schedule_removal()
        self._wake = self._jobs().run_once(
            self._sweep_job, when=moment, name=WAKE_JOB, job_kwargs=_JOB_SETTINGS
        )

    async def _safety_sweep(self, context: Context) -> None:
        await self.sweep()
        context.services.delivery.tidy()
        self._prune_events()

    async def _sweep_job(self, context: Context) -> None:
        await self.sweep()

    async def sweep(self) -> None:
        """Sweep once, leaving a heartbeat. A standby skips its turn; a database file that
        was deleted or replaced under us stops deliveries (writes would go to a file nobody
        reads) until a restart."""
        if self._stopped or (self._lease is not None and not self._lease.held()):
            return
        services = self._app.bot_data.services
        try:
            services.store.check_file()
        except DatabaseReplaced as exc:
            self._stopped = True
            logger.error("%s; daily tips stop until the bot is restarted", exc)
            return
        self._sweep_started()
        try:
            await services.delivery.sweep()
        finally:
            self._sweeps -= 1
        if not self._sweeps:
            self._sweep_finished()
        self.wake_at(services.store.earliest_due())

    def _sweep_started(self) -> None:
        """Start the heartbeat's sweep, unless one is running (a wake-up then waits for it:
        to the heartbeat, the two are one sweep)."""
        self._sweeps += 1
        if self._sweeps > 1:
            return
        self._started = self._timer()
        holder = self._lease.holder if self._lease is not None else UNLEASED
        self._beat(lambda now: self._app.bot_data.services.store.sweep_started(holder, now))

    def _sweep_finished(self) -> None:
        seconds = self._timer() - self._started
        services = self._app.bot_data.services
        self._beat(lambda now: services.store.sweep_finished(now, seconds))
        services.metrics.sweep_seconds.observe(seconds)

    def _progressed(self, _status: DeliveryStatus) -> None:
        """A tip finished: a sign of life for a long sweep, written now and then."""
        if self._timer() - self._last_beat >= PROGRESS_EVERY:
            self._beat(self._app.bot_data.services.store.sweep_progressed)

    def _beat(self, write: Callable[[datetime], None]) -> None:
        """Write the heartbeat; a disk that refuses costs the heartbeat, never a delivery."""
        self._last_beat = self._timer()
        try:
            write(self._app.bot_data.services.clock())
        except sqlite3.Error as exc:
            logger.warning("Could not write the sweep's heartbeat: %s", exc)

    def _prune_events(self) -> None:
        services = self._app.bot_data.services
        try:
            services.store.prune_events(services.clock() - KEEP_EVENTS, PRUNE_BATCH)
        except sqlite3.OperationalError as exc:
            logger.warning("Could not prune old events: %s", exc)

    async def _renew(self, context: Context) -> None:
        if self._lease is not None:
            self._lease.renew()

    def _jobs(self) -> JobQueue[Context]:
        jobs = self._app.job_queue
        assert jobs is not None, "python-telegram-bot[job-queue] is a dependency"
        return jobs
