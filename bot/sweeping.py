"""When the delivery sweep runs: at the next due time, and a safety sweep every few minutes.

There are no per-subscriber jobs: local delivery times live in the database, and after each
sweep one wake-up is set on python-telegram-bot's JobQueue for the earliest `next_due_at`
(re-armed whenever a subscriber's schedule changes). So the first tip of a minute goes out
within a second or two of it, an idle bot does no work between due times, memory stays flat
with a million subscribers, and cron's DST pitfalls (a daily job firing twice on the fall-back
day) never arise. The safety sweep also picks up claims left pending by an error.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from telegram.ext import Job, JobQueue

from bot.context import App, Context
from scheduler.delivery import SAFETY_SWEEP_SECONDS

logger = logging.getLogger(__name__)

SWEEP_JOB = "safety-sweep"
WAKE_JOB = "wake-up"
_JOB_SETTINGS = {
    "misfire_grace_time": SAFETY_SWEEP_SECONDS,  # late (a busy loop, a suspended host): still run
    "coalesce": True,  # missed runs collapse into one: a sweep catches up on its own
    "max_instances": 1,  # a long sweep (a large audience) is never doubled
}


class Sweeper:
    """Owns the two sweep jobs of one Application."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._wake: Job[Context] | None = None

    def start(self) -> None:
        """Sweep now, then every `SAFETY_SWEEP_SECONDS`, and at every wake-up in between."""
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
            self._sweep, when=moment, name=WAKE_JOB, job_kwargs=_JOB_SETTINGS
        )

    async def _safety_sweep(self, context: Context) -> None:
        await self._sweep(context)
        context.services.delivery.tidy()

    async def _sweep(self, context: Context) -> None:
        services = context.services
        await services.delivery.sweep()
        self.wake_at(services.store.earliest_due())

    def _jobs(self) -> JobQueue[Context]:
        jobs = self._app.job_queue
        assert jobs is not None, "python-telegram-bot[job-queue] is a dependency"
        return jobs
