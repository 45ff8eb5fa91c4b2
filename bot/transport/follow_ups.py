"""What a button press does after its answer (an edit of the pressed message), made in the
background, so the press's handler returns at once.

A press is answered at once (`answerCallbackQuery` is not rate limited), but its edit is paced
by the gateway: at 100 presses a second and ~30 edits a second, a handler awaiting its edit
held one of python-telegram-bot's 256 update slots for seconds, and new presses waited for a
slot before even being answered (p95 4.6 s). Here the edit waits without holding a slot.

- Order: one pressed message's follow-ups run one after another, in the order handed in (each
  shows the state of its moment, so the last one shows the latest). Different messages' run
  side by side, and the gateway keeps each chat's order and everyone's flood limits.
- Bounded: at most `MAX_WAITING` follow-ups wait or run at once (about what the gateway sends
  within its 60 s reply deadline, past which it drops a reply anyway). Past that, a follow-up
  is not made, and says so in one log line: the press was answered and its change saved; the
  message shows it at its next edit.
- Failures: each is one log record (a Telegram refusal one line; anything else, a bug, with its
  traceback); the next follow-up still runs.
- Stopping: `close` gives those waiting a few seconds, then cancels the rest, in one line.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from telegram.error import TelegramError

logger = logging.getLogger(__name__)

FollowUp = Callable[[], Awaitable[object]]
Key = tuple[int, int]  # the pressed message: chat id, message id
MAX_WAITING = 2_000  # ~ the gateway's 60 s reply deadline at ~30 messages a second


class FollowUps:
    """Runs follow-ups in the background, in order per key (a pressed message)."""

    def __init__(self, limit: int = MAX_WAITING) -> None:
        self._limit = limit
        self._queues: dict[Key, deque[FollowUp]] = {}
        self._tasks: dict[Key, asyncio.Task[None]] = {}
        self._closed = False
        self.waiting = 0  # handed in, not finished: queued or running
        self.refused = 0  # not made: too many waiting, or the bot was stopping

    def submit(self, key: Key, follow_up: FollowUp) -> bool:
        """Run `follow_up` after the ones `key` already has; False if it will not be run."""
        if self._closed or self.waiting >= self._limit:
            self.refused += 1
            why = "the bot is stopping" if self._closed else f"{self.waiting} already waiting"
            logger.info("Follow-up of a press in chat %d not made: %s", key[0], why)
            return False
        self.waiting += 1
        queue = self._queues.setdefault(key, deque())
        queue.append(follow_up)
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._run(key, queue))
        return True

    async def close(self, timeout: float) -> None:
        """Take no more; give those waiting `timeout` seconds, then cancel what is left."""
        self._closed = True
        tasks = list(self._tasks.values())
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=timeout)
        if not late:
            return
        not_made = self.waiting
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        logger.info("Stopping: %d follow-ups of presses not made", not_made)

    async def _run(self, key: Key, queue: deque[FollowUp]) -> None:
        try:
            while queue:
                follow_up = queue[0]
                await _logged(key, follow_up)
                queue.popleft()
                self.waiting -= 1
        finally:
            self.waiting -= len(queue)
            del self._queues[key], self._tasks[key]


async def _logged(key: Key, follow_up: FollowUp) -> None:
    """Run one follow-up; whatever it raises is logged here, once, and goes no further."""
    try:
        await follow_up()
    except TelegramError as exc:
        logger.warning("Follow-up of a press in chat %d failed: %s", key[0], exc.message)
    except Exception:
        logger.exception("Follow-up of a press in chat %d failed", key[0])
