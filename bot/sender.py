"""Sending a daily tip through Telegram, with Telegram's answers mapped to outcomes once."""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.warnings import PTBDeprecationWarning

from bot.keyboards import tip_keyboard
from scheduler.outcomes import Gone, Migrated, Outcome, RateLimited, Rejected, Sent, Transient
from scheduler.pause import Sleep
from tips import Library, render_tip

T = TypeVar("T")

_CHAT_GONE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights")


class TipSender:
    """`send(chat_id, tip_id)` for the delivery loop: one attempt, one outcome."""

    def __init__(self, bot: Bot, library: Library) -> None:
        self._bot = bot
        self._library = library

    async def send(self, chat_id: int, tip_id: str) -> Outcome:
        tip = self._library.tip(tip_id)
        if tip is None:
            return Rejected(f"tip {tip_id!r} is no longer in the library")
        try:
            await self._bot.send_message(
                chat_id, render_tip(tip, self._library), reply_markup=tip_keyboard(tip.id)
            )
        except TelegramError as exc:
            return outcome_of(exc)
        return Sent()


def outcome_of(exc: TelegramError) -> Outcome:
    """Map python-telegram-bot's exceptions to outcomes, once, at the edge.

    Telegram answers 429 with `retry_after`, 403 when the bot was blocked or the user is
    deactivated, 400 "chat not found" for a chat that no longer exists, and a
    `migrate_to_chat_id` when a group became a supergroup
    (https://core.telegram.org/bots/api#responseparameters, https://core.telegram.org/bots/faq).
    """
    match exc:
        case RetryAfter():
            return RateLimited(_retry_after_seconds(exc))
        case ChatMigrated():
            return Migrated(exc.new_chat_id)
        case Forbidden():
            return Gone(exc.message)
        case BadRequest() if any(words in exc.message.lower() for words in _CHAT_GONE):
            return Gone(exc.message)
        case BadRequest():  # a subclass of NetworkError: must come before it
            return Rejected(exc.message)
        case NetworkError():
            return Transient(exc.message)
        case _:
            return Rejected(exc.message)


async def patiently(
    send: Callable[[], Awaitable[T]], sleep: Sleep = asyncio.sleep, attempts: int = 3
) -> T:
    """Make a Telegram call, waiting out flood-control answers (429) between tries.

    For command replies, which must not be lost when a broadcast meets the flood limit.
    """
    for _ in range(attempts - 1):
        try:
            return await send()
        except RetryAfter as exc:
            await sleep(_retry_after_seconds(exc))
    return await send()


def _retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds to wait, whether PTB gives an int (22.x default) or a timedelta (opt-in)."""
    with warnings.catch_warnings():  # 22.2+ warns that the int becomes a timedelta later
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = exc.retry_after
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
