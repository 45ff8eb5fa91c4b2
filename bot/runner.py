"""Running the Application: long polling, the delivery sweep, and a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import UTC, datetime

from telegram.error import InvalidToken, TelegramError

from bot.context import App, Context, services_of
from bot.logs import log_loop_exception
from bot.polling import PollingErrors, PollingWatch, TokenRevoked
from bot.startup import connect
from bot.texts import COMMANDS
from scheduler.delivery import SWEEP_EVERY_SECONDS

logger = logging.getLogger(__name__)

STOP_TIMEOUT = 8.0
SWEEP_JOB = "daily-sweep"


async def serve(app: App, stop: asyncio.Event, *, sweep: bool = True) -> None:
    """Poll for updates and deliver daily tips until `stop` is set, then shut down cleanly.

    Start-up waits for Telegram to answer (retrying with backoff); `TokenRevoked` is raised,
    after the clean shutdown, if Telegram stopped accepting the token while running.
    """
    services = services_of(app)
    if not await connect(app, stop, services.sleep):
        await app.bot.shutdown()  # close the connections the attempts opened
        logger.info("Stopped before Telegram answered")
        return
    watch = PollingWatch(stop)
    async with app:
        await _register_commands(app)
        if sweep:
            schedule_sweep(app)
        assert app.updater is not None, "built with an Updater"
        await app.updater.start_polling(allowed_updates=None, error_callback=PollingErrors())
        watch.attach()
        await app.start()  # also starts the JobQueue, and with it the sweep
        logger.info("GutBone Daily is running as @%s", app.bot.username)
        await stop.wait()
        logger.info("Stopping")
        with contextlib.suppress(InvalidToken):  # the polling task's end, already reported
            await app.updater.stop()
        await app.stop()
        await services.delivery.shutdown(timeout=STOP_TIMEOUT / 2)
    logger.info("Stopped")
    if watch.revoked:
        raise TokenRevoked


async def serve_until_signalled(app: App) -> None:
    """`serve()` until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(log_loop_exception)  # one line, not a traceback to stderr
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(app, stop)


def schedule_sweep(app: App) -> None:
    """One repeating job on the Application's own JobQueue runs the delivery sweep.

    There are no per-subscriber jobs: local delivery times live in the database and the sweep
    asks it who is due. That keeps memory flat with a million subscribers and sidesteps cron's
    DST pitfalls (a daily cron job fires twice on the fall-back day).
    """
    assert app.job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    app.job_queue.run_repeating(
        _sweep,
        interval=SWEEP_EVERY_SECONDS,
        name=SWEEP_JOB,
        job_kwargs={
            # `first=0` would compute its first run when the JobQueue starts, an interval late
            "next_run_time": datetime.now(UTC),
            "misfire_grace_time": SWEEP_EVERY_SECONDS,  # late by less than a period: still run
            "coalesce": True,  # missed runs collapse into one: a sweep catches up on its own
            "max_instances": 1,  # a long sweep (a large audience) is never doubled
        },
    )


async def _sweep(context: Context) -> None:
    await context.services.delivery.sweep()


async def _register_commands(app: App) -> None:
    """The command menu users see; a failure here is not worth refusing to start."""
    try:
        await app.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        logger.warning("Could not register the command menu: %s", exc)
