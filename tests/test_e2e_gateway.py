"""End to end through the gateway: a viral burst of new users, one user flooding /tip, one
chat's 429 beside everyone else's replies, and a gateway that keeps failing."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from bot.service.config import parse_settings
from bot.service.runner import serve
from bot.service.wiring import Pacing, build_application
from bot.transport.gateway import MAX_QUEUED_PER_CHAT, GatewayFailed
from emulator import TEST_TOKEN as TOKEN
from tests.e2e import running_bot


async def test_a_burst_of_new_users_is_all_answered_within_the_flood_limit(
    telegram, store, library, clock, sleep, caplog
):
    telegram.flood_control = True  # Telegram's limits, on the real clock
    async with running_bot(telegram, store, library, clock, sleep):
        newcomers = range(5000, 5045)
        for chat_id in newcomers:
            telegram.user_sends(chat_id, "/start")
        for chat_id in newcomers:
            [welcome] = await telegram.wait_for_messages(chat_id, timeout=10)
            assert "Welcome to GutBone Daily" in welcome.text
        assert all(store.subscriber(chat_id).active for chat_id in newcomers)
    assert [body for _, _, body in telegram.errors if body.get("error_code") == 429] == []
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_one_user_flooding_tip_gets_a_few_answers_and_sees_only_those(
    bot, telegram, store, library, caplog
):
    flooder, bystander = 6001, 6002
    for _ in range(60):
        telegram.user_sends(flooder, "/tip")
    assert "Commands" in await bot.ask(bystander, "/help")  # others are answered meanwhile
    gateway = bot.app.bot.rate_limiter
    answered_or_refused = lambda: len(telegram.messages_to(flooder)) + gateway.dropped == 60  # noqa: E731
    assert await telegram.wait_until(answered_or_refused)
    titles = {tip.title: tip.id for tip in library.tips}
    shown = {
        tip_id
        for message in telegram.messages_to(flooder)
        for title, tip_id in titles.items()
        if f"<b>{title}</b>" in message.text
    }
    assert MAX_QUEUED_PER_CHAT <= len(telegram.messages_to(flooder)) < 60
    assert store.seen_tips(flooder) == shown  # a tip counts as seen only once delivered
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_stopping_during_a_flood_pause_is_quick_and_quiet(
    telegram, store, library, clock, sleep, caplog
):
    async with running_bot(telegram, store, library, clock, sleep) as bot:  # real waits
        telegram.rate_limit_next(7007, retry_after=30)
        telegram.user_sends(7007, "/help")
        assert await telegram.wait_until(lambda: len(telegram.errors) == 1)
        stopping_from = asyncio.get_running_loop().time()
    assert asyncio.get_running_loop().time() - stopping_from < 5  # not 30 s
    assert telegram.messages_to(7007) == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
    assert bot.app.bot.rate_limiter.rate_limited == 1


async def test_one_chats_429_holds_back_nobody_else(telegram, store, library, clock, sleep, caplog):
    async with running_bot(telegram, store, library, clock, sleep) as bot:  # real waits
        telegram.rate_limit_next(7007, retry_after=30)
        telegram.user_sends(7007, "/help")
        assert await telegram.wait_until(lambda: len(telegram.errors) == 1)
        asked_at = asyncio.get_running_loop().time()
        assert "Commands" in await bot.ask(7008, "/help")  # not 30 s later
        assert asyncio.get_running_loop().time() - asked_at < 2
        assert telegram.messages_to(7007) == []  # that chat waits out its 30 s
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []


async def test_a_gateway_that_keeps_failing_stops_the_bot(telegram, store, library, clock, caplog):
    async def broken(seconds: float) -> None:  # a bug: the dispatcher fails whenever it waits
        if seconds > 0:
            raise RuntimeError("the pacing clock broke")
        await asyncio.sleep(0)

    values = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
    settings = parse_settings(values)
    app = build_application(
        settings, store, library, clock=clock, rng=random.Random(1), pacing=Pacing(sleep=broken)
    )
    serving = asyncio.create_task(serve(app, asyncio.Event(), sweep=False))
    await telegram.wait_for_calls("getUpdates")
    for _ in range(5):  # a burst of three goes at once; the fourth must wait: the bug
        telegram.user_sends(6006, "/help")
    with pytest.raises(GatewayFailed, match="the pacing clock broke"):
        await asyncio.wait_for(serving, 5)
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 6  # one line each, no traceback
    assert not any(r.exc_info for r in errors)
    assert len(telegram.messages_to(6006)) == 3
