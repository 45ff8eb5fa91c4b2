"""The HTTP face of the emulator: Telegram's URL scheme and answers on a loopback port."""

from __future__ import annotations

import hmac
import json
from types import TracebackType
from typing import Any

from aiohttp import web

from emulator.control import add_control_routes
from emulator.core import BotAPI
from emulator.faults import DROP_AFTER, DROP_BEFORE
from emulator.rules.errors import unauthorized
from emulator.webhook import WebhookDelivery

__all__ = ["TEST_TOKEN", "BotAPIEmulator", "decode_params"]

#: The token the emulator accepts unless told otherwise (for tests, benchmarks, the sandbox).
TEST_TOKEN = "123456:TEST-TOKEN-for-the-emulator"

# Parameters that are strings in the Bot API even when they look like numbers or JSON.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "action",
        "language_code",
        "inline_message_id",
        "business_connection_id",
        "message_effect_id",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
        "question",
        "explanation",
        "address",
        "first_name",
        "last_name",
        "phone_number",
        "secret_token",
        "ip_address",
    }
)


def decode_params(form: Any) -> dict[str, Any]:
    """Turn PTB's form fields (lists and dicts JSON-encoded, numbers as text) into values."""
    params: dict[str, Any] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            params[name] = {
                "filename": value.filename,
                "content_type": value.content_type,
                "content": value.file.read(),
            }
        elif name in _STRING_PARAMS:
            params[name] = value
        else:
            params[name] = _json_or_text(value)
    return params


def _json_or_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


class BotAPIEmulator(BotAPI):
    """A Telegram Bot API stand-in on 127.0.0.1 for end-to-end tests, benchmarks and a sandbox.

    Point python-telegram-bot at :attr:`base_url`; act as users with :meth:`user_sends` and
    :meth:`user_presses`; read what the bot sent in :attr:`sent`. The token is never logged.
    Once the bot calls setWebhook with a loopback URL, updates are POSTed there instead
    (with the ``X-Telegram-Bot-Api-Secret-Token`` header), and getUpdates answers 409.
    With ``control=True`` the same acts and reads are served over HTTP (``emulator.control``),
    for an emulator running in a process of its own.
    """

    def __init__(
        self,
        token: str = TEST_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "GutBoneDailyBot",
        bot_id: int = 123456,
        control: bool = False,
    ) -> None:
        super().__init__(bot_username=bot_username, bot_id=bot_id)
        self._token = token.encode()
        self._host = host
        self._port = port
        self._control = control  # also serve emulator.control's /_emulator/ endpoints
        self._runner: web.AppRunner | None = None
        self._webhook = WebhookDelivery(self._state)

    def __repr__(self) -> str:
        where = self.base_url if self._runner else "not started"
        return f"<BotAPIEmulator {where}>"

    @property
    def base_url(self) -> str:
        """What ``ApplicationBuilder().base_url()`` takes: the token and method are appended."""
        if self._runner is None:
            raise RuntimeError("the emulator is not running: await start() first")
        return f"http://{self._host}:{self._port}/bot"

    async def start(self) -> None:
        """Listen on ``host:port`` (port 0 picks a free one, then :attr:`base_url` shows it)."""
        if self._runner is not None:
            raise RuntimeError("the emulator is already running")
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        if self._control:
            add_control_routes(app, self)
        app.router.add_route("*", "/{path:.*}", _not_found)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
        await runner.setup()
        await web.TCPSite(runner, self._host, self._port).start()
        self._port = runner.addresses[0][1]
        self._runner = runner
        self._state.closing = False
        self._webhook.start()  # POSTs updates while the bot has a webhook set

    async def stop(self) -> None:
        """End open long polls with [] and webhook deliveries, and close the port."""
        if self._runner is None:
            return
        self._state.closing = True
        self._state.updates.arrived.notify()
        await self._webhook.stop()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> BotAPIEmulator:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def _handle(self, request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.match_info["token"].encode(), self._token):
            return _answer(401, unauthorized().body())
        method = request.match_info["method"]
        try:
            params = decode_params(request.query) | decode_params(await request.post())
            fault = self.draw_fault(method)
            if fault == DROP_BEFORE:  # read, never carried out, never answered
                return self._drop(request, fault, method, params)
            status, body = await self.call(method, params, fault=fault)
            if fault == DROP_AFTER:  # carried out (a message sent), but never answered
                return self._drop(request, fault, method, params, _message_id(body))
        except Exception as exc:  # an emulator bug must reach the test, not a log
            status, body = 500, _internal_error(exc)
            self.errors.append((method, {}, body))
        return _answer(status, body)

    def _drop(
        self,
        request: web.Request,
        fault: str,
        method: str,
        params: dict[str, Any],
        message_id: int | None = None,
    ) -> web.Response:
        """Close the connection unanswered: the client sees it dropped (aiohttp:
        ServerDisconnectedError); the response returned is never written."""
        self.record_fault(fault, method, params, message_id)
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=499)


async def _not_found(request: web.Request) -> web.Response:
    return _answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})


def _message_id(body: dict[str, Any]) -> int | None:
    """The message a successful call sent, if it sent one."""
    result = body.get("result") if body.get("ok") else None
    found = result.get("message_id") if isinstance(result, dict) else None
    return found if isinstance(found, int) else None


def _internal_error(exc: Exception) -> dict[str, Any]:
    description = f"Internal Server Error: the emulator failed with {exc!r}"
    return {"ok": False, "error_code": 500, "description": description}


def _answer(status: int, body: dict[str, Any]) -> web.Response:
    return web.json_response(body, status=status)
