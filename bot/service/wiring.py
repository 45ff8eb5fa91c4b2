"""The one wiring module: builds the Application with its handlers, store and delivery."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    JobQueue,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.commands import channels, choices, handlers, plants, presses, privacy, settings_buttons
from bot.service.config import FREE_RATE, Settings
from bot.service.context import CONTEXT_TYPES, App, Context, Services
from bot.service.lease import holder_id, process_alive, process_identity
from bot.service.metrics import Metrics
from bot.service.sweeping import Sweeper
from bot.transport.gateway import Gateway
from bot.transport.http import AiohttpRequest, polling_request
from bot.transport.sender import NO_PREVIEW, TipSender
from scheduler.delivery import ChooseTips, Delivery, Sleep, workers_for
from scheduler.due import local_date
from scheduler.engine import SAFETY_SWEEP_SECONDS, DeliveryLoop
from scheduler.lease import Lease
from scheduler.pacing import Limits
from scheduler.records import Subscriber
from storage import Store, gauges
from storage.events import EventKind
from tips import Library, daily_tips

logger = logging.getLogger(__name__)

TIDY_JOB = "tidy"
TIDY_EVERY = SAFETY_SWEEP_SECONDS
# Under Telegram's rate by this share, so clock jitter between us and Telegram never earns a 429.
MARGIN = 0.993
# Telegram can answer slowly under load: a send is not given up (and maybe doubled) too soon.
READ_TIMEOUT = 30.0


def system_clock() -> datetime:
    return datetime.now(UTC)


def build_application(
    settings: Settings,
    store: Store,
    library: Library,
    *,
    clock: Callable[[], datetime] = system_clock,
    rng: random.Random | None = None,
    sleep: Sleep = asyncio.sleep,
    gateway: Gateway | None = None,
    leased: bool = True,
) -> App:
    """The bot, ready to `serve()`; tests pass their own clock, rng, sleep and gateway, and
    `leased=False` for a process that delivers without asking (one process, tests, sandbox)."""
    defaults = Defaults(parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
    jobs: JobQueue[Context] = JobQueue()  # typed, so jobs get a `Context` too
    gateway = gateway or Gateway(limits_for(settings))
    workers = workers_for(settings.broadcast_rate)
    app = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_base_url)
        .defaults(defaults)
        .context_types(CONTEXT_TYPES)
        .job_queue(jobs)
        .rate_limiter(gateway)
        .concurrent_updates(True)  # a slow reply never holds up the next user
        # every send in flight, plus replies, on the leaner client; getUpdates on its own
        .request(AiohttpRequest(workers + 16, read_timeout=READ_TIMEOUT))
        .get_updates_request(polling_request())
        .build()
    )
    rng = rng or random.Random()
    holder = holder_id()
    lease = (
        Lease(store, clock, holder, process=process_identity(), alive=process_alive)
        if leased
        else None
    )
    delivery = Delivery(
        store,
        tip_chooser(store, library, rng),
        TipSender(
            app.bot,
            library,
            paid=settings.paid_broadcast,
            done_today=checked_in_today(store, clock),
        ).send,
        clock,
        workers=workers,
        sleep=sleep,
        me=holder,
        may_deliver=lease.held if lease else lambda: True,
        dead=(lambda: lease.dead) if lease else frozenset,
        held_since=(lambda: lease.held_since) if lease else lambda: None,
    )
    metrics = Metrics()
    sweeper = Sweeper(store, delivery, metrics, clock, holder if lease else "unleased")
    loop = DeliveryLoop(
        sweeper.sweep,
        delivery.next_wake,
        clock,
        lease=lease,
        sleep=sleep,
        on_stop=delivery.stop_starting,
        housekeeping=delivery.record_unrecorded,
    )
    schedule_chores(jobs, sweeper, loop.delivering)
    services = Services(
        settings,
        store,
        library,
        clock,
        rng,
        delivery,
        sleep,
        loop,
        sweeper,
        loop.wake_at,
        metrics=metrics,
    )
    app.bot_data.services = services
    observe(services, gateway)
    add_handlers(app)
    return app


def schedule_chores(
    jobs: JobQueue[Context], sweeper: Sweeper, delivering: Callable[[], bool]
) -> None:
    """Prune old records every `TIDY_EVERY` seconds on APScheduler, in the delivering process."""

    async def tidy(_context: Context) -> None:
        if delivering():
            sweeper.tidy()

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
    """Each due chat's daily tip: the next in its rotation, from the topics it chose."""

    def choose(subscribers: Sequence[Subscriber], now: datetime) -> dict[int, str]:
        shared = {topics: library.tips_for(topics) for topics in {s.topics for s in subscribers}}
        pools = {s.chat_id: shared[s.topics] for s in subscribers}
        return {chat_id: tip.id for chat_id, tip in daily_tips(store, pools, rng).items()}

    return choose


