"""The one wiring: settings, logging, the library and the store, then the gateway, the lease,
the delivery, its sweeper and loop, built once into a complete, frozen `Services`, and the
Application around them. Nothing is assigned or rewired after construction.

`gutbone-bot run` starts `application_from_environment`; tests, benchmarks and the sandbox
call `build_application` with their own clocks, pacing and listeners."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, Defaults, JobQueue

from bot.commands.routes import add_handlers
from bot.commands.weekly import WeeklyRecaps
from bot.service import config
from bot.service.checking import database_problem, open_store
from bot.service.config import ConfigError, Settings, load_settings, misspelled_variables
from bot.service.context import CONTEXT_TYPES, App, Context, Services
from bot.service.faults import Faults
from bot.service.lease import holder_id, process_alive, process_identity
from bot.service.logs import configure_logging
from bot.service.metrics import DatabaseGauges, Metrics, ProcessGauges
from bot.service.sweeping import Sweeper, SweepHeartbeat
from bot.transport.follow_ups import FollowUps
from bot.transport.gateway import Gateway
from bot.transport.http import AiohttpRequest, polling_request
from bot.transport.sender import NO_PREVIEW, TipSender
from bot.transport.webhook_watch import WebhookWatch
from scheduler.delivery import ChooseTips, Delivery, Sleep, workers_for
from scheduler.engine import SAFETY_SWEEP_SECONDS, DeliveryLoop
from scheduler.lease import Lease
from scheduler.lifecycle import DeliveryStatus
from scheduler.pacing import Limits
from storage import EventKind, Store, StoreError, gauges
from tips import Library, LibraryError, daily_chooser, load_library, plant_list

logger = logging.getLogger(__name__)

TIDY_JOB = "tidy"
TIDY_EVERY = SAFETY_SWEEP_SECONDS


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Pacing:
    """The gateway's time: the real one, or one a test or the sandbox controls."""

    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep


REAL_TIME = Pacing()


class CannotStart(Exception):
    """What stops the bot from starting, in lines an operator can act on (exit code 2)."""

    def __init__(self, *problems: str) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def application_from_environment(env_file: Path | None = None) -> App:
    """The bot as `gutbone-bot run` starts it: settings from the environment (and
    `--env-file`), logging that never prints a secret, the tip library, the database."""
    try:
        settings = load_settings(env_file=env_file)
    except ConfigError as problem:
        raise CannotStart(*problem.problems) from None
    secrets = [settings.token, settings.webhook_secret or ""]
    configure_logging(settings.log_level, secrets, settings.log_format)
    for misspelled in misspelled_variables(env_file=env_file):
        logger.warning("%s (ignored)", misspelled)
    try:
        library = load_library(settings.tips_library)
        plant_list()  # /plants reads it: a bad list stops the start, not a later command
    except LibraryError as problem:
        raise CannotStart(str(problem)) from None
    try:
        store = open_store(settings.database_path)
    except (sqlite3.Error, OSError, StoreError) as problem:
        raise CannotStart(database_problem(settings.database_path, problem)) from None
    return build_application(settings, store, library)


def build_application(
    settings: Settings,
    store: Store,
    library: Library,
    *,
    clock: Callable[[], datetime] = system_clock,
    rng: random.Random | None = None,
    sleep: Sleep = asyncio.sleep,
    pacing: Pacing = REAL_TIME,
    limits: Limits | None = None,
    leased: bool = True,
    outcome_listeners: Iterable[Callable[[DeliveryStatus], None]] = (),
) -> App:
    """The bot, ready to `serve()`. Tests pass their own clock, rng, sleep and pacing, and
    `leased=False` for a process that delivers without asking (one process, tests, sandbox);
    `outcome_listeners` hear each daily tip's end (the sandbox shows it)."""
    rng = rng or random.Random()
    faults, holder = Faults(), holder_id()
    lease = _lease(store, clock, holder) if leased else None
    gateway = Gateway(
        limits or config.limits_for(settings), clock=pacing.clock, sleep=pacing.sleep,
        on_fatal=faults.gateway_failed, on_rate_limited=lambda: _record_rate_limited(store, clock),
    )  # fmt: skip
    metrics = _metrics(store, clock, gateway, lease)
    app = _application(settings, gateway)
    heartbeat = SweepHeartbeat(store, clock, lease.holder if lease else "unleased")
    listeners = [heartbeat.progressed, metrics.count_outcome, *outcome_listeners]
    recaps = WeeklyRecaps(app.bot, store, library, clock)  # Sunday's picture, after the tip
    delivery = _delivery(
        settings, store, library, app, clock, sleep, rng, holder, lease, listeners, recaps
    )
    sweeper = Sweeper(store, delivery, heartbeat, metrics, clock, sleep)
    loop = _loop(sweeper, delivery, clock, sleep, lease)
    webhook_watch = WebhookWatch(app.bot, faults.token_revoked) if settings.webhook_url else None
    services = Services(
        settings=settings, store=store, library=library, clock=clock, rng=rng,
        gateway=gateway, delivery=delivery, sleep=sleep, loop=loop, sweeper=sweeper, recaps=recaps,
        metrics=metrics, faults=faults, follow_ups=FollowUps(), webhook_watch=webhook_watch,
    )  # fmt: skip
    return _finish(app, services)


