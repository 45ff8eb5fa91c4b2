"""Noticing a revoked token in webhook mode, where nothing polls.

In polling mode the next `getUpdates` fails and `bot.transport.polling.PollingWatch` stops the bot.
With a webhook, Telegram simply stops posting: the bot would run on, deaf. So `WebhookWatch` asks
Telegram `getWebhookInfo` every `every` seconds, and is told at once when a reply fails with
401 (`rejected`, from the error handler). Either way: one line, a clean stop, and `serve()`
raises `TokenRevoked` (exit code 3), as in polling mode.

The same answer says when Telegram last failed to deliver to WEBHOOK_URL (the proxy down, a
certificate it refuses): that is logged once per new failure, so an operator sees why updates
stopped coming.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.transport.polling import say_revoked

__all__ = ["CHECK_EVERY", "WebhookWatch"]

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0  # seconds between two getWebhookInfo calls


class WebhookWatch:
    """Calls `on_revoked` once when Telegram rejects the token while the bot runs by webhook."""

    def __init__(
        self,
        bot: Bot,
        on_revoked: Callable[[], None],
        every: float = CHECK_EVERY,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._on_revoked = on_revoked
        self._every = every
        self._sleep = sleep
        self._task: asyncio.Task[None] | None = None
        self._last_error_date: object = None
        self.revoked = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="webhook:watch")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def rejected(self) -> None:
        """A call met 401: the token is gone (said once, however many calls meet it)."""
        if not self.revoked:
            say_revoked()
            self.revoked = True
            self._on_revoked()

    async def _run(self) -> None:
        while not self.revoked:
            await self._sleep(self._every)
            await self.check()

    async def check(self) -> None:
        """One look: the token, and Telegram's latest failure to deliver to the webhook."""
        try:
            info = await self._bot.get_webhook_info()
        except InvalidToken:
            self.rejected()
            return
        except TelegramError as exc:  # the network, a 5xx: the next look may do better
            logger.debug("Could not ask Telegram about the webhook: %s", exc)
            return
        if info.last_error_date is not None and info.last_error_date != self._last_error_date:
            if self._last_error_date is not None or info.pending_update_count:
                logger.warning(
                    "Telegram could not deliver updates to WEBHOOK_URL: %s (%d waiting)",
                    info.last_error_message,
                    info.pending_update_count,
                )
            self._last_error_date = info.last_error_date
