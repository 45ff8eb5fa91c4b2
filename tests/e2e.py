"""Helpers for end-to-end tests: the real Application, served against the emulator."""

from __future__ import annotations

import asyncio
import random
import socket
from contextlib import asynccontextmanager

from bot.service.config import parse_settings
from bot.service.context import services_of
from bot.service.runner import serve
from bot.service.wiring import REAL_TIME, Pacing, build_application
from emulator import TEST_TOKEN as TOKEN
from emulator import BotAPIEmulator


def free_port() -> int:
    """A loopback TCP port nothing listens on (for the bot's webhook server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningBot:
    """A bot being served in this event loop, with the handles tests need."""

    def __init__(self, app, telegram: BotAPIEmulator) -> None:
        self.app = app
        self.telegram = telegram
        self.delivery = services_of(app).delivery
        self.delivery_schedule = services_of(app).settings.default_schedule

    async def ask(self, chat_id: int, text: str, **kwargs) -> str:
        """Send a message as a user and return the bot's next reply in that chat."""
        before = len(self.telegram.messages_to(chat_id))
        self.telegram.user_sends(chat_id, text, **kwargs)
        replies = await self.telegram.wait_for_messages(chat_id, before + 1)
        return replies[before].text


@asynccontextmanager
async def running_bot(telegram, store, library, clock, sleep, pacing=None, **settings):
    """The bot against `telegram`; with `pacing` (a `PacingTime`) the gateway's waits pass at
    once, without it the gateway keeps real time (for tests against flood control)."""
    values = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
    config = parse_settings({**values, **settings})
    app = build_application(
        config,
        store,
        library,
        clock=clock,
        rng=random.Random(5),
        sleep=sleep,
        pacing=Pacing(pacing.clock, pacing.sleep) if pacing is not None else REAL_TIME,
        leased=False,  # the tests sweep by hand, on their own clock
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop, sweep=False))
    try:
        # With a webhook the server listens before the command menu is set; polling: it polls.
        await telegram.wait_for_calls("setMyCommands" if config.webhook_url else "getUpdates")
        yield RunningBot(app, telegram)
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def press(telegram: BotAPIEmulator, chat_id: int, message_id: int, data: str, **kwargs):
    """Press a button as a user; return the bot's answerCallbackQuery for that press (its
    `text` is None for a silent answer). Whatever the press edits follows the answer."""
    query_id = telegram.user_presses(chat_id, message_id, data, **kwargs)["callback_query"]["id"]

    def answered() -> list[dict]:
        return [
            params
            for name, params in telegram.calls
            if name == "answerCallbackQuery" and params["callback_query_id"] == query_id
        ]

    assert await telegram.wait_until(lambda: bool(answered())), f"{data!r} was not answered"
    return {"text": None, **answered()[0]}


def buttons(message) -> dict[str, str]:
    """A message's inline buttons: label -> callback data."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}
