"""Receiving updates over HTTP when WEBHOOK_URL is set, instead of long polling.

Telegram POSTs each update to WEBHOOK_URL (in practice a reverse proxy that terminates TLS),
which forwards it to WEBHOOK_LISTEN:WEBHOOK_PORT at the URL's path, where this server puts it
in the Application's update queue.

python-telegram-bot's `Updater.start_webhook()` was the obvious base, but in 22.8 its handler
answers a body that is not JSON with 500, and JSON that is not an update with 400 plus a
CRITICAL log record holding a traceback and the whole body. So this is its handler done our
way, on the same tornado server (the `webhooks` extra) and with the same `Update.de_json()`:
403 without the right secret (compared in constant time), 400 and one warning line for a
malformed body, 200 once the update is queued.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Bot, Update
from telegram.error import BadRequest
from tornado.httpserver import HTTPServer

from bot.config import Settings
from bot.context import App
from bot.logs import one_line

__all__ = ["SECRET_HEADER", "WebhookError", "WebhookServer", "register"]

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1 << 20  # an update is a few kB; a bigger body is not from Telegram


class WebhookError(Exception):
    """The webhook cannot work as configured: Telegram refused WEBHOOK_URL, or the port is
    taken. The message says which, in one line."""


async def register(bot: Bot, settings: Settings) -> None:
    """setWebhook: from now on Telegram POSTs updates to WEBHOOK_URL, with the secret."""
    assert settings.webhook_url is not None, "only called in webhook mode"
    try:
        await bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret)
    except BadRequest as exc:  # not https, a port Telegram does not post to, an unknown host
        raise WebhookError(f"Telegram refused WEBHOOK_URL: {exc.message}") from exc


class WebhookServer:
    """The HTTP server Telegram's requests reach; answers only on WEBHOOK_URL's path."""

    def __init__(self, app: App, settings: Settings) -> None:
        assert settings.webhook_secret is not None, "required with WEBHOOK_URL"
        path = re.escape(settings.webhook_path.rstrip("/")) + "/?"
        receiver = (path, UpdateReceiver, {"app": app, "secret": settings.webhook_secret})
        # No access log: one line per update says nothing, and the path may be meant secret.
        application = tornado.web.Application([receiver], log_function=lambda handler: None)
        self._server = HTTPServer(application, max_body_size=MAX_BODY)
        self._address = (settings.webhook_listen, settings.webhook_port)

    def start(self) -> None:
        listen, port = self._address
        try:
            self._server.listen(port, address=listen)
        except OSError as exc:
            raise WebhookError(
                f"cannot listen on {listen}:{port} ({exc.strerror or exc}); "
                "set WEBHOOK_LISTEN and WEBHOOK_PORT to a free address"
            ) from None
        logger.info("Receiving updates by webhook on %s:%d", listen, port)

    async def stop(self) -> None:
        """Refuse new requests, then close the open ones (Telegram resends what it must).
        Stopping twice is harmless."""
        self._server.stop()
        await self._server.close_all_connections()

    async def __aenter__(self) -> WebhookServer:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()


class UpdateReceiver(tornado.web.RequestHandler):
    """One POST from Telegram: one update."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, app: App, secret: str) -> None:
        self._app = app
        self._secret = secret.encode()

    async def post(self) -> None:
        """Queue the update; 403 without the right secret, 400 if the body is not one."""
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            logger.debug("Refused a webhook request without the right secret token")
            self.set_status(HTTPStatus.FORBIDDEN)
            return
        update = read_update(self.request.body, self._app.bot)
        if update is None:
            self.set_status(HTTPStatus.BAD_REQUEST)
            return
        await self._app.update_queue.put(update)


def read_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a request body, or None (said in one line, without the body)."""
    try:
        data: Any = json.loads(body)
    except ValueError as exc:  # not JSON, or not UTF-8
        logger.warning("Ignored a webhook request: its body is not JSON (%s)", type(exc).__name__)
        return None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        logger.warning("Ignored a webhook request: its body is not an update")
        return None
    try:
        return Update.de_json(data, bot)
    except Exception as exc:  # PTB could not read it; Telegram would not send it
        logger.warning("Ignored a webhook request: PTB cannot read its update (%s)", one_line(exc))
        return None
