"""What the handlers need, bundled once and stored under one key in `bot_data`."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from telegram.ext import Application, ContextTypes

from bot.config import Settings
from scheduler.delivery import Delivery
from storage import Store
from tips import Library

_KEY = "services"


@dataclass
class Services:
    settings: Settings
    store: Store
    library: Library
    clock: Callable[[], datetime]
    rng: random.Random
    delivery: Delivery


def attach(bot_data: dict, services: Services) -> None:
    bot_data[_KEY] = services


def services(holder: ContextTypes.DEFAULT_TYPE | Application) -> Services:
    """The bundle, from a handler's context or from the Application itself."""
    return holder.bot_data[_KEY]
