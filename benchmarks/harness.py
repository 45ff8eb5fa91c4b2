"""The real bot, served in this process against an emulator process, with its logs counted."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from telegram.request import BaseRequest

from benchmarks.emulated import TOKEN, EmulatorProcess
from bot.service.config import parse_settings
from bot.service.context import App
from bot.service.logs import configure_logging
from bot.service.runner import serve
from bot.service.wiring import build_application, system_clock
from scheduler.pacing import Limits
from storage import Store
from tips import load_library


class LogCount(logging.Handler):
    """Counts what the bot logs: errors, tracebacks, warnings; prints errors to stderr."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.errors = 0
        self.tracebacks = 0
        self.warnings = 0
        self._shown = 0
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno < logging.WARNING and not record.exc_info:
            return
        text = self.format(record)
        self.tracebacks += "Traceback" in text
        if record.levelno >= logging.ERROR:
            self.errors += 1
            if self._shown < 5:  # the first few, so a failure can be read; then only counted
                self._shown += 1
                print(text, file=sys.stderr)
        elif record.levelno >= logging.WARNING:
            self.warnings += 1


def count_logs() -> LogCount:
    """Log as the real process does (INFO; httpx, httpcore, APScheduler at WARNING), counted."""
    configure_logging("INFO", secrets=[TOKEN])
    counter = LogCount()
    logging.getLogger().handlers[:] = [counter]
    return counter


@asynccontextmanager
async def running_bot(
    telegram: EmulatorProcess,
    store: Store,
    *,
    clock: Callable[[], datetime] = system_clock,
    request: BaseRequest | None = None,
    limits: Limits | None = None,
    **settings: str,
) -> AsyncIterator[App]:
    """The Application, polling `telegram`, its sweep left to the caller; `request` (an
    experiment) replaces the HTTP client of every call but getUpdates, `limits` the gateway's
    budget `build_application` would set."""
    values = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
    config = parse_settings({**values, **settings})
    app = build_application(
        config,
        store,
        load_library(),
        clock=clock,
        rng=random.Random(3),
        limits=limits,
        leased=False,  # the benchmark sweeps by hand
    )
    if request is not None:  # python-telegram-bot keeps (getUpdates client, other client)
        app.bot._request = (app.bot._request[0], request)  # type: ignore[attr-defined]
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop, sweep=False))
    try:
        await telegram.wait_for_call("getUpdates")
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


def reply_latencies(
    asks: Sequence[tuple[int, float]], sent: Sequence[dict[str, Any]], chats: Iterable[int]
) -> list[float]:
    """Seconds from each ask (chat, when queued) to its reply, matched in order per chat (the
    gateway keeps one chat's replies in order); an ask never answered counts as infinite.
    Exact while no ask is refused; after a refusal, later replies are matched to earlier asks,
    so the figures become upper bounds."""
    found = []
    for chat in chats:
        replies = [m["at"] for m in sent if m["chat_id"] == chat]
        asked = [at for asker, at in asks if asker == chat]
        found += [replies[i] - at if i < len(replies) else math.inf for i, at in enumerate(asked)]
    return found
