"""The one outbound gateway: every message the bot sends passes here, within Telegram's limits.

It is python-telegram-bot's `BaseRateLimiter` hook, so replies, daily tips, source cards,
button answers and the error handler's apology all share one budget (`scheduler.pacing`).
Replies go before daily tips; daily tips use whatever replies leave. A 429 that Telegram still
answers pauses everything for `retry_after` and the same request is sent again: never lost.
A reply that waited longer than its deadline is dropped (the person has moved on), and a chat
that floods the bot with commands gets its first few answered, the rest coalesced away.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from scheduler.pacing import Limits, Pacer, Priority

logger = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]

# Endpoints that put a message in a chat; answers to button presses share only the pause.
_MESSAGES = ("send", "copy", "forward", "edit")
REPLY_DEADLINE = 60.0  # seconds a reply may wait in the queue before it is dropped
MAX_QUEUED_PER_CHAT = 8  # replies one chat may have waiting; more are coalesced away
_SLACK = 0.001  # grant a turn this early rather than wake the dispatcher once more


class Dropped(Exception):
    """A reply was not sent: it waited past its deadline, or its chat had too many queued."""


class GatewayClosed(Exception):
    """The bot is stopping: the request was never sent."""


@dataclass(frozen=True)
class Send:
    """How to send one request: its priority, whether it is a paid broadcast, and a last
    check made when its turn comes (a daily tip is not sent to someone who just said /stop)."""

    priority: Priority = Priority.REPLY
    paid: bool = False
    still_wanted: Callable[[], bool] | None = None


def _new_future() -> asyncio.Future[None]:
    return asyncio.get_running_loop().create_future()


@dataclass(eq=False)
class _Waiter:
    chat_id: int | None
    send: Send
    queued_at: float
    granted: asyncio.Future[None] = field(default_factory=_new_future)


class Gateway(BaseRateLimiter[Send]):
    """Grants each request its turn: by priority, then first come, within every budget."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        reply_deadline: float = REPLY_DEADLINE,
    ) -> None:
        self._pacer = Pacer(limits or Limits())
        self._clock = clock
        self._sleep = sleep
        self._deadline = reply_deadline
        self._queues: dict[Priority, deque[_Waiter]] = {p: deque() for p in Priority}
        self._queued_per_chat: dict[int, int] = {}
        self._changed = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._closed = False
        self.rate_limited = 0  # 429s Telegram still answered (a sign the limits are too high)
        self.on_rate_limited: Callable[[], None] = lambda: None  # told of each (metrics, stats)
        self.dropped = 0

    async def initialize(self) -> None:
        self._closed = False
        self._dispatcher = asyncio.create_task(self._dispatch(), name="gateway")

    async def shutdown(self) -> None:
        """Stop granting turns; whoever still waits is told the request was never sent."""
        self._closed = True
        if self._dispatcher is not None:
            self._dispatcher.cancel()
            await asyncio.gather(self._dispatcher, return_exceptions=True)
            self._dispatcher = None
        for queue in self._queues.values():
            while queue:
                self._settle(queue.popleft(), GatewayClosed("the bot is stopping"))

    @property
    def queued(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    @property
    def queued_by_priority(self) -> dict[Priority, int]:
        """How many wait at each priority (read-only; for the metrics)."""
        return {priority: len(queue) for priority, queue in self._queues.items()}

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
        message = endpoint.startswith(_MESSAGES)
        chat_id = _chat_id(data) if message else None
        while True:
            if message:
                await self._turn(chat_id, send)
                if send.still_wanted is not None and not send.still_wanted():
                    raise Dropped(f"the message to chat {chat_id} is no longer wanted")
            else:  # button answers, getMe, setMyCommands...: no budget, but they obey a pause
                await self._sleep(max(0.0, self._pacer.paused_until - self._clock()))
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:  # our pacing met Telegram's: wait, then send it again
                seconds = retry_after_seconds(exc)
                self.rate_limited += 1
                self.on_rate_limited()
                self._pacer.pause(self._clock() + seconds)
                self._changed.set()
                logger.warning(
                    "Telegram asked to wait %g s (chat %s); holding all sends",
                    seconds,
                    chat_id,
                    extra={"chat_id": chat_id},
                )

    async def _turn(self, chat_id: int | None, send: Send) -> None:
        """Wait until the dispatcher grants this request its turn."""
        if self._closed:
            raise GatewayClosed("the bot is stopping")
        waiting = self._queued_per_chat.get(chat_id, 0) if chat_id is not None else 0
        if send.priority is Priority.REPLY and waiting >= MAX_QUEUED_PER_CHAT:
            self.dropped += 1
            raise Dropped(f"chat {chat_id} already has {MAX_QUEUED_PER_CHAT} replies waiting")
        waiter = _Waiter(chat_id, send, self._clock())
        self._queues[send.priority].append(waiter)
        self._count(chat_id, send, +1)
        self._changed.set()
        try:
            await waiter.granted
        finally:
            if not waiter.granted.done():  # cancelled while waiting: leave the queue
                self._queues[send.priority].remove(waiter)
                self._count(chat_id, send, -1)

    async def _dispatch(self) -> None:
        """Grant turns as budgets allow; sleep until the next one may go or a request comes."""
        while True:
            wake_at = self._grant_ready(self._clock())
            self._changed.clear()
            if wake_at is None:
                await self._changed.wait()
                continue
            woken = asyncio.ensure_future(self._changed.wait())
            slept = asyncio.ensure_future(self._sleep(max(0.0, wake_at - self._clock())))
            try:
                await asyncio.wait((woken, slept), return_when=asyncio.FIRST_COMPLETED)
            finally:
                woken.cancel()
                slept.cancel()

    def _grant_ready(self, now: float) -> float | None:
        """Grant every request that may go now; return when the next one may (None: idle)."""
        self._expire(self._queues[Priority.REPLY], now)
        wakes = [self._grant_from(self._queues[priority], now) for priority in Priority]
        if self._pacer.tracked_chats > 10_000:
            self._pacer.forget_idle_chats(now)
        return min((wake for wake in wakes if wake is not None), default=None)

    def _grant_from(self, queue: deque[_Waiter], now: float) -> float | None:
        """Grant, first come first served, what may go from one priority's queue."""
        earliest: float | None = None
        blocked: set[int | None] = set()
        index = 0
        while index < len(queue):
            waiter = queue[index]
            if waiter.chat_id in blocked:  # keep one chat's requests in order
                index += 1
                continue
            ready = self._pacer.ready_at(waiter.chat_id, waiter.send.paid)
            if ready > now + _SLACK:
                earliest = ready if earliest is None else min(earliest, ready)
                if self._pacer.ready_at(None, waiter.send.paid) > now + _SLACK:
                    break  # the overall budget is spent: nobody behind can go either
                blocked.add(waiter.chat_id)
                index += 1
                continue
            del queue[index]
            self._count(waiter.chat_id, waiter.send, -1)
            self._pacer.spend(waiter.chat_id, now, waiter.send.paid)
            self._settle(waiter, None)
        return earliest

    def _expire(self, queue: deque[_Waiter], now: float) -> None:
        """Drop replies that waited past the deadline: the person has moved on."""
        for waiter in [w for w in queue if now - w.queued_at > self._deadline]:
            queue.remove(waiter)
            self._count(waiter.chat_id, waiter.send, -1)
            self.dropped += 1
            late = f"a reply to chat {waiter.chat_id} waited over {self._deadline:g} s"
            self._settle(waiter, Dropped(late))

    def _count(self, chat_id: int | None, send: Send, delta: int) -> None:
        """Keep count of each chat's waiting replies (tips are paced, never coalesced)."""
        if chat_id is None or send.priority is not Priority.REPLY:
            return
        count = self._queued_per_chat.get(chat_id, 0) + delta
        if count:
            self._queued_per_chat[chat_id] = count
        else:
            self._queued_per_chat.pop(chat_id, None)

    @staticmethod
    def _settle(waiter: _Waiter, problem: Exception | None) -> None:
        if waiter.granted.done():
            return
        if problem is None:
            waiter.granted.set_result(None)
        else:
            waiter.granted.set_exception(problem)


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
