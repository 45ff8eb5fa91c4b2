"""The sweep jobs live on the Application's own JobQueue: a safety sweep, and a wake-up at the
earliest due time, re-armed when a schedule changes."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.config import parse_settings
from bot.sweeping import SWEEP_JOB, WAKE_JOB, Sweeper
from scheduler.delivery import SAFETY_SWEEP_SECONDS
from scheduler.due import Schedule
from tests.conftest import FakeClock
from tests.e2e import TOKEN


def build(telegram, store, library, clock):
    values = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
    return build_application(parse_settings(values), store, library, clock=clock)


async def test_the_safety_sweep_runs_at_once_and_is_never_doubled(store, library, telegram, clock):
    store.subscribe(7, "private", Schedule(time(8, 0), ZoneInfo("UTC")), clock())
    clock.advance(hours=2, minutes=1)  # 08:01: chat 7's tip is due
    app = build(telegram, store, library, clock)
    async with app:
        Sweeper(app).start()
        await app.start()
        try:
            [job] = app.job_queue.get_jobs_by_name(SWEEP_JOB)
            scheduled = job.job  # the APScheduler job behind PTB's Job
            assert scheduled.misfire_grace_time == SAFETY_SWEEP_SECONDS
            assert scheduled.coalesce is True
            assert scheduled.max_instances == 1
            assert scheduled.trigger.interval == timedelta(seconds=SAFETY_SWEEP_SECONDS)
            [tip] = await telegram.wait_for_messages(7)  # the first sweep ran at start
            assert "📚" in tip.text
        finally:
            await app.stop()


async def test_a_wake_up_is_set_for_the_earliest_due_time_and_moved_earlier(
    store, library, telegram
):
    clock = FakeClock(datetime.now(UTC))
    in_two_hours = (clock() + timedelta(hours=2)).replace(second=0, microsecond=0)
    store.subscribe(8, "private", Schedule(in_two_hours.time(), ZoneInfo("UTC")), clock())
    app = build(telegram, store, library, clock)
    async with app:
        sweeper = Sweeper(app)
        sweeper.start()
        await app.start()
        try:
            await telegram.wait_until(lambda: bool(app.job_queue.get_jobs_by_name(WAKE_JOB)))
            [wake] = app.job_queue.get_jobs_by_name(WAKE_JOB)
            assert wake.next_t == in_two_hours  # idle until then: no sweeps in between
            sooner = in_two_hours - timedelta(hours=1)
            app.bot_data.services.wake_at(sooner)  # what /time does for a nearer slot
            app.bot_data.services.wake_at(in_two_hours + timedelta(hours=1))  # later: ignored
            [wake] = [job for job in app.job_queue.get_jobs_by_name(WAKE_JOB) if not job.removed]
            assert wake.next_t == sooner
        finally:
            await app.stop()


async def test_a_deleted_database_stops_deliveries_with_one_error(
    store, db_path, library, telegram, clock, caplog
):
    store.subscribe(9, "private", Schedule(time(8, 0), ZoneInfo("UTC")), clock())
    clock.advance(hours=2, minutes=1)  # 08:01: chat 9's tip is due
    app = build(telegram, store, library, clock)
    db_path.unlink()  # an operator's mistake, or a cleanup script, while the bot runs
    async with app:
        Sweeper(app).start()
        await app.start()
        try:
            assert await telegram.wait_until(
                lambda: any("daily tips stop" in r.getMessage() for r in caplog.records)
            )
        finally:
            await app.stop()
    assert telegram.messages_to(9) == []
    [error] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "daily tips stop until the bot is restarted" in error.getMessage()
