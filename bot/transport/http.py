"""The HTTP client for the bot's sends: aiohttp through python-telegram-bot's `BaseRequest` hook.

PTB's default client (httpx) costs about three CPU-milliseconds a request here; aiohttp costs
about one, which is what lets one core send a thousand paid broadcasts a second (see the
README's Performance section). Timeouts and failures are mapped to PTB's own `TimedOut` and
`NetworkError`, as PTB's httpx client maps them, with one distinction PTB does not make: a
request that certainly never left (`RequestNotSent`: no connection could be made) against one
that went out and got no answer (`TimedOut`, `AnswerLost`: Telegram may have acted on it).
`bot.transport.sender.outcome_of` turns these into a daily tip's outcome.
"""

from __future__ import annotations

import aiohttp
from telegram._utils.defaultvalue import DefaultValue  # what PTB passes for "not given"
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class RequestNotSent(NetworkError):
    """No connection could be made (refused, DNS, connect timeout): nothing was sent."""


class AnswerLost(NetworkError):
    """The request went out, then the connection broke before the answer came back."""


class AiohttpRequest(BaseRequest):
    """Keep-alive connections, `pool_size` at most; a request that waits longer than
    `pool_timeout` for one is never sent (`TimedOut`), as with PTB's own client."""

    def __init__(
        self,
        pool_size: int = 64,
        *,
        read_timeout: float = 30.0,
        connect_timeout: float = 10.0,
        pool_timeout: float = 30.0,
    ) -> None:
        self._pool_size = pool_size
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
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
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=_value(pool_timeout, self._pool_timeout),  # waiting for a pooled connection
            sock_connect=_value(connect_timeout, self._connect_timeout),
            sock_read=_value(read_timeout, self._read_timeout),
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout
            ) as response:
                return response.status, await response.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as err:
            raise RequestNotSent(_describe(err)) from err
        except TimeoutError as err:  # no answer in time: it may have been acted on
            raise TimedOut from err
        except aiohttp.ClientError as err:  # a disconnect, a reset, a broken answer
            raise AnswerLost(_describe(err)) from err


def _describe(err: Exception) -> str:
    return f"aiohttp.{err.__class__.__name__}: {err}"


def _value(given: ODVInput[float], default: float) -> float | None:
    """A per-call timeout from PTB, or this client's default where PTB left it unset."""
    return default if isinstance(given, DefaultValue) else given


def _body(request_data: RequestData | None) -> dict[str, str] | aiohttp.FormData | None:
    """Form fields as PTB encodes them; a multipart form where there are files to upload."""
    if request_data is None:
        return None
    if not request_data.contains_files:
        return request_data.json_parameters
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, upload in request_data.multipart_data.items():
        filename, content, *mimetype = upload
        form.add_field(
            name, content, filename=filename, content_type=mimetype[0] if mimetype else None
        )
    return form
