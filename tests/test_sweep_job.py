"""The single sweep job lives on the Application's own JobQueue, with explicit settings."""

from datetime import UTC, datetime, timedelta

from bot.app import build_application
from bot.config import parse_settings
from bot.runner import SWEEP_JOB, schedule_sweep
from scheduler.delivery import SWEEP_EVERY_SECONDS
from tests.e2e import TOKEN


async def test_one_sweep_job_runs_at_once_and_is_never_doubled(store, library, telegram, clock):
    settings = parse_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
    )
    store.subscribe(7, "private", settings.default_schedule, clock())
    clock.advance(hours=2, minutes=1)  # 08:01 UTC: chat 7's tip is due
    app = build_application(settings, store, library, clock=clock)
    async with app:
        schedule_sweep(app)
        await app.start()
        try:
            [job] = app.job_queue.get_jobs_by_name(SWEEP_JOB)
            scheduled = job.job  # the APScheduler job behind PTB's Job
            assert scheduled.misfire_grace_time == SWEEP_EVERY_SECONDS
            assert scheduled.coalesce is True
            assert scheduled.max_instances == 1
            assert scheduled.trigger.interval == timedelta(seconds=SWEEP_EVERY_SECONDS)
            assert job.next_t - datetime.now(UTC) < timedelta(seconds=SWEEP_EVERY_SECONDS)
            assert len(app.job_queue.jobs()) == 1
            [tip] = await telegram.wait_for_messages(7)  # the first sweep ran at start
            assert "📚" in tip.text
        finally:
            await app.stop()
