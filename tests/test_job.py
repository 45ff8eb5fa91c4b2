"""The single periodic sweep job: explicit misfire, coalescing and instance settings."""

import asyncio

from scheduler.job import SWEEP_EVERY_SECONDS, start_sweeping


async def test_one_sweep_job_runs_at_once_and_is_never_doubled():
    ran = asyncio.Event()

    async def sweep():
        ran.set()

    scheduler = start_sweeping(sweep)
    try:
        [job] = scheduler.get_jobs()
        assert job.misfire_grace_time == SWEEP_EVERY_SECONDS
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.trigger.interval.total_seconds() == SWEEP_EVERY_SECONDS
        await asyncio.wait_for(ran.wait(), 5)  # the first sweep runs at start-up
    finally:
        scheduler.shutdown(wait=False)
