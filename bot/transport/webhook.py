"""Receiving updates over HTTP when WEBHOOK_URL is set, instead of long polling.

Telegram POSTs each update to WEBHOOK_URL (in practice a reverse proxy that terminates TLS),
which forwards it to WEBHOOK_LISTEN:WEBHOOK_PORT at the URL's path, where this server puts it
in the Application's update queue, as python-telegram-bot's own webhook handler does.

The port faces whatever reaches the proxy, so the server is built to hold under abuse:

- **Connections are few and short.** At most `max_connections` at once (fewer when the
  open-file limit is low); a connection over the cap pushes out the oldest one still waiting
  for its headers, so slow clients cannot starve Telegram. Headers must arrive within
  `header_timeout` of the connection, the body within `body_timeout`, and every connection
  closes after its answer. Our own accept loop says "too many open files" once a minute with
  a count, and closes a waiting connection to free a descriptor.
- **Nothing is read before the secret.** 403 without the right
  `X-Telegram-Bot-Api-Secret-Token` (compared in constant time), before any body is read; a
  body over `max_body` is refused while reading, 413.
- **Every body is judged once.** A body that is not an update — not JSON, nested too deep,
  not an object with an `update_id` — is 400 and one line (at most one a minute per cause).
  The last `remembered` update ids are kept, so an update Telegram sends again is answered
  200 and not handled twice.

aiohttp's low-level server parses HTTP; its own error reports pass through the same
once-a-minute lines, without tracebacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import resource
import socket
from typing import Any

from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest

from bot.service.config import Settings
from bot.service.context import App
from bot.service.logs import Throttle, one_line
from bot.transport.webhook_requests import SECRET_HEADER, Judge, Limits

__all__ = ["SECRET_HEADER", "Limits", "WebhookError", "WebhookServer", "register"]

logger = logging.getLogger(__name__)
http_logger = logging.getLogger(f"{__name__}.http")  # aiohttp's reports, sifted

_OUT_OF_DESCRIPTORS = (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM)
_ACCEPT_PAUSE = 0.05  # seconds between two accepts while descriptors run out
# An update is a few kB: bytes a client sends ahead of the answer (a big body without the
# secret) wait in small buffers, and are never read once the answer is 403.
_RECEIVE_BUFFER = 32 * 1024
_READ_BUFFER = 16 * 1024


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


class _Connection(web.RequestHandler):
    """aiohttp's protocol for one connection, telling the server when it opens and closes."""

    def __init__(self, server: WebhookServer, manager: web.Server, **options: Any) -> None:
        super().__init__(manager, **options)
        self.server = server
        self.handling = False  # its headers are in: no longer at risk of being pushed out
        self.timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.server.opened(self)

    def connection_lost(self, exc: BaseException | None) -> None:
        self.server.closed(self)
        super().connection_lost(exc)


