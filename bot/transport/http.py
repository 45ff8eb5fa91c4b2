"""The one HTTP client for everything the bot asks of Telegram: aiohttp through
python-telegram-bot's `BaseRequest` hook, for the sends and replies and for `getUpdates`.

PTB's default client (httpx) costs about three CPU-milliseconds a request here; aiohttp costs
about one, which is what lets one core send a thousand paid broadcasts a second (see the
README's Performance section). Every request honours the environment's proxy settings
(`bot.transport.proxy`). Timeouts and failures are mapped to PTB's own `TimedOut` and
`NetworkError` by one table (`failure_of`), with one distinction PTB does not make: a request
that certainly never left (`RequestNotSent`: no connection could be made) against one that went
out and got no answer (`TimedOut`, `AnswerLost`: Telegram may have acted on it).
`bot.transport.sender.outcome_of` turns these into a daily tip's outcome.
"""

from __future__ import annotations

from functools import lru_cache
from typing import cast
from urllib.parse import quote_plus

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.transport.proxy import environment_proxies, proxy_for

__all__ = ["AiohttpRequest", "AnswerLost", "RequestNotSent", "failure_of", "polling_request"]

# The one timeout policy, in seconds. Telegram can answer a send slowly under load: it is not
# given up (and maybe doubled) too soon. A connection not made in CONNECT_TIMEOUT is not coming.
READ_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0
POOL_TIMEOUT = 30.0  # waiting for a free connection, and making it (aiohttp counts both)
# getUpdates waits up to its own `timeout` for updates, which PTB adds to the read timeout; the
# margin on top stays short (PTB's default), as a lost poll is simply asked again.
POLL_READ_MARGIN = 5.0

# A form field's value at least this long is url-encoded once and remembered: a daily tip's text,
# buttons and link preview options go to thousands of chats, and quoting them byte by byte was a
# sixth of a tip's CPU. ASCII letters and digits (a chat id, the parse mode) need no quoting;
# other short values are quoted each time, and never crowd the long ones out.
REMEMBERED_VALUE = 16
REMEMBERED_VALUES = 1024  # more than a day's distinct tips, each with or without "Done today"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

# A PTB timeout argument: a number, None (no limit) or BaseRequest.DEFAULT_NONE (not given).
Timeout = float | None | object


class RequestNotSent(NetworkError):
    """No connection could be made (refused, DNS, connect timeout): nothing was sent."""


class AnswerLost(NetworkError):
    """The request went out, then the connection broke before the answer came back."""


# The one error map, first match wins (a subclass before its base): what an aiohttp failure
# says about whether Telegram got the request.
FAILURES: tuple[tuple[type[BaseException], type[NetworkError]], ...] = (
    (aiohttp.ClientConnectorError, RequestNotSent),  # refused, DNS, the proxy unreachable
    (aiohttp.ConnectionTimeoutError, RequestNotSent),  # no (pooled) connection in time
    (aiohttp.ClientHttpProxyError, RequestNotSent),  # the proxy refused the tunnel
    (TimeoutError, TimedOut),  # no answer in time: it may have been acted on
    (aiohttp.ClientError, AnswerLost),  # a disconnect, a reset, a broken answer
)


def failure_of(err: BaseException) -> NetworkError | None:
    """PTB's error for an aiohttp failure (see `FAILURES`), or None for anything else."""
    for caught, error in FAILURES:
        if isinstance(err, caught):
            return TimedOut() if error is TimedOut else error(_describe(err))
    return None


class AiohttpRequest(BaseRequest):
    """Keep-alive connections, `pool_size` at most; a request that waits longer than
    `pool_timeout` for one is never sent (`RequestNotSent`)."""

    def __init__(
        self,
        pool_size: int = 64,
        *,
        read_timeout: float = READ_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        pool_timeout: float = POOL_TIMEOUT,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # a URL's folder -> its proxy

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._proxies.clear()
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(  # aiohttp has no write timeout of its own: sock_read covers the answer
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_value(pool_timeout, self._pool_timeout),  # waiting for a pooled connection
            sock_connect=_value(connect_timeout, self._connect_timeout),
            sock_read=_value(read_timeout, self._read_timeout),  # getUpdates: PTB added its wait
        )
        try:
            body = _body(request_data)
            async with self._session.request(
                method,
                url,
                data=body,
                headers=FORM if isinstance(body, bytes) else None,
                timeout=timeout,
                proxy=self._proxy(url),
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ClientError) as err:
            raise cast(NetworkError, failure_of(err)) from err

    def _proxy(self, url: str) -> str | None:
        """The environment's proxy for `url`, looked up once per folder (the API's methods share
        one), not per request as aiohttp's `trust_env` does."""
        folder = url.rpartition("/")[0]
        try:
            return self._proxies[folder]
        except KeyError:
            proxy = self._proxies[folder] = proxy_for(url, environment_proxies())
            return proxy


def polling_request() -> AiohttpRequest:
    """getUpdates' own client (PTB wants one apart from the sends'): one connection, and a short
    read margin over the long poll's wait."""
    return AiohttpRequest(1, read_timeout=POLL_READ_MARGIN)


def _describe(err: BaseException) -> str:
    return f"aiohttp.{err.__class__.__name__}: {err}"


def _value(given: Timeout, default: float) -> float | None:
    """A per-call timeout from PTB, or this client's default where PTB left it unset."""
    return default if given is BaseRequest.DEFAULT_NONE else cast("float | None", given)


def _body(request_data: RequestData | None) -> bytes | aiohttp.FormData | None:
    """Form fields as PTB encodes them, url-encoded here as aiohttp would (which costs a new
    `FormData` and its multipart boundary each time); a multipart form where there are files."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        fields = request_data.json_parameters.items()
        return "&".join(f"{_quoted(name)}={_quoted(value)}" for name, value in fields).encode()
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, upload in request_data.multipart_data.items():
        filename, content, *mimetype = upload
        form.add_field(
            name, content, filename=filename, content_type=mimetype[0] if mimetype else None
        )
    return form


def _quoted(value: str) -> str:
    """`value` url-encoded for a form, as `urllib.parse.urlencode` does; long ones once."""
    if value.isascii() and value.isalnum():
        return value
    return _remembered(value) if len(value) >= REMEMBERED_VALUE else quote_plus(value)


@lru_cache(maxsize=REMEMBERED_VALUES)
def _remembered(value: str) -> str:
    return quote_plus(value)
