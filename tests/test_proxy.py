"""The environment's proxy: which requests take it, and the whole bot (sends and getUpdates)
through a real proxy on loopback that forwards to the emulator."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from aiohttp import web

from bot.transport.http import AiohttpRequest, RequestNotSent
from bot.transport.proxy import proxy_for
from tests.e2e import running_bot

PROXY = "http://proxy.example:3128"
TELEGRAM = "https://api.telegram.org/bot123:abc/getMe"


@pytest.mark.parametrize(
    ("url", "proxies", "expected"),
    [
        (TELEGRAM, {"https": PROXY}, PROXY),
        (TELEGRAM, {"http": PROXY}, None),  # HTTP_PROXY is for http URLs only
        ("http://api.telegram.test/bot1:a/getMe", {"http": PROXY}, PROXY),
        (TELEGRAM, {}, None),
        (TELEGRAM, {"https": PROXY, "no": "api.telegram.org"}, None),
        (TELEGRAM, {"https": PROXY, "no": "example.com, telegram.org"}, None),  # subdomains
        (TELEGRAM, {"https": PROXY, "no": ".telegram.org"}, None),
        (TELEGRAM, {"https": PROXY, "no": "gram.org"}, PROXY),  # a suffix, not a domain
        (TELEGRAM, {"https": PROXY, "no": "*"}, None),
        ("https://10.1.2.3:8081/bot1:a/getMe", {"https": PROXY, "no": "10.1.2.3:8081"}, None),
        ("https://10.1.2.3:8081/bot1:a/getMe", {"https": PROXY, "no": "10.1.2.3:9"}, PROXY),
        ("https://10.1.2.3/bot1:a/getMe", {"https": PROXY, "no": "10.0.0.0/8"}, None),
        ("https://11.1.2.3/bot1:a/getMe", {"https": PROXY, "no": "10.0.0.0/8"}, PROXY),
        # a local Bot API server, or the emulator: a proxy would reach its own loopback
        ("http://127.0.0.1:8081/bot1:a/getMe", {"http": PROXY}, None),
        ("http://localhost:8081/bot1:a/getMe", {"http": PROXY}, None),
        ("http://[::1]:8081/bot1:a/getMe", {"http": PROXY}, None),
    ],
)
def test_the_environment_names_the_proxy_and_no_proxy_exempts(url, proxies, expected):
    assert proxy_for(url, proxies) == expected


class ProxyStub:
    """An HTTP proxy on loopback that writes down every request it is asked to carry, refuses
    tunnels (CONNECT, for https URLs) and forwards the rest to `upstream` when given one."""

    def __init__(self, upstream: str | None = None) -> None:
        self.upstream = upstream
        self.url = ""
        self.seen: list[tuple[str, str, str | None]] = []  # method, target, Proxy-Authorization
        self._server: asyncio.Server | None = None
        self._client: aiohttp.ClientSession | None = None
        self._carrying: set[asyncio.Task[None]] = set()  # a long poll may outlive the test

    async def __aenter__(self) -> ProxyStub:
        self._client = aiohttp.ClientSession()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None and self._client is not None
        self._server.close()
        for task in self._carrying:
            task.cancel()
        await asyncio.gather(*self._carrying, return_exceptions=True)
        await self._client.close()

    def methods(self) -> set[str]:
        return {target.rsplit("/", 1)[-1] for method, target, _ in self.seen if method == "POST"}

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._carrying.add(task)
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                request_line, *lines = head.decode().split("\r\n")
                method, target, _ = request_line.split(" ")
                headers = dict(line.split(": ", 1) for line in lines if line)
                body = await reader.readexactly(int(headers.get("Content-Length", 0)))
                self.seen.append((method, target, headers.get("Proxy-Authorization")))
                status, answer = await self._answer(method, target, headers, body)
                writer.write(b"HTTP/1.1 %d X\r\nContent-Length: %d\r\n" % (status, len(answer)))
                writer.write(b"Content-Type: application/json\r\n\r\n" + answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, aiohttp.ClientError):
            pass  # the client hung up
        finally:
            writer.close()
            self._carrying.discard(task)

    async def _answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        if method == "CONNECT" or self.upstream is None or self._client is None:
            return 403, b""
        path = "/" + target.split("/", 3)[3]  # http://host/path -> /path
        kept = {"Content-Type": headers.get("Content-Type", "")}
        async with self._client.request(method, self.upstream + path, data=body, headers=kept) as r:
            return r.status, await r.read()


async def test_http_proxy_carries_the_request_with_its_credentials(monkeypatch):
    async def telegram_behind(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "result": request.path})

    app = web.Application()
    app.router.add_post("/{path:.*}", telegram_behind)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    upstream = f"http://127.0.0.1:{runner.addresses[0][1]}"
    async with ProxyStub(upstream) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://me:secret@"))
        client = AiohttpRequest(2)
        await client.initialize()
        try:
            url = "http://api.telegram.test/bot1:a/getMe"  # a name no DNS knows: only the proxy
            status, body = await client.do_request(url, "POST")
        finally:
            await client.shutdown()
            await runner.cleanup()
    assert (status, body) == (200, b'{"ok": true, "result": "/bot1:a/getMe"}')
    assert proxy.seen == [("POST", url, "Basic bWU6c2VjcmV0")]  # me:secret


async def test_a_proxy_refusing_the_tunnel_is_a_request_never_sent(monkeypatch):
    async with ProxyStub() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        client = AiohttpRequest(2)
        await client.initialize()
        try:
            with pytest.raises(RequestNotSent, match=r"^aiohttp\.ClientHttpProxyError"):
                await client.do_request("https://api.telegram.test/bot1:a/getMe", "POST")
        finally:
            await client.shutdown()
    assert proxy.seen == [("CONNECT", "api.telegram.test:443", None)]


async def test_the_whole_bot_polls_and_sends_through_the_environments_proxy(
    telegram, store, library, clock, sleep, pacing, monkeypatch
):
    async with ProxyStub(telegram.base_url.rsplit("/", 1)[0]) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        base_url = "http://api.telegram.test/bot"  # reachable through the proxy only
        async with running_bot(
            telegram, store, library, clock, sleep, pacing, TELEGRAM_API_BASE_URL=base_url
        ) as bot:
            assert "Welcome to GutBone Daily" in await bot.ask(7001, "/start")
    assert {"getMe", "getUpdates", "sendMessage"} <= proxy.methods()


async def test_the_whole_bot_on_loopback_bypasses_the_proxy_getupdates_too(
    telegram, store, library, clock, sleep, pacing, monkeypatch
):
    async with ProxyStub() as proxy:  # would refuse all it was asked to carry
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        async with running_bot(telegram, store, library, clock, sleep, pacing) as bot:
            assert "Welcome to GutBone Daily" in await bot.ask(7002, "/start")
    assert proxy.seen == []
