"""The one outbound gateway: every message the bot sends passes here, within Telegram's limits.

It is python-telegram-bot's `BaseRateLimiter` hook, so replies, daily tips, source cards,
button answers and the error handler's apology all share one budget (`scheduler.pacing`).
Replies go before daily tips; daily tips use whatever replies leave. A reply that waited longer
than its deadline is dropped (the person has moved on), and a chat that floods the bot with
commands gets its first few answered, the rest coalesced away.

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

The dispatcher, the task that grants turns, is supervised (`bot.transport.supervisor`): an
unexpected error is one log line and a restart, and whoever waits stays queued for the new
dispatcher. If it keeps failing, whoever waits is told the request was never sent and `on_fatal`
is called: the application stops, for systemd to restart it.
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

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.transport.supervisor import Supervised
from scheduler.pacing import Limits, Pacer, Priority

logger = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
Callback = Callable[..., Coroutine[Any, Any, Result]]

# Endpoints that put a message in a chat; answers to button presses share only the pause.
_MESSAGES = ("send", "copy", "forward", "edit")
REPLY_DEADLINE = 60.0  # seconds a reply may wait in the queue before it is dropped
MAX_QUEUED_PER_CHAT = 8  # replies one chat may have waiting; more are coalesced away
REPLY_ATTEMPTS = 3  # a reply meeting a 5xx or a network error is tried this often in all
_SLACK = 0.001  # grant a turn this early rather than wake the dispatcher once more


class Dropped(Exception):
    """A reply was not sent: it waited past its deadline, or its chat had too many queued."""


class GatewayClosed(Exception):
    """The bot is stopping: the request was never sent."""


class GatewayFailed(Exception):
    """The gateway's dispatcher kept failing: the process stops, to be restarted."""


@dataclass(frozen=True)
class Send:
    """How to send one request: its priority, whether it is a paid broadcast, and a last
    check made just before each attempt goes out (a daily tip is not sent to someone who just
    said /stop, nor by a process that no longer holds the delivery lease)."""

    priority: Priority = Priority.REPLY
    paid: bool = False
    still_wanted: Callable[[], bool] | None = None


def _new_future() -> asyncio.Future[None]:
    return asyncio.get_running_loop().create_future()