def _loop(
    sweeper: Sweeper,
    delivery: Delivery,
    clock: Callable[[], datetime],
    sleep: Sleep,
    lease: Lease | None,
) -> DeliveryLoop:
    """When sweeps run: each due time, each schedule change, a takeover, a safety interval."""
    return DeliveryLoop(
        sweeper.sweep,
        delivery.next_wake,
        clock,
        lease=lease,
        sleep=sleep,
        on_stop=delivery.stop_starting,
        housekeeping=delivery.record_unrecorded,
    )


def _lease(store: Store, clock: Callable[[], datetime], holder: str) -> Lease:
    """This process's claim to be the one that delivers (a warm standby otherwise)."""
    return Lease(store, clock, holder, process=process_identity(), alive=process_alive)


def _metrics(
    store: Store, clock: Callable[[], datetime], gateway: Gateway, lease: Lease | None
) -> Metrics:
    """The metrics, reading the gateway, the lease and (for a file) the database at scrapes."""
    process = ProcessGauges(
        queued=lambda: gateway.queued_by_priority,
        lease_held=lease.held if lease else lambda: False,
        rate_limited=lambda: gateway.rate_limited,
    )
    database = gauges.database_file(store.db)
    return Metrics(process, DatabaseGauges(database, clock) if database else None)


def _application(settings: Settings, gateway: Gateway) -> App:
    """python-telegram-bot's Application: our context types, gateway and HTTP client."""
    workers = workers_for(settings.broadcast_rate)
    jobs: JobQueue[Context] = JobQueue()  # typed, so jobs get a `Context` too
    return (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW))
        .context_types(CONTEXT_TYPES)
        .job_queue(jobs)
        .rate_limiter(gateway)
        .concurrent_updates(True)  # a slow reply never holds up the next user
        # every send in flight, plus replies, on the leaner client; getUpdates on its own
        .request(AiohttpRequest(workers + 16))  # http.py's one timeout policy
        .get_updates_request(polling_request())
        .build()
    )


def _delivery(
    settings: Settings,
    store: Store,
    library: Library,
    app: App,
    clock: Callable[[], datetime],
    sleep: Sleep,
    rng: random.Random,
    holder: str,
    lease: Lease | None,
    listeners: list[Callable[[DeliveryStatus], None]],
    recaps: WeeklyRecaps,
) -> Delivery:
    """The daily sweep: tips chosen from each chat's rotation, sent through the bot; a tip
    recorded as sent is told to `recaps` (Sunday's picture follows it, best effort)."""
    sender = TipSender(app.bot, library, paid=settings.paid_broadcast, checked_in=store.checked_in)
    return Delivery(
        store,
        tip_chooser(store, library, rng),
        sender.send,
        clock,
        workers=workers_for(settings.broadcast_rate),
        sleep=sleep,
        me=holder,
        may_deliver=lease.held if lease else lambda: True,
        dead=(lambda: lease.dead) if lease else frozenset,
        held_since=(lambda: lease.held_since) if lease else lambda: None,
        outcome_listeners=listeners,
        sent_listeners=[recaps.after_tip],
    )


def _finish(app: App, services: Services) -> App:
    """Hand the services to PTB (its own `bot_data`); schedule the chores; add the handlers."""
    app.bot_data.services = services
    assert app.job_queue is not None, "built with a JobQueue"
    _schedule_chores(app.job_queue, services.sweeper, services.loop.delivering)
    add_handlers(app)
    return app


def _schedule_chores(
    jobs: JobQueue[Context], sweeper: Sweeper, delivering: Callable[[], bool]
) -> None:
    """The chores (pruning, giving space back) every `TIDY_EVERY` seconds on APScheduler, in
    the delivering process: a round of short steps (`Sweeper.tidy`)."""

    async def tidy(_context: Context) -> None:
        if delivering():
            await sweeper.tidy()

    first = datetime.now(UTC) + timedelta(seconds=TIDY_EVERY)
    jobs.run_repeating(
        tidy,
        interval=TIDY_EVERY,
        name=TIDY_JOB,
        job_kwargs={
            "misfire_grace_time": TIDY_EVERY,  # late (a busy loop, a suspended host): still run
            "coalesce": True,  # missed runs collapse into one
            "max_instances": 1,
            "next_run_time": first,  # `first=` would compute it an interval late
        },
    )


def tip_chooser(store: Store, library: Library, rng: random.Random) -> ChooseTips:
    """Each due chat's daily tip, the next in its rotation from its topics (library numbered)."""
    if not store.number_tips(tip.id for tip in library.tips):  # a full disk: numbered later
        logger.warning("Could not number the library's tips up front")

    choose = daily_chooser(store, library, rng)
    return lambda subscribers, now: choose(subscribers)


def _record_rate_limited(store: Store, clock: Callable[[], datetime]) -> None:
    """A 429 for the operator's event counts (`/stats`); never worth failing a send for."""
    try:
        store.record_event(EventKind.RATE_LIMITED, clock())
    except sqlite3.Error as exc:
        logger.warning("Could not record a 429: %s", exc)
