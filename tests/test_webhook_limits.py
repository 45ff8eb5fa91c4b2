"""The webhook server's limits, with raw sockets over loopback: what a hostile client can try.

The server runs in this event loop with small limits (timeouts of a fraction of a second, a
cap of a few connections), so each limit is seen at work without waiting for the real ones.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from bot.service.config import parse_settings
from bot.service.logs import Throttle
from bot.service.wiring import build_application
from bot.transport.webhook import Limits, WebhookServer
from bot.transport.webhook_requests import SECRET_HEADER, RecentUpdates
from tests.e2e import TOKEN, free_port

SECRET = "webhook-limits-secret_0123456789"
SMALL = Limits(max_connections=4, header_timeout=0.3, body_timeout=0.3, max_body=4096)


@pytest.fixture
async def server(store, library, clock):
    """The webhook server alone (the Application is not started: updates stay queued)."""
    port = free_port()
    config = parse_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": SECRET,
        }
    )
    app = build_application(config, store, library, clock=clock)
    async with WebhookServer(app, config, SMALL) as running:
        running.port = port
        running.queue = app.update_queue
        yield running


async def connect(server) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", server.port)


def head(length: int, secret: str | None = SECRET, path: str = "/telegram") -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: bot", f"Content-Length: {length}"]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def status_of(reader: asyncio.StreamReader) -> int | None:
    """The status of the answer, or None if the server closed without one."""
    line = await asyncio.wait_for(reader.readline(), 5)
    return int(line.split()[1]) if line else None


async def closed(reader: asyncio.StreamReader) -> bool:
    """True once the server closed the connection (within 5 s)."""
    try:
        return await asyncio.wait_for(reader.read(), 5) == b"" or reader.at_eof()
    except ConnectionResetError:
        return True


def update(update_id: int = 7) -> bytes:
    chat = {"id": 1, "type": "private", "first_name": "Ada"}
    message = {"message_id": 1, "chat": chat, "date": 0, "text": "hi"}
    return json.dumps({"update_id": update_id, "message": message}).encode()


async def test_headers_that_do_not_come_in_time_close_the_connection(server):
    reader, writer = await connect(server)
    writer.write(b"POST /telegram HTTP/1.1\r\nHost: b")  # and nothing more
    started = asyncio.get_running_loop().time()
    assert await closed(reader)
    assert asyncio.get_running_loop().time() - started < 2
    assert server.open_connections == 0
    writer.close()


async def test_a_body_that_does_not_come_in_time_is_408(server):
    reader, writer = await connect(server)
    writer.write(head(100) + b'{"update_id"')
    assert await status_of(reader) == 408
    writer.close()


async def test_the_secret_is_checked_before_any_body_is_read(server):
    reader, writer = await connect(server)
    writer.write(head(1 << 20, secret="wrong-secret-of-the-right-length"))  # the body never comes
    assert await status_of(reader) == 403
    assert await closed(reader)
    writer.close()


@pytest.mark.parametrize("declared", [4097, 1 << 30])
async def test_a_body_declared_too_big_is_413_unread(server, declared):
    reader, writer = await connect(server)
    writer.write(head(declared))
    assert await status_of(reader) == 413
    writer.close()


async def test_a_chunked_body_is_cut_off_at_the_limit(server):
    reader, writer = await connect(server)
    lines = ["POST /telegram HTTP/1.1", "Host: bot", "Transfer-Encoding: chunked"]
    writer.write(("\r\n".join([*lines, f"{SECRET_HEADER}: {SECRET}"]) + "\r\n\r\n").encode())
    for _ in range(3):
        writer.write(b"800\r\n" + b" " * 0x800 + b"\r\n")  # 2 KiB each: the third is too many
    assert await status_of(reader) == 413
    writer.close()
    assert server.queue.empty()


async def test_over_the_cap_the_oldest_waiting_connection_makes_way(server):
    idle = [await connect(server) for _ in range(10)]  # ten slow clients, for a cap of four
    await asyncio.sleep(0.05)
    assert server.open_connections <= SMALL.max_connections
    reader, writer = await connect(server)  # Telegram, with an update
    writer.write(head(len(update())) + update())
    assert await status_of(reader) == 200
    assert server.queue.qsize() == 1
    assert sum([await closed(r) for r, _ in idle[:6]]) == 6  # the oldest six were closed
    for _, w in [*idle, (reader, writer)]:
        w.close()


async def test_each_connection_closes_after_its_answer(server):
    reader, writer = await connect(server)
    writer.write(head(len(update())) + update())
    assert await status_of(reader) == 200
    assert await closed(reader)
    writer.close()


async def test_a_replayed_update_is_answered_but_queued_once(server):
    for _ in range(5):
        reader, writer = await connect(server)
        writer.write(head(len(update(42))) + update(42))
        assert await status_of(reader) == 200
        writer.close()
    assert server.queue.qsize() == 1


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 2000 + b"]" * 2000,  # within the 4 KiB limit, deeper than Python recurses
        b'{"update_id": 1, "message": ' + b"[" * 1500 + b"]" * 1500 + b"}",
    ],
    ids=["deep list", "deep object in an update"],
)
async def test_deeply_nested_json_is_400_and_one_line(server, caplog, body):
    caplog.set_level(logging.DEBUG)
    reader, writer = await connect(server)
    writer.write(head(len(body)) + body)
    assert await status_of(reader) == 400
    writer.close()
    mine = [r for r in caplog.records if r.name.startswith("bot.transport.webhook")]
    assert [r.getMessage() for r in mine] == [
        "Ignored a webhook request: its body is not JSON (RecursionError)"
    ]
    assert not any(r.exc_info for r in caplog.records)


async def test_malformed_http_is_one_line_a_minute_without_a_traceback(server, caplog):
    caplog.set_level(logging.DEBUG)
    for _ in range(20):
        reader, writer = await connect(server)
        writer.write(b"POST /telegram HTTP/1.1\r\nBad Header\r\n\r\n")
        assert await status_of(reader) == 400
        writer.close()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert warnings[0].getMessage().startswith("Ignored a webhook request: BadHttpMessage")
    assert not any(r.exc_info for r in caplog.records if r.levelno >= logging.INFO)


def test_the_cap_follows_a_low_open_file_limit():
    assert Limits().connections_for(1 << 16) == 100
    assert Limits().connections_for(128) == 32
    assert Limits().connections_for(8) == 4


def test_recent_updates_forget_the_oldest_first():
    recent = RecentUpdates(3)
    for update_id in (1, 2, 3, 2, 4):
        recent.add(update_id)
    assert [n in recent for n in (1, 2, 3, 4)] == [False, True, True, True]


def test_a_throttle_says_a_cause_once_a_minute_then_how_many_were_held(caplog):
    now = [0.0]
    say = Throttle(logging.getLogger("throttled"), every=60, clock=lambda: now[0])
    caplog.set_level(logging.INFO)
    said = [say(logging.ERROR, "accept", "cannot accept (%s)", "EMFILE") for _ in range(1000)]
    say(logging.WARNING, "other", "another cause")
    say(logging.WARNING, "other", "another cause")
    now[0] = 61.0
    say(logging.ERROR, "accept", "cannot accept (%s)", "EMFILE")
    say.flush()  # at a stop: what is still held
    say.flush()  # nothing held any more
    assert said.count(True) == 1
    assert [r.getMessage() for r in caplog.records] == [
        "cannot accept (EMFILE)",
        "another cause",
        "cannot accept (EMFILE) (999 more since the last report)",
        "another cause (1 more since the last one)",
    ]