@dataclass(eq=False)
class _Waiter:
    """One attempt at one request, waiting for its turn."""

    chat_id: int | None
    send: Send
    queued_at: float  # when the request was first made: a reply's deadline counts from it
    not_before: float = float("-inf")  # a retried reply's backoff
    again: bool = False  # a request sent again: it is not a new reply for the per-chat cap
    holding: bool = False  # granted, and its chat's next request waits for its answer
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
        on_fatal: Callable[[BaseException], None] = lambda error: None,
    ) -> None:
        self._pacer = Pacer(limits or Limits())
        self._clock = clock
        self._sleep = sleep
        self._deadline = reply_deadline
        self._queues: dict[Priority, deque[_Waiter]] = {p: deque() for p in Priority}
        self._queued_per_chat: dict[int, int] = {}
        self._sending: dict[int, _Waiter] = {}  # chat: its request Telegram has not answered
        self._changed = asyncio.Event()
        self._dispatcher = Supervised(
            "gateway", self._dispatch, clock=clock, on_give_up=self._give_up
        )
        self._closed = False
        self.rate_limited = 0  # 429s Telegram still answered (a sign the limits are too high)
        self.on_rate_limited: Callable[[], None] = lambda: None  # told of each (metrics, stats)
        self.on_fatal = on_fatal  # told when the dispatcher keeps failing: stop the process
        self.dropped = 0

    async def initialize(self) -> None:
        self._closed = False
        self._dispatcher.start()

    async def shutdown(self) -> None:
        """Stop granting turns; whoever still waits is told the request was never sent."""
        self._closed = True
        await self._dispatcher.stop()
        self._settle_all(GatewayClosed("the bot is stopping"))

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
        if not endpoint.startswith(_MESSAGES):
            return await self._unpaced(callback, args, kwargs)
        chat_id = _chat_id(data)
        waiter = self._enqueue(_Waiter(chat_id, send, self._clock()))
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
                not_before = self._clock() + 2**failed
            again = _Waiter(chat_id, send, waiter.queued_at, not_before, again=True)
            waiter = self._enqueue(again)

    async def _attempt(
        self, waiter: _Waiter, callback: Callback, args: Any, kwargs: dict[str, Any]
    ) -> Result:
        """Wait for the turn, ask whether the message is still wanted, send it."""
        try:
            await waiter.granted
            if waiter.send.still_wanted is not None and not waiter.send.still_wanted():
                raise Dropped(f"the message to chat {waiter.chat_id} is no longer wanted")
            return await callback(*args, **kwargs)
        finally:
            self._release(waiter)

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
        self.on_rate_limited()
        everyone = self._pacer.rate_limited(chat_id, now, now + seconds)
        logger.warning(
            "Telegram asked to wait %g s (chat %s); holding %s",
            seconds,
            chat_id,
            "all sends" if everyone else "that chat",
            extra={"chat_id": chat_id},
        )

    def _enqueue(self, waiter: _Waiter) -> _Waiter:
        """Queue a request: a new one at the back, one sent again at the head of its chat's."""
        if self._closed:
            raise GatewayClosed("the bot is stopping")
        queue = self._queues[waiter.send.priority]
        if waiter.again:
            queue.appendleft(waiter)
        else:
            self._refuse_a_flood(waiter)
            queue.append(waiter)
            self._count(waiter, +1)
        self._changed.set()
        return waiter

    def _refuse_a_flood(self, waiter: _Waiter) -> None:
        """A chat with `MAX_QUEUED_PER_CHAT` replies waiting gets no more queued."""
        chat_id = waiter.chat_id
        if chat_id is None or waiter.send.priority is not Priority.REPLY:
            return
        if self._queued_per_chat.get(chat_id, 0) >= MAX_QUEUED_PER_CHAT:
            self.dropped += 1
            raise Dropped(f"chat {chat_id} already has {MAX_QUEUED_PER_CHAT} replies waiting")

    def _release(self, waiter: _Waiter) -> None:
        """The attempt is over: leave the queue if still in it, or free the chat for its next."""
        if waiter.granted.cancelled() or not waiter.granted.done():  # cancelled while waiting
            self._queues[waiter.send.priority].remove(waiter)
            self._count(waiter, -1)
        elif waiter.chat_id is not None and self._sending.get(waiter.chat_id) is waiter:
            del self._sending[waiter.chat_id]
            if waiter.holding:
                self._changed.set()

    def _give_up(self, error: BaseException) -> None:
        """The dispatcher kept failing: nobody waits for it any longer; stop the bot."""
        self._closed = True
        self._settle_all(GatewayClosed("the gateway failed: the bot is stopping"))
        self.on_fatal(error)

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
                if slept.done():
                    slept.result()  # a sleep that failed is the dispatcher's failure
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
            chat_id = waiter.chat_id
            sending = self._sending.get(chat_id) if chat_id is not None else None
            if sending is not None or chat_id in blocked:  # keep one chat's requests in order
                if sending is not None:
                    sending.holding = True
                blocked.add(chat_id)
                index += 1
                continue
            ready = max(self._pacer.ready_at(chat_id, waiter.send.paid), waiter.not_before)
            if ready > now + _SLACK:
                earliest = ready if earliest is None else min(earliest, ready)
                overall = self._pacer.ready_at(None, waiter.send.paid)
                if overall > now + _SLACK:  # the overall budget is spent: nobody behind can go
                    return min(earliest, overall)  # (but the next in line may, once it is back)
                blocked.add(chat_id)
                index += 1
                continue
            self._pacer.spend(chat_id, now, waiter.send.paid)
            del queue[index]
            self._count(waiter, -1)
            if chat_id is not None:
                self._sending[chat_id] = waiter
            waiter.granted.set_result(None)
        return earliest

    def _expire(self, queue: deque[_Waiter], now: float) -> None:
        """Drop replies that waited past the deadline: the person has moved on."""
        for waiter in [w for w in queue if now - w.queued_at > self._deadline]:
            queue.remove(waiter)
            self._count(waiter, -1)
            self.dropped += 1
            late = f"a reply to chat {waiter.chat_id} waited over {self._deadline:g} s"
            waiter.granted.set_exception(Dropped(late))

    def _settle_all(self, problem: Exception) -> None:
        """Tell everyone waiting that their request will not be sent."""
        for queue in self._queues.values():
            while queue:
                waiter = queue.popleft()
                self._count(waiter, -1)
                waiter.granted.set_exception(problem)

    def _count(self, waiter: _Waiter, delta: int) -> None:
        """Keep count of each chat's waiting new replies (tips are paced, never coalesced;
        a reply sent again is no new one)."""
        chat_id = waiter.chat_id
        if chat_id is None or waiter.send.priority is not Priority.REPLY or waiter.again:
            return
        count = self._queued_per_chat.get(chat_id, 0) + delta
        if count:
            self._queued_per_chat[chat_id] = count
        else:
            self._queued_per_chat.pop(chat_id, None)


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