class WebhookServer:
    """The HTTP server Telegram's requests reach; answers only on WEBHOOK_URL's path."""

    def __init__(self, app: App, settings: Settings, limits: Limits | None = None) -> None:
        assert settings.webhook_secret is not None, "required with WEBHOOK_URL"
        self._address = (settings.webhook_listen, settings.webhook_port)
        self.limits = limits or Limits()
        soft_limit, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        self.max_connections = self.limits.connections_for(soft_limit)
        self._say = Throttle(logger)
        queue: asyncio.Queue[object] = app.update_queue
        secret, path = settings.webhook_secret, settings.webhook_path
        self._judge = Judge(queue, app.bot, secret, path, self.limits, self._say)
        self._connections: dict[_Connection, None] = {}  # in the order they came
        self._http = web.Server(self._handle, handler_cancellation=True)
        self._listener: socket.socket | None = None
        self._accepting: asyncio.Task[None] | None = None
        self._sifted = _Sifted(self._say)

    # Connections --------------------------------------------------------------------------

    def start(self) -> None:
        listen, port = self._address
        try:
            self._listener = socket.create_server((listen, port), backlog=128)
        except OSError as exc:
            raise WebhookError(
                f"cannot listen on {listen}:{port} ({exc.strerror or exc}); "
                "set WEBHOOK_LISTEN and WEBHOOK_PORT to a free address"
            ) from None
        self._listener.setblocking(False)
        http_logger.addFilter(self._sifted)
        self._accepting = asyncio.create_task(self._accept(self._listener), name="webhook:accept")
        logger.info("Receiving updates by webhook on %s:%d", listen, port)
        logger.debug("Webhook: at most %d connections at once", self.max_connections)

    async def stop(self) -> None:
        """Refuse new connections, then close the open ones (Telegram resends what it must).
        Stopping twice is harmless."""
        if self._accepting is not None:
            self._accepting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._accepting
            self._accepting = None
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        for connection in [c for c in self._connections if not c.handling]:
            _close(connection)
        await self._http.shutdown(timeout=1.0)  # a request being handled gets its answer
        for connection in list(self._connections):
            _close(connection)
        http_logger.removeFilter(self._sifted)
        self._say.flush()

    async def __aenter__(self) -> WebhookServer:
        self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def open_connections(self) -> int:
        return len(self._connections)

    async def _accept(self, listener: socket.socket) -> None:
        loop = asyncio.get_running_loop()
        options = {
            "loop": loop,
            "logger": http_logger,
            "access_log": None,  # one line per update says nothing, and the path may be secret
            "lingering_time": 0,  # never read a body nobody will use
            "keepalive_timeout": self.limits.header_timeout,
            "read_bufsize": _READ_BUFFER,  # what aiohttp buffers of a body before we ask
        }
        while True:
            try:
                client, _ = await loop.sock_accept(listener)
            except OSError as exc:
                if exc.errno not in _OUT_OF_DESCRIPTORS:
                    raise
                self._say(
                    logging.ERROR,
                    "accept",
                    "Webhook: cannot accept a connection (%s); closing the oldest waiting one",
                    exc.strerror,
                )
                self._push_out()
                await asyncio.sleep(_ACCEPT_PAUSE)
                continue
            if len(self._connections) >= self.max_connections and not self._push_out():
                client.close()  # every one is busy with a request: this one waits its turn
                continue
            with contextlib.suppress(OSError):
                # A small receive buffer: what a client sent ahead of the answer stays small.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, _RECEIVE_BUFFER)
                await loop.connect_accepted_socket(
                    lambda: _Connection(self, self._http, **options), client
                )

    def opened(self, connection: _Connection) -> None:
        self._connections[connection] = None
        loop = asyncio.get_running_loop()
        connection.timer = loop.call_later(self.limits.header_timeout, self._late, connection)

    def closed(self, connection: _Connection) -> None:
        self._connections.pop(connection, None)
        if connection.timer is not None:
            connection.timer.cancel()

    def _late(self, connection: _Connection) -> None:
        if not connection.handling:
            self._say(
                logging.WARNING, "slow", "Webhook: closed a connection too slow to send a request"
            )
            _close(connection)

    def _push_out(self) -> bool:
        """Close the oldest connection still waiting for its headers; False if none waits."""
        waiting = next((c for c in self._connections if not c.handling), None)
        if waiting is None:
            return False
        self._say(
            logging.WARNING,
            "cap",
            "Webhook: %d connections open; closed the oldest waiting one",
            len(self._connections),
        )
        _close(waiting)
        return True

    # Requests -----------------------------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """One request: checked in order of cost, the body read last and only with the secret."""
        connection = request.protocol
        if isinstance(connection, _Connection):
            connection.handling = True
            if connection.timer is not None:
                connection.timer.cancel()
        status = await self._judge(request)
        response = web.Response(status=status)
        response.force_close()  # one request per connection: nothing idles on a descriptor
        return response


class _Sifted(logging.Filter):
    """aiohttp's own reports of a bad request (a malformed request line, headers too long,
    something that is not HTTP at all): one line a minute per kind, at most a warning and
    never a traceback, instead of one traceback per request. Its other debug lines pass."""

    def __init__(self, say: Throttle) -> None:
        super().__init__()
        self._say = say

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None and record.levelno < logging.WARNING:
            return True
        what = one_line(exc) if exc is not None else record.getMessage()
        kind = type(exc).__name__ if exc is not None else "http"
        level = min(record.levelno, logging.WARNING)
        self._say(level, kind, "Ignored a webhook request: %s", what)
        return False


def _close(connection: _Connection) -> None:
    """Close at once, whatever it was doing (a slow client gets no answer)."""
    transport = connection.transport
    if transport is not None:
        transport.abort()
