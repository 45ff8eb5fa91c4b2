"""Watching long polling for the two faults python-telegram-bot leaves to the application.

- **A revoked token.** PTB's polling loop logs "Invalid token. Aborting retry loop" and ends,
  but the process stays alive and deaf, so systemd never restarts it nor tells anyone.
  `PollingWatch` notices, logs one line and sets the stop event; `serve()` then stops cleanly
  and raises `TokenRevoked`, which `main()` turns into exit code 3.
- **Another instance** polling with the same token, or one that set a webhook for it (409
  Conflict). PTB retries on its own, reporting each conflict; `PollingErrors` says so once a
  minute, not once a poll.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from telegram.error import Conflict, InvalidToken, TelegramError

__all__ = [
    "POLLING_TASK",
    "PollingErrors",
    "PollingWatch",
    "TokenRevoked",
    "polling_task",
    "say_revoked",
]

logger = logging.getLogger(__name__)

POLLING_TASK = "Updater:start_polling:polling_task"  # the name PTB 22 gives its polling task
CONFLICT_EVERY = 60.0  # seconds between two "another instance" lines


class TokenRevoked(Exception):
    """Telegram stopped accepting the token while the bot ran (revoked in @BotFather)."""


def say_revoked() -> None:
    """The one line a revoked token gets, in polling and webhook mode alike."""
    logger.error(
        "Telegram no longer accepts TELEGRAM_BOT_TOKEN (revoked?): stopping; "
        "put a new token from @BotFather in the configuration"
    )


def polling_task() -> asyncio.Task[object] | None:
    """PTB's long-polling task in the running loop, found by its name (None: not polling)."""
    for task in asyncio.all_tasks():
        if task.get_name() == POLLING_TASK:
            return task
    return None


class PollingWatch:
    """Sets `stop` when PTB's polling task ends because Telegram rejected the token."""

    def __init__(self, stop: asyncio.Event) -> None:
        self._stop = stop
        self.revoked = False

    def attach(self) -> bool:
        """Watch the polling task (call right after `start_polling()`); False if not found."""
        task = polling_task()
        if task is not None:
            task.add_done_callback(self._ended)
            return True
        logger.warning("Cannot watch polling: a revoked token would leave the bot running deaf")
        return False

    def _ended(self, task: asyncio.Task[object]) -> None:
        if task.cancelled() or not isinstance(task.exception(), InvalidToken):
            return
        say_revoked()
        self.revoked = True
        self._stop.set()


class PollingErrors:
    """The `error_callback` of `start_polling()`: one line per problem, at most one a minute
    for conflicts, which repeat on every poll while two instances fight over updates."""

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, every: float = CONFLICT_EVERY
    ) -> None:
        self._clock = clock
        self._every = every
        self._last_said: float | None = None
        self._unsaid = 0

    def __call__(self, exc: TelegramError) -> None:
        if isinstance(exc, Conflict):
            self._conflict(exc)
        else:
            logger.warning("Polling failed, retrying: %s", exc)

    def _conflict(self, exc: Conflict) -> None:
        now = self._clock()
        if self._last_said is not None and now - self._last_said < self._every:
            self._unsaid += 1
            return
        since = f" ({self._unsaid} more since the last report)" if self._unsaid else ""
        # Telegram refuses getUpdates too while a webhook is set (an instance in webhook mode).
        rival = "set a webhook for" if "webhook" in exc.message.lower() else "is polling with"
        logger.error(
            "Another instance %s this token (409 Conflict): run one instance per bot%s",
            rival,
            since,
        )
        self._last_said, self._unsaid = now, 0
