"""Reaching Telegram at start-up: retry with backoff until it answers, or until told to stop.

A service often starts before the network is up (DNS not ready, a proxy still starting), and
Telegram answers 5xx or 429 now and then. Neither is a reason to exit: the bot tries again
after 1, 2, 4 … seconds (at most a minute apart), one log line per attempt, and comes up as
soon as Telegram answers. A rejected token is not retried: that needs a person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.service.context import App, services_of
from bot.transport import webhook
from bot.transport.gateway import retry_after_seconds
from scheduler.backoff import Backoff

__all__ = ["STARTUP_BACKOFF", "backoff", "connect"]

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]  # `asyncio.sleep`, or a test's stand-in
STARTUP_BACKOFF = Backoff(first=1.0, cap=60.0)  # 1, 2, 4 … 60 s, then 60 s until it answers


def backoff() -> Iterator[float]:
    """Seconds to wait before each retry: 1, 2, 4 … doubling up to a minute, then a minute
    forever (a 429's `retry_after` may ask for longer)."""
    return STARTUP_BACKOFF.delays()


async def connect(app: App, stop: asyncio.Event, sleep: Sleep) -> bool:
    """Initialize the Application (getMe) and clear any webhook (or, with WEBHOOK_URL, set
    ours), retrying network errors, 5xx and 429 answers; True once Telegram answered, False
    if `stop` was set first.

    `InvalidToken` (401/404), `BadRequest` and `WebhookError` propagate: retrying will not
    fix them.
    """
    delays, attempt = backoff(), 0
    while True:
        attempt += 1
        try:
            return await _unless_stopped(_reach(app), stop)
        except BadRequest:  # a subclass of NetworkError, and not a passing fault
            raise
        except RetryAfter as exc:
            problem, wait = f"flood control ({exc})", max(next(delays), retry_after_seconds(exc))
        except NetworkError as exc:
            problem, wait = str(exc), next(delays)
        logger.warning(
            "Telegram is not reachable (attempt %d: %s); retrying in %g s", attempt, problem, wait
        )
        if not await _unless_stopped(_slept(sleep, wait), stop):
            return False


async def _reach(app: App) -> bool:
    """The two calls python-telegram-bot makes before polling: getMe and deleteWebhook
    (which it repeats when polling starts, then with nothing left to fail on); or, with a
    webhook, getMe and setWebhook."""
    await app.initialize()  # a no-op once it succeeded
    settings = services_of(app).settings
    if settings.webhook_url:
        await webhook.register(app.bot, settings)
    else:
        await app.bot.delete_webhook()
    return True


async def _slept(sleep: Sleep, seconds: float) -> bool:
    await sleep(seconds)
    return True


async def _unless_stopped(work: Coroutine[Any, Any, bool], stop: asyncio.Event) -> bool:
    """`work`'s result, or False as soon as `stop` is set (`work` is then cancelled), so a
    SIGTERM during a slow request or a long wait ends start-up at once and quietly."""
    if stop.is_set():
        work.close()
        return False
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((task, stopped), return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:  # serve() itself was cancelled: leave nothing running
        task.cancel()
        raise
    finally:
        stopped.cancel()
    if task.done():
        return task.result()
    task.cancel()
    await asyncio.wait((task,))  # let it unwind; its CancelledError is not ours to raise
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not report it as lost
    return False
