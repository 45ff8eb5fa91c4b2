"""The typed context every handler and job receives: `context.services` instead of a dict bag.

Follows python-telegram-bot's `contexttypesbot.py` example: `bot_data` is a small class and
`Context` a `CallbackContext` subclass, registered once through `CONTEXT_TYPES`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.commands.permissions import AdminCache
from bot.service.config import Settings
from bot.service.faults import Faults
from bot.service.metrics import Metrics
from bot.service.sweeping import Sweeper
from bot.transport.follow_ups import FollowUps
from bot.transport.gateway import Gateway, Send
from bot.transport.webhook_watch import WebhookWatch
from scheduler.delivery import Delivery, Sleep
from scheduler.engine import DeliveryLoop
from storage import Store
from tips import Library

if TYPE_CHECKING:  # it reads the settings view, which needs this module's `Services`
    from bot.commands.weekly import WeeklyRecaps


@dataclass(frozen=True)
class Services:
    """Everything the handlers and the runner use, built once and completely by
    `bot.service.wiring`: nothing is assigned or rewired afterwards."""

    settings: Settings
    store: Store
    library: Library
    clock: Callable[[], datetime]
    rng: random.Random
    gateway: Gateway  # every message out, within Telegram's limits
    delivery: Delivery
    sleep: Sleep
    loop: DeliveryLoop  # when sweeps run; the lease
    sweeper: Sweeper  # one sweep, with its heartbeat
    metrics: Metrics
    faults: Faults  # why the process must stop, reported by the part that failed
    follow_ups: FollowUps  # a press's edit, made after its answer, off PTB's update slots
    webhook_watch: WebhookWatch | None = None  # in webhook mode: notices a revoked token
    admins: AdminCache = field(default_factory=AdminCache)  # who may change a group's settings
    recaps: WeeklyRecaps | None = None  # Sunday's picture after the tip (None: not sent)

    def wake_at(self, moment: datetime | None) -> None:
        """A schedule changed: let the delivery loop look again at `moment`."""
        self.loop.wake_at(moment)

    def token_rejected(self) -> None:
        """A reply met 401: in webhook mode, nothing else would notice."""
        if self.webhook_watch is not None:
            self.webhook_watch.rejected()


class BotData:
    """The application-wide `bot_data`: one typed slot, filled in by `build_application`."""

    services: Services


class Context(CallbackContext[ExtBot[Send], dict[Any, Any], dict[Any, Any], BotData]):
    """A handler's context with typed access to the services."""

    @property
    def services(self) -> Services:
        return self.bot_data.services


App = Application[ExtBot[Send], Context, dict[Any, Any], dict[Any, Any], BotData, JobQueue[Context]]

CONTEXT_TYPES = ContextTypes(context=Context, bot_data=BotData)


def services_of(app: App) -> Services:
    """The services of a built Application (for the runner and tests)."""
    return app.bot_data.services
