"""The one periodic APScheduler job that runs the delivery sweep.

There are no per-subscriber jobs: local delivery times live in the database and the sweep
asks it who is due. That keeps memory flat with a million subscribers and sidesteps cron's
DST pitfalls (a daily cron job fires twice on the fall-back day).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

logger = logging.getLogger(__name__)

SWEEP_EVERY_SECONDS = 15


def start_sweeping(sweep: Callable[[], Awaitable[object]]) -> AsyncIOScheduler:
    """Run `sweep` now and then every few seconds, never two at once, in the running loop."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        sweep,
        IntervalTrigger(seconds=SWEEP_EVERY_SECONDS, timezone=UTC),
        id="daily-sweep",
        next_run_time=datetime.now(UTC),
        misfire_grace_time=SWEEP_EVERY_SECONDS,  # late by less than one period: still run
        coalesce=True,  # missed runs collapse into one: a sweep catches up on its own
        max_instances=1,  # a long sweep (a large audience) is never doubled
        replace_existing=True,
    )
    scheduler.start()
    return scheduler
