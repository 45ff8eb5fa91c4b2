"""A stop ends promptly even while long polling waits to retry a failing Telegram."""

from __future__ import annotations

import asyncio
import random
import time

from bot.service.config import parse_settings
from bot.service.runner import STOP_POLLING, serve
from bot.service.wiring import build_application
from emulator import TEST_TOKEN as TOKEN


async def test_a_stop_does_not_wait_out_pollings_retry_after(telegram, store, library, clock):
    values = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
    app = build_application(
        parse_settings(values), store, library, clock=clock, rng=random.Random(1), leased=False
    )
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(app, stop, sweep=False))
    await telegram.wait_for_calls("getUpdates")
    telegram.fail_next(
        "getUpdates",
        error_code=429,
        description="Too Many Requests: retry after 60",
        parameters={"retry_after": 60},
    )
    telegram.user_sends(5005, "/help")  # ends the long poll in flight; the next meets the 429
    await telegram.wait_for_messages(5005, 1)
    assert await telegram.wait_until(lambda: any(e[0] == "getUpdates" for e in telegram.errors))
    started = time.monotonic()
    stop.set()
    await asyncio.wait_for(serving, 10)
    assert time.monotonic() - started < STOP_POLLING + 2  # not the 60 s PTB would sleep
