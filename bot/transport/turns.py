"""The gateway's core: the queues of requests waiting for their turn, and the dispatcher that
grants turns as `scheduler.pacing`'s budgets allow.

Replies go before daily tips, first come first served within a priority. One chat has at
most one request Telegram has not answered: its next waits, and a request sent again goes
back to the head of its queue, so nothing of its chat can pass it. A chat with
`MAX_QUEUED_PER_CHAT` new replies waiting gets no more queued, and a reply that waited past
its deadline is dropped. Sending, retrying and Telegram's 429s are `bot.transport.gateway`'s.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.transport.supervisor import Supervised
from scheduler.pacing import Pacer, Priority

MAX_QUEUED_PER_CHAT = 8  # replies one chat may have waiting; more are coalesced away
_SLACK = 0.001  # grant a turn this early rather than wake the dispatcher once more
# While only daily tips wait for the budget, the dispatcher wakes when this many may go together
# (within the budget's burst), not for each: at 30/s each wake-up found the CPU's caches cold,
# and the tip it granted cost three times its CPU at a thousand a second. The rate is the same;
# a reply is still granted the moment it may go.
TIP_BATCH = 8


class Dropped(Exception):
    """A reply was not sent: it waited past its deadline, or its chat had too many queued."""


class GatewayClosed(Exception):
    """The bot is stopping: the request was never sent."""


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
class Waiter:
    """One attempt at one request, waiting for its turn."""

    chat_id: int | None
    send: Send
    queued_at: float  # when the request was first made: a reply's deadline counts from it
    not_before: float = float("-inf")  # a retried reply's backoff
    again: bool = False  # a request sent again: it is not a new reply for the per-chat cap
    holding: bool = False  # granted, and its chat's next request waits for its answer
    granted: asyncio.Future[None] = field(default_factory=_new_future)


class Turns:
    """Grants each queued request its turn: by priority, then first come, within every budget.

    The dispatcher is supervised (`bot.transport.supervisor`): an unexpected error is one log
    line and a restart, and whoever waits stays queued for the new dispatcher. If it keeps
    failing, whoever waits is told the request was never sent, then `on_give_up` is called."""

    def __init__(
        self,
        pacer: Pacer,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        reply_deadline: float,
        on_give_up: Callable[[BaseException], None],
    ) -> None:
        self._pacer = pacer
        self._clock = clock
        self._sleep = sleep
        self._deadline = reply_deadline
        self._on_give_up = on_give_up
        self._queues: dict[Priority, deque[Waiter]] = {p: deque() for p in Priority}
        self._queued_per_chat: dict[int, int] = {}
        self._sending: dict[int, Waiter] = {}  # chat: its request Telegram has not answered
        self._changed = asyncio.Event()
        self._dispatcher = Supervised(
            "gateway", self._dispatch, clock=clock, on_give_up=self._give_up
        )
        self._closed = False
        self.dropped = 0

    def start(self) -> None:
        self._closed = False
        self._dispatcher.start()

    async def stop(self) -> None:
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

    def enqueue(self, waiter: Waiter) -> Waiter:
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

    def _refuse_a_flood(self, waiter: Waiter) -> None:
        """A chat with `MAX_QUEUED_PER_CHAT` replies waiting gets no more queued."""
        chat_id = waiter.chat_id
        if chat_id is None or waiter.send.priority is not Priority.REPLY:
            return
        if self._queued_per_chat.get(chat_id, 0) >= MAX_QUEUED_PER_CHAT:
            self.dropped += 1
            raise Dropped(f"chat {chat_id} already has {MAX_QUEUED_PER_CHAT} replies waiting")

    def release(self, waiter: Waiter) -> None:
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
        self._on_give_up(error)

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
        wake = min((wake for wake in wakes if wake is not None), default=None)
        tips = self._queues[Priority.TIP]
        if wake is not None and tips and not self._queues[Priority.REPLY]:  # only tips wait
            wake = max(wake, self._pacer.batch_ready_at(TIP_BATCH, tips[0].send.paid))
        return wake

    def _grant_from(self, queue: deque[Waiter], now: float) -> float | None:
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

    def _expire(self, queue: deque[Waiter], now: float) -> None:
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

    def _count(self, waiter: Waiter, delta: int) -> None:
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
