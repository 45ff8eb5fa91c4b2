"""Delivering updates to a registered webhook: POST each one, with the secret header, in order.

Telegram keeps an update until the webhook answers 2xx, retrying after an error (which
getWebhookInfo then reports). The emulator does the same, one update at a time, and only ever
to a loopback address: tests never reach the internet, whatever URL the bot registers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from emulator.methods import LOOPBACK_HOSTS
from emulator.state import State, Webhook

__all__ = ["RETRY_AFTER", "SECRET_HEADER", "WebhookDelivery"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
RETRY_AFTER = 0.2  # seconds before a failed delivery is tried again (Telegram: longer)
_TIMEOUT = aiohttp.ClientTimeout(total=10)
_A_WHILE = 3600.0  # how long the loop sleeps with nothing to do, before looking again


class WebhookDelivery:
    """The task that POSTs pending updates while a webhook is set."""

    def __init__(self, state: State, retry_after: float = RETRY_AFTER) -> None:
        self._state = state
        self._retry_after = retry_after
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=_TIMEOUT)
        self._task = asyncio.create_task(self._run(self._session), name="emulator:webhook")

    async def stop(self) -> None:
        """End the task (a bug in it is raised here, to the test) and close the session."""
        task, session, self._task, self._session = self._task, self._session, None, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if session is not None:
            await session.close()

    async def _run(self, session: aiohttp.ClientSession) -> None:
        state = self._state
        while True:
            await state.updates.arrived.wait_until(self._has_work, _A_WHILE)
            hook = state.webhook
            if hook is None or not state.updates.deliverable(1):
                continue
            update = state.updates.deliverable(1)[0]
            error = await _post(session, hook, update)
            if error is None:
                state.updates.confirm(update["update_id"] + 1)
                state.changed.notify()
                continue
            hook.last_error_date, hook.last_error_message = int(time.time()), error
            state.changed.notify()
            await state.updates.arrived.wait_until(self._changed_from(hook), self._retry_after)

    def _changed_from(self, hook: Webhook) -> Callable[[], bool]:
        """True once the bot set another webhook or deleted it: retry at once, or stop."""
        return lambda: self._state.webhook is not hook

    def _has_work(self) -> bool:
        state = self._state
        return state.webhook is not None and bool(state.updates.deliverable(1))


async def _post(
    session: aiohttp.ClientSession, hook: Webhook, update: dict[str, Any]
) -> str | None:
    """None when the webhook took the update, else the error as getWebhookInfo words it."""
    if urlsplit(hook.url).hostname not in LOOPBACK_HOSTS:
        return "The emulator delivers webhook updates only to loopback addresses"
    headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
    try:
        async with session.post(hook.url, json=update, headers=headers) as response:
            if 200 <= response.status < 300:
                return None
            return f"Wrong response from the webhook: {response.status} {response.reason}"
    except TimeoutError:
        return "Connection timed out"
    except aiohttp.ClientError:
        return "Connection refused"
