"""Start-up against an unlucky network, and the polling faults PTB leaves to us."""

from __future__ import annotations

import asyncio
import logging
import random
import subprocess
import sys
from itertools import islice

import pytest
from telegram.error import Conflict, NetworkError

from bot.service.config import parse_settings
from bot.service.runner import serve
from bot.service.wiring import build_application
from bot.transport.polling import PollingErrors, TokenRevoked
from bot.transport.startup import backoff
from emulator import TEST_TOKEN as TOKEN
from tests.e2e import running_bot

CHAT = 4242


def test_backoff_doubles_up_to_a_minute():
    assert list(islice(backoff(), 9)) == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def attempts(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.transport.startup"]


async def test_5xx_at_start_is_retried_with_backoff(telegram, store, library, clock, sleep, caplog):
    caplog.set_level(logging.INFO)
    telegram.fail_next("getMe", error_code=502, description="Bad Gateway", times=2)
    telegram.fail_next("deleteWebhook", error_code=500, description="Internal Server Error")
    async with running_bot(telegram, store, library, clock, sleep) as bot:
        assert "Welcome" in await bot.ask(CHAT, "/start")
    assert sleep.calls[:3] == [1, 2, 4]
    assert attempts(caplog) == [
        "Telegram is not reachable (attempt 1: Bad Gateway); retrying in 1 s",
        "Telegram is not reachable (attempt 2: Bad Gateway); retrying in 2 s",
        "Telegram is not reachable (attempt 3: Internal Server Error); retrying in 4 s",
    ]


async def test_a_429_at_start_waits_as_long_as_telegram_asks(
    telegram, store, library, clock, sleep, pacing, caplog
):
    telegram.fail_next(
        "getMe",
        error_code=429,
        description="Too Many Requests: retry after 5",
        parameters={"retry_after": 5},
    )
    async with running_bot(telegram, store, library, clock, sleep, pacing) as bot:
        assert "Welcome" in await bot.ask(CHAT, "/start")
    assert 5 in pacing.slept  # the gateway waits out a 429 on any call, getMe's too
    assert attempts(caplog) == []  # so start-up never saw it fail


def app_at(base_url: str, store, library, clock, sleep):
    settings = parse_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": base_url})
    return build_application(
        settings, store, library, clock=clock, rng=random.Random(1), sleep=sleep
    )


async def test_a_dns_failure_is_retried_until_stopped(store, library, clock, caplog):
    stop = asyncio.Event()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 4:
            stop.set()
            await asyncio.sleep(3600)  # a SIGTERM arrives during the wait: it ends at once

    app = app_at("http://gutbone.invalid/bot", store, library, clock, sleep)
    await asyncio.wait_for(serve(app, stop, sweep=False), 10)
    assert waits == [1, 2, 4, 8]
    assert len(attempts(caplog)) == 4
    assert all("ClientConnector" in line and "gutbone.invalid" in line for line in attempts(caplog))


async def test_a_token_revoked_while_running_stops_serving(telegram, store, library, clock, sleep):
    app = app_at(telegram.base_url, store, library, clock, sleep)
    serving = asyncio.create_task(serve(app, asyncio.Event(), sweep=False))
    await telegram.wait_for_calls("getUpdates")
    telegram.revoke_token()
    with pytest.raises(TokenRevoked):
        await asyncio.wait_for(serving, 5)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_conflicts_are_said_once_a_minute(caplog):
    clock = Clock()
    errors = PollingErrors(clock)
    for second in (0, 1, 2.5, 30, 59.9, 60, 61):
        clock.now = second
        errors(Conflict("Conflict: terminated by other getUpdates request"))
    errors(NetworkError("Bad Gateway"))
    assert [r.getMessage() for r in caplog.records] == [
        "Another instance is polling with this token (409 Conflict): run one instance per bot",
        "Another instance is polling with this token (409 Conflict): run one instance per bot"
        " (4 more since the last report)",
        "Polling failed, retrying: Bad Gateway",
    ]


def test_pillow_waits_for_the_first_sunday_picture():
    """Only the weekly picture needs Pillow: starting the bot does not import it (it was 20-30
    ms of every start-up); the first picture drawn does."""
    probe = (
        "import sys, bot.__main__\n"
        "started = 'PIL' in sys.modules\n"
        "from datetime import date\n"
        "from bot.commands.texts import draw_recap\n"
        "from habits.recap import Recap\n"
        "png = draw_recap(Recap(date(2026, 3, 2), (True,) * 7, 7, 12, None), None)\n"
        "print(started, 'PIL' in sys.modules, png[:4] == b'\\x89PNG')\n"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["False", "True", "True"]
