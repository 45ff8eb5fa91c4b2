"""The one outbound gateway: every message the bot sends passes here, within Telegram's limits.

It is python-telegram-bot's `BaseRateLimiter` hook, so replies, daily tips, source cards,
button answers and the error handler's apology all share one budget (`scheduler.pacing`).
Replies go before daily tips; daily tips use whatever replies leave, a few at a time
(`TIP_BATCH`) while nothing else waits. A reply that waited longer than its deadline is
dropped (the person has moved on), and a chat that floods the bot with commands gets its first
few answered, the rest coalesced away.

One chat's messages leave in the order they were asked for. A chat's next message is granted
only once Telegram has answered its previous one, and a message that must go again goes back
to the head of its queue, where nothing of its chat can pass it, and outside the per-chat cap
(it is not a new reply, so it is never coalesced away):
- after a 429, once `retry_after` is over. The same request is sent again: never lost. One
  chat's 429 holds back that chat only; several chats' 429s at once mean the overall limit,
  and then everyone waits (`Pacer.rate_limited`);
- a reply that met a 5xx or a network error, after 2 s, then 4 s (three attempts in all). The
  retries happen here, not in the handler, so a later reply to that chat cannot overtake.
  A daily tip is tried once: what a failed tip means is the delivery engine's to decide.

The queues and the dispatcher, the task that grants turns, are `bot.transport.turns`; the
dispatcher is supervised (`bot.transport.supervisor`): an unexpected error is one log line and
a restart, and whoever waits stays queued for the new dispatcher. If it keeps failing, whoever
waits is told the request was never sent and `on_fatal` is called: the application stops, for
systemd to restart it.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.transport.turns import (
    MAX_QUEUED_PER_CHAT,
    TIP_BATCH,
    Dropped,
    GatewayClosed,
    Send,
    Turns,
    Waiter,
)
from scheduler.backoff import Backoff
from scheduler.pacing import Limits, Pacer, Priority

__all__ = [
    "MAX_QUEUED_PER_CHAT",
    "REPLY_ATTEMPTS",
    "REPLY_DEADLINE",
    "TIP_BATCH",
    "Dropped",
    "Gateway",
    "GatewayClosed",
    "GatewayFailed",
    "Send",
    "retry_after_seconds",
]

logger = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]

# Endpoints that put a message in a chat; answers to button presses share only the pause.
_MESSAGES = ("send", "copy", "forward", "edit")
REPLY_DEADLINE = 60.0  # seconds a reply may wait in the queue before it is dropped
REPLY_ATTEMPTS = 3  # a reply meeting a 5xx or a network error is tried this often in all
REPLY_BACKOFF = Backoff(first=2.0, cap=4.0, attempts=REPLY_ATTEMPTS)  # after 2 s, then 4 s


class GatewayFailed(Exception):
    """The gateway's dispatcher kept failing: the process stops, to be restarted."""


class Gateway(BaseRateLimiter[Send]):
    """Grants each request its turn: by priority, then first come, within every budget."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        reply_deadline: float = REPLY_DEADLINE,
        on_fatal: Callable[[BaseException], None] = lambda error: None,
        on_rate_limited: Callable[[], None] = lambda: None,
    ) -> None:
        self._pacer = Pacer(limits or Limits())
        self._clock = clock
        self._sleep = sleep
        self._turns = Turns(
            self._pacer,
            clock=clock,
            sleep=sleep,
            reply_deadline=reply_deadline,
            on_give_up=on_fatal,
        )
        self.rate_limited = 0  # 429s Telegram still answered (a sign the limits are too high)
        self._on_rate_limited = on_rate_limited  # told of each (the operator's event counts)

    async def initialize(self) -> None:
        self._turns.start()

    async def shutdown(self) -> None:
        """Stop granting turns; whoever still waits is told the request was never sent."""
        await self._turns.stop()

    @property
    def queued(self) -> int:
        return self._turns.queued

    @property
    def queued_by_priority(self) -> dict[Priority, int]:
        """How many wait at each priority (read-only; for the metrics)."""
        return self._turns.queued_by_priority

    @property
    def dropped(self) -> int:
        """Replies not sent: past their deadline, or over their chat's cap."""
        return self._turns.dropped

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: Send | None,
    ) -> Result:
        send = rate_limit_args or Send()
        if not endpoint.startswith(_MESSAGES):
            return await self._unpaced(callback, args, kwargs)
        chat_id = _chat_id(data)
        waiter = self._turns.enqueue(Waiter(chat_id, send, self._clock()))
        failed = 0  # attempts that met a 5xx or a network error (a 429 is no failure)
        while True:
            try:
                return await self._attempt(waiter, callback, args, kwargs)
            except RetryAfter as exc:
                self._rate_limited(chat_id, exc)
                not_before = float("-inf")  # the pause is the chat's (or everyone's) now
            except NetworkError as exc:
                failed += 1
                if not _retried(send, exc, failed):
                    raise
                logger.warning("Reply failed (%s), attempt %d; retrying", exc.message, failed)
                not_before = self._clock() + REPLY_BACKOFF.delay(failed)
            again = Waiter(chat_id, send, waiter.queued_at, not_before, again=True)
            waiter = self._turns.enqueue(again)

    async def _attempt(
        self, waiter: Waiter, callback: Callback, args: Any, kwargs: dict[str, Any]
    ) -> Result:
        """Wait for the turn, ask whether the message is still wanted, send it."""
        try:
            await waiter.granted
            if waiter.send.still_wanted is not None and not waiter.send.still_wanted():
                raise Dropped(f"the message to chat {waiter.chat_id} is no longer wanted")
            return await callback(*args, **kwargs)
        finally:
            self._turns.release(waiter)

    async def _unpaced(self, callback: Callback, args: Any, kwargs: dict[str, Any]) -> Result:
        """Button answers, getMe, setMyCommands...: no budget, but they obey a pause."""
        while True:
            await self._sleep(max(0.0, self._pacer.paused_until - self._clock()))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._rate_limited(None, exc)

    def _rate_limited(self, chat_id: int | None, exc: RetryAfter) -> None:
        """Our pacing met Telegram's: hold back that chat, or everyone, for `retry_after`."""
        seconds = retry_after_seconds(exc)
        now = self._clock()
        self.rate_limited += 1
        self._on_rate_limited()
        everyone = self._pacer.rate_limited(chat_id, now, now + seconds)
        logger.warning(
            "Telegram asked to wait %g s (chat %s); holding %s",
            seconds,
            chat_id,
            "all sends" if everyone else "that chat",
            extra={"chat_id": chat_id},
        )


def _retried(send: Send, exc: NetworkError, failed: int) -> bool:
    """Whether to try again after a 5xx or a network error: a reply, a few times."""
    bug = isinstance(exc, BadRequest)  # a subclass of NetworkError: what we sent is wrong
    return send.priority is Priority.REPLY and not bug and failed < REPLY_ATTEMPTS


def _chat_id(data: dict[str, Any]) -> int | None:
    chat_id = data.get("chat_id")
    try:
        return int(chat_id) if chat_id is not None else None
    except (TypeError, ValueError):  # an @channel username: paced overall only
        return None


def retry_after_seconds(exc: RetryAfter) -> float:
    """Seconds to wait, whether PTB gives an int (22.x default) or a timedelta (opt-in)."""
    with warnings.catch_warnings():  # 22.2+ warns that the int becomes a timedelta later
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        retry_after = exc.retry_after
    if isinstance(retry_after, timedelta):
        return retry_after.total_seconds()
    return float(retry_after)