def checked_in_today(store: Store, clock: Callable[[], datetime]) -> Callable[[int], bool]:
    """Whether a chat checked in on its local today: its daily tip then shows ✅ Done today."""

    def done(chat_id: int) -> bool:
        subscriber = store.subscriber(chat_id)
        today = local_date(subscriber.schedule, clock()) if subscriber else None
        return today is not None and store.checked_in(chat_id, today)

    return done


def observe(services: Services, gateway: Gateway) -> None:
    """Feed the metrics and the operator's event counts from the gateway and the sweep."""
    metrics: Metrics = services.metrics
    metrics.process.queued = lambda: gateway.queued_by_priority
    database = gauges.database_file(services.store.db)
    if database is not None:
        metrics.read_database(database, services.clock)
    services.delivery.outcome_listeners.append(
        lambda status: metrics.deliveries.labels(outcome=status).inc()
    )

    def rate_limited() -> None:
        metrics.rate_limited.inc()
        try:
            services.store.record_event(EventKind.RATE_LIMITED, services.clock())
        except sqlite3.Error as exc:  # a count, never worth failing a send for
            logger.warning("Could not record a 429: %s", exc)

    gateway.on_rate_limited = rate_limited


def limits_for(settings: Settings) -> Limits:
    """The gateway's budget: free, at `BROADCAST_RATE` (at most ~30/s) for everything; or paid
    broadcasts for daily tips at `BROADCAST_RATE` while replies keep the free budget."""
    if settings.paid_broadcast:
        return Limits(paid_per_second=settings.broadcast_rate * MARGIN)
    return Limits(overall_per_second=min(settings.broadcast_rate, FREE_RATE) * MARGIN)


def add_handlers(app: App) -> None:
    """Commands (new messages only, not edits), then the fallbacks, then the error handler."""
    new = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    commands = {
        "start": handlers.start,
        "stop": handlers.stop,
        "tip": handlers.tip,
        "avoid": handlers.avoid,
        "time": handlers.set_time,
        "timezone": handlers.set_timezone,
        "source": handlers.source,
        "streak": handlers.streak,
        "plants": plants.plants,
        "topics": choices.topics,
        "pause": choices.pause,
        "resume": choices.resume,
        "settings": choices.settings,
        "channel": channels.channel,
        "export": privacy.export,
        "delete_me": privacy.delete_me,
        "help": handlers.help_command,
        "about": handlers.about,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=new))
    app.add_handler(CommandHandler("stats", handlers.stats, filters=new))  # hidden: admins
    app.add_handler(TypeHandler(Update, handlers.received), group=-1)  # reply latency's start
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.chat_migrated))
    app.add_handler(
        ChatMemberHandler(handlers.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    # Groups: stay quiet unless a command is addressed to this bot by name.
    app.add_handler(
        MessageHandler(new & filters.COMMAND & filters.ChatType.GROUPS, handlers.addressed_hint)
    )
    # Private chats: a post forwarded from a channel subscribes that channel (/channel).
    app.add_handler(MessageHandler(new & private & filters.FORWARDED, channels.forwarded))
    # Private chats: anything else (text, unknown commands, stickers, photos) gets a hint.
    app.add_handler(MessageHandler(new & private, handlers.hint))
    # Buttons: settings, topics and /delete_me; then the tips' own (old `source:` ones
    # included), where anything else is answered as stale.
    app.add_handler(CallbackQueryHandler(choices.press, pattern=settings_buttons.PRESS_PATTERN))
    app.add_handler(CallbackQueryHandler(presses.pressed))
    app.add_error_handler(handlers.on_error)
