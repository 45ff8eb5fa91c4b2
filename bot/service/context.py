"""The typed context every handler and job receives: `context.services` instead of a dict bag.

Follows python-telegram-bot's `contexttypesbot.py` example: `bot_data` is a small class and
`Context` a `CallbackContext` subclass, registered once through `CONTEXT_TYPES`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot, JobQueue

from bot.commands.permissions import AdminCache
from bot.service.config import Settings
from bot.service.metrics import Metrics
from bot.service.sweeping import Sweeper
from bot.transport.follow_ups import FollowUps
from bot.transport.gateway import Send
from scheduler.delivery import Delivery, Sleep
from scheduler.engine import DeliveryLoop
from storage import Store
from tips import Library


@dataclass
class Services:
    """What the handlers need, built once by the wiring module."""

    settings: Settings
    store: Store
    library: Library
    clock: Callable[[], datetime]
    rng: random.Random
    delivery: Delivery
    sleep: Sleep
    loop: DeliveryLoop  # when sweeps run; the lease
    sweeper: Sweeper  # one sweep, with its heartbeat
    wake_at: Callable[[datetime | None], None]  # a schedule changed: sweep then
    admins: AdminCache = field(default_factory=AdminCache)  # who may change a group's settings
    metrics: Metrics = field(default_factory=Metrics)
    follow_ups: FollowUps = field(default_factory=FollowUps)  # a press's edit, after its answer
    token_rejected: Callable[[], None] = lambda: None  # set by the runner in webhook mode


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
