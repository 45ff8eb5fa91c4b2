"""The HTTP client (sends and getUpdates): Telegram's answers come back, a long poll waits
its time out, and failures become PTB's errors."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter  # how PTB builds a request

from bot.transport.http import AiohttpRequest, AnswerLost, RequestNotSent, _body, failure_of
from emulator import TEST_TOKEN


def param(name: str, value: object) -> RequestParameter:
    return RequestParameter.from_input(name, value)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def serve(handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/bot/{method}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return runner, f"http://127.0.0.1:{port}/bot"


async def test_form_fields_and_uploads_arrive_as_telegram_expects():
    seen: dict[str, object] = {}

    async def handler(request: web.Request) -> web.Response:
        form = await request.post()
        for name, value in form.items():
            upload = isinstance(value, web.FileField)
            seen[name] = (value.filename, value.file.read()) if upload else value
        return web.json_response({"ok": True, "result": True})

    runner, base = await serve(handler)
    client = AiohttpRequest(4)
    await client.initialize()
    try:
        plain = RequestData([param("chat_id", 5), param("text", "hi")])
        status, _ = await client.do_request(f"{base}/sendMessage", "POST", plain)
        assert (status, seen) == (200, {"chat_id": "5", "text": "hi"})
        long = "<b>Tip</b> & more: 1+1=2? 50 % of ☕ → ✅ Done today\n" * 3  # quoted once
        for chat_id in (6, 7):
            seen.clear()
            tip = RequestData([param("chat_id", chat_id), param("text", long)])
            await client.do_request(f"{base}/sendMessage", "POST", tip)
            assert seen == {"chat_id": str(chat_id), "text": long}
        seen.clear()
        upload = InputFile(b'{"chat": 5}', filename="export.json")
        files = RequestData([param("chat_id", 5), param("document", upload)])
        await client.do_request(f"{base}/sendDocument", "POST", files)
        assert seen == {"chat_id": "5", "document": ("export.json", b'{"chat": 5}')}
    finally:
        await client.shutdown()
        await runner.cleanup()


@pytest.mark.parametrize(
    "value",
    [5, -1001234567, "HTML", "ÉTÉ", "٣٤", "a b", "1+1=2", '{"is_disabled": true}', "ok" * 40],
)
def test_a_form_body_is_what_urlencode_makes_of_the_fields(value):
    fields = RequestData([param("chat_id", 42), param("text", value)])
    twice = [_body(fields), _body(fields)]  # the second from what was remembered, if it was
    assert twice == [urlencode(fields.json_parameters).encode()] * 2


async def test_a_long_poll_outlasts_the_read_timeout_by_its_own_wait(telegram):
    """PTB adds getUpdates' `timeout` to the read timeout, as for its own client: a long poll
    on a short read timeout is not cut short, and an update arriving meanwhile answers it."""
    polls = AiohttpRequest(1, read_timeout=0.2)
    async with Bot(
        TEST_TOKEN, base_url=telegram.base_url, request=AiohttpRequest(2), get_updates_request=polls
    ) as bot:
        assert await bot.get_updates(timeout=0.5) == ()  # Telegram waited 0.5 s: nothing new
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await telegram.wait_for_calls("getUpdates", 2)
        telegram.user_sends(7, "hi")
        [update] = await poll
    assert update.message is not None and update.message.text == "hi"


async def test_a_server_that_does_not_answer_in_time_is_a_timeout():
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)  # accepts, reads nothing, answers nothing

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = AiohttpRequest(2, read_timeout=0.2)
    await client.initialize()
    try:
        with pytest.raises(TimedOut):
            await client.do_request(f"http://127.0.0.1:{port}/bot/getMe", "POST")
    finally:
        await client.shutdown()
        server.close()


async def test_a_closed_port_is_a_request_never_sent_and_an_uninitialised_client_refuses():
    client = AiohttpRequest(2)
    with pytest.raises(RuntimeError, match="not initialized"):
        await client.do_request(f"http://127.0.0.1:{free_port()}/bot/getMe", "POST")
    await client.initialize()
    try:
        with pytest.raises(RequestNotSent, match=r"^aiohttp\.ClientConnector"):
            await client.do_request(f"http://127.0.0.1:{free_port()}/bot/getMe", "POST")
    finally:
        await client.shutdown()


async def test_a_connection_dropped_after_the_request_was_written_is_an_answer_lost():
    """What the old client called "certainly not sent" (and sent 5 more times)."""
    received = asyncio.Event()

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")  # the request arrived: Telegram may act on it
        received.set()
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = AiohttpRequest(2)
    await client.initialize()
    try:
        with pytest.raises(AnswerLost, match=r"^aiohttp\.ServerDisconnected"):
            await client.do_request(f"http://127.0.0.1:{port}/bot/sendMessage", "POST")
        assert received.is_set()
    finally:
        await client.shutdown()
        server.close()


@pytest.mark.parametrize(
    ("failure", "error"),
    [
        (aiohttp.ConnectionTimeoutError(), RequestNotSent),  # a TimeoutError, but nothing left
        (aiohttp.SocketTimeoutError(), TimedOut),
        (TimeoutError(), TimedOut),
        (aiohttp.ServerDisconnectedError(), AnswerLost),
        (aiohttp.ClientPayloadError("cut short"), AnswerLost),
    ],
)
def test_the_one_error_map_says_whether_telegram_may_have_the_request(failure, error):
    assert type(failure_of(failure)) is error
    assert failure_of(ValueError("not a network failure")) is None
