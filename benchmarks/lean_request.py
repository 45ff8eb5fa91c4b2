"""An experiment for the engine ceiling only: python-telegram-bot's `BaseRequest` hook on an
aiohttp client instead of httpx, to measure how much of a send's CPU the HTTP client costs.
Not the product's client: `--client aiohttp` swaps it in after the Application is built."""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """Form-encoded POSTs over a pool of `limit` keep-alive connections (no file uploads)."""

    def __init__(self, limit: int = 100, timeout: float = 30.0) -> None:
        self._limit = limit
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return self._timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                timeout=aiohttp.ClientTimeout(total=self._timeout + 30),
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        assert self._session is not None, "initialize() first"
        data = request_data.json_parameters if request_data else None
        async with self._session.request(method, url, data=data) as response:
            return response.status, await response.read()
