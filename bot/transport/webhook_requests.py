"""Judging one webhook request, cheapest check first: the path, the method, the secret (before
any body is read), the body's size and time, then whether the body is an update at all, and
whether it is one already handled.

Every refusal is a status and at most one line a minute per cause (`bot.service.logs.Throttle`):
whoever can reach the port can send bad requests as fast as they like.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot.service.logs import one_line

__all__ = ["SECRET_HEADER", "Judge", "Limits", "RecentUpdates"]

logger = logging.getLogger("bot.transport.webhook")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

Say = Callable[..., bool]  # a `Throttle`: (level, cause, message, *args)


@dataclass(frozen=True)
class Limits:
    """How much the server lets a client take. Telegram opens at most 100 connections to a
    webhook (40 unless told) and sends an update of a few kB at once."""

    max_connections: int = 100
    header_timeout: float = 10.0  # seconds from the connection to the end of the headers
    body_timeout: float = 10.0  # seconds to read the body once the headers are in
    max_body: int = 1 << 20
    remembered: int = 4096  # update ids kept to recognise an update sent again

    def connections_for(self, open_files: int) -> int:
        """The cap under an open-file limit: a quarter of it, leaving the rest to the bot."""
        return max(4, min(self.max_connections, open_files // 4))


class RecentUpdates:
    """The last `size` update ids seen, oldest forgotten first."""

    def __init__(self, size: int) -> None:
        self._order: deque[int] = deque()
        self._seen: set[int] = set()
        self._size = size

    def __contains__(self, update_id: int) -> bool:
        return update_id in self._seen

    def add(self, update_id: int) -> None:
        if update_id in self._seen:
            return
        self._order.append(update_id)
        self._seen.add(update_id)
        while len(self._order) > self._size:
            self._seen.discard(self._order.popleft())


class Judge:
    """Turns a request into the status to answer, queueing the update when there is one."""

    def __init__(
        self,
        queue: asyncio.Queue[object],
        bot: Bot,
        secret: str,
        path: str,
        limits: Limits,
        say: Say,
    ) -> None:
        self._queue = queue
        self._bot = bot
        self._secret = secret.encode()
        self._path = path.rstrip("/")
        self._limits = limits
        self._say = say
        self._recent = RecentUpdates(limits.remembered)

    async def __call__(self, request: web.BaseRequest) -> HTTPStatus:
        if request.path.rstrip("/") != self._path:
            return HTTPStatus.NOT_FOUND
        if request.method != "POST":
            return HTTPStatus.METHOD_NOT_ALLOWED
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.debug("Refused a webhook request without the right secret token")
            return HTTPStatus.FORBIDDEN
        body = await self._body(request)
        if isinstance(body, HTTPStatus):
            return body
        update = self._update(body)
        if isinstance(update, HTTPStatus):
            return update
        self._recent.add(update.update_id)  # before any await: a replay racing it is seen
        await self._queue.put(update)
        return HTTPStatus.OK

    async def _body(self, request: web.BaseRequest) -> bytes | HTTPStatus:
        """The body, read within the limits; else the status that says why not."""
        limit = self._limits.max_body
        if (request.content_length or 0) > limit:
            return self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "large", "its body is too big")
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self._limits.body_timeout):
                async for chunk in request.content.iter_any():
                    size += len(chunk)
                    if size > limit:
                        status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE
                        return self._refuse(status, "large", "its body is too big")
                    chunks.append(chunk)
        except TimeoutError:
            return self._refuse(HTTPStatus.REQUEST_TIMEOUT, "slow", "its body came too slowly")
        return b"".join(chunks)

    def _update(self, body: bytes) -> Update | HTTPStatus:
        """The update in a body; 200 for one seen before (not handled twice), else 400."""
        bad = HTTPStatus.BAD_REQUEST
        try:
            data: Any = json.loads(body)
        except (ValueError, RecursionError) as exc:  # not JSON, not UTF-8, nested too deep
            return self._refuse(bad, "json", f"its body is not JSON ({type(exc).__name__})")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return self._refuse(bad, "shape", "its body is not an update")
        if data["update_id"] in self._recent:
            logger.debug("Webhook: update %d came again; handled already", data["update_id"])
            return HTTPStatus.OK
        try:
            return Update.de_json(data, self._bot)
        except Exception as exc:  # PTB could not read it; Telegram would not send it
            return self._refuse(bad, "ptb", f"PTB cannot read its update ({one_line(exc)})")

    def _refuse(self, status: HTTPStatus, cause: str, why: str) -> HTTPStatus:
        self._say(logging.WARNING, cause, "Ignored a webhook request: %s", why)
        return status
