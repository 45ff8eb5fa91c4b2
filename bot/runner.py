"""Running the Application: long polling, the delivery sweep, and a clean stop."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from telegram.error import Conflict, TelegramError

from bot.context import App, Context
from bot.lease import RENEW_EVERY, DeliveryLease
from bot.texts import COMMANDS
from scheduler.delivery import SWEEP_EVERY_SECONDS

logger = logging.getLogger(__name__)

STOP_TIMEOUT = 8.0
SWEEP_JOB = "daily-sweep"
LEASE_JOB = "delivery-lease"


async def serve(app: App, stop: asyncio.Event, *, sweep: bool = True) -> None:
    """Poll for updates and deliver daily tips until `stop` is set, then shut down cleanly."""
    delivery = app.bot_data.services.delivery
    lease = DeliveryLease(app.bot_data.services.store, app.bot_data.services.clock)
    async with app:
        await _register_commands(app)
        if sweep:
            schedule_sweep(app, lease)
        assert app.updater is not None, "built with an Updater"
        await app.updater.start_polling(allowed_updates=None, error_callback=_polling_error)
        await app.start()  # also starts the JobQueue, and with it the sweep
        logger.info("GutBone Daily is running as @%s", app.bot.username)
        await stop.wait()
        logger.info("Stopping")
        await app.updater.stop()
        await app.stop()
        await delivery.shutdown(timeout=STOP_TIMEOUT / 2)
        lease.release()
    logger.info("Stopped")


async def serve_until_signalled(app: App) -> None:
    """`serve()` until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(app, stop)


def schedule_sweep(app: App, lease: DeliveryLease | None = None) -> None:
    """One repeating job on the Application's own JobQueue runs the delivery sweep.

    There are no per-subscriber jobs: local delivery times live in the database and the sweep
    asks it who is due. That keeps memory flat with a million subscribers and sidesteps cron's
    DST pitfalls (a daily cron job fires twice on the fall-back day). With a `lease`, a second
    job keeps it renewed (apart from the sweep, which can outlast it) and the sweep runs only
    while this process holds it.
    """
    assert app.job_queue is not None, "python-telegram-bot[job-queue] is a dependency"
    if lease is not None:
        lease.renew()  # now, so the first sweep need not wait for the lease job
        app.job_queue.run_repeating(
            _renewing(lease), interval=RENEW_EVERY, name=LEASE_JOB, job_kwargs={"max_instances": 1}
        )
    app.job_queue.run_repeating(
        _sweeping(lease),
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


def _renewing(lease: DeliveryLease) -> Callable[[Context], Coroutine[Any, Any, None]]:
    async def renew(context: Context) -> None:
        lease.renew()

    return renew


def _sweeping(lease: DeliveryLease | None) -> Callable[[Context], Coroutine[Any, Any, None]]:
    """The sweep job: a standby (a process without the lease) skips its turn."""

    async def sweep(context: Context) -> None:
        if lease is None or lease.held():
            await context.services.delivery.sweep()

    return sweep


async def _register_commands(app: App) -> None:
    """The command menu users see; a failure here is not worth refusing to start."""
    try:
        await app.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        logger.warning("Could not register the command menu: %s", exc)


def _polling_error(exc: TelegramError) -> None:
    if isinstance(exc, Conflict):
        logger.error(
            "Another instance is polling with this token; run one instance per bot (%s)", exc
        )
    else:
        logger.warning("Polling failed, retrying: %s", exc)
