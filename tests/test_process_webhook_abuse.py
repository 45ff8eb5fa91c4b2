"""`python -m bot` in webhook mode under abuse, as a hostile internet in front of it would try:
slow headers on many connections with a low open-file limit, descriptors running out, big
bodies without the secret, replays, deep JSON, forged presses, and a token revoked meanwhile.

Loopback only, every loop bounded. Each test prints what it measured (`pytest -s` shows it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import resource
import signal

from tests.e2e import free_port
from tests.test_process import CHAT, BotProcess, assert_quiet
from tests.test_process_webhook import WEBHOOK_SECRET, webhook_env
from tests.test_webhook_limits import head

LOW_LIMIT = 256  # open files: the webhook then allows itself 64 connections


def sockets_of(pid: int) -> int:
    """How many sockets the process has open."""
    folder = f"/proc/{pid}/fd"
    count = 0
    for name in os.listdir(folder):
        with contextlib.suppress(OSError):
            count += os.readlink(f"{folder}/{name}").startswith("socket:")
    return count


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def memory_kib(pid: int, field: str) -> int:
    """`VmRSS` (now) or `VmHWM` (the peak) of the process, in KiB."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith(f"{field}:"))
    return int(line.split()[1])


def lowered_file_limit() -> None:
    """Runs in the child before `python -m bot`: the limit a careless unit would leave."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (LOW_LIMIT, LOW_LIMIT))


class SlowClients:
    """`count` connections that send a valid request's headers one byte at a time."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.writers: list[asyncio.StreamWriter] = []

    async def open(self, count: int) -> None:
        """Open them one after the other; one the server does not take in 1 s is dropped."""
        for _ in range(count):
            with contextlib.suppress(OSError, TimeoutError):
                connecting = asyncio.open_connection("127.0.0.1", self.port)
                _, writer = await asyncio.wait_for(connecting, 1)
                writer.write(b"POST /telegram HTTP/1.1\r\nHost: bot\r\nX-Slow: ")
                self.writers.append(writer)

    async def drip(self, rounds: int, every: float) -> None:
        """One more byte on every connection still open, `rounds` times."""
        for _ in range(rounds):
            await asyncio.sleep(every)
            for writer in self.writers:
                if not writer.is_closing():
                    writer.write(b"a")  # the header never ends

    def close(self) -> None:
        for writer in self.writers:
            writer.close()


async def running_bot(telegram, tmp_path, port: int, **kwargs) -> BotProcess:
    bot = await BotProcess.start(webhook_env(telegram, tmp_path, port), tmp_path, **kwargs)
    await bot.wait_for_log("is running as", timeout=20)
    return bot


async def test_slow_headers_on_many_connections_cannot_starve_the_webhook(telegram, tmp_path):
    port = free_port()
    bot = await running_bot(telegram, tmp_path, port, preexec_fn=lowered_file_limit)
    pid = bot.process.pid
    before = sockets_of(pid)
    attack = SlowClients(port)
    await attack.open(1100)  # as in the report: 1,100 connections, one byte at a time
    dripping = asyncio.create_task(attack.drip(rounds=8, every=0.25))
    await asyncio.sleep(0.5)
    held = sockets_of(pid) - before
    started = asyncio.get_running_loop().time()
    telegram.user_sends(CHAT, "/start")  # Telegram posts it, amid the slow clients
    [welcome] = await telegram.wait_for_messages(CHAT, timeout=10)
    answered_after = asyncio.get_running_loop().time() - started
    held_later = sockets_of(pid) - before
    await dripping
    attack.close()
    print(f"\nconnections held: {held}, then {held_later}; answered after {answered_after:.2f} s")
    assert "Welcome" in welcome.text
    assert held <= 64 + 2 and held_later <= 64 + 2  # the cap for 256 open files, and slack
    assert answered_after < 5
    assert await bot.stop(signal.SIGTERM) == 0
    said = [line for line in bot.lines if "Webhook: " in line]
    at_the_stop = [line for line in said if "more since the last one)" in line]
    assert len(said) - len(at_the_stop) <= 2  # the cap, the slow ones closed: once a minute
    assert len(at_the_stop) <= 2  # and what was held back since, counted, at the stop
    assert "Too many open files" not in bot.log
    assert_quiet(bot.log)


async def test_running_out_of_descriptors_is_one_line_a_minute_and_the_bot_recovers(
    telegram, tmp_path
):
    port = free_port()
    bot = await running_bot(telegram, tmp_path, port)
    pid = bot.process.pid
    limit = open_files(pid) + 16  # the cap (100) is far above what is left
    resource.prlimit(pid, resource.RLIMIT_NOFILE, (limit, limit))
    attack, started = SlowClients(port), asyncio.get_running_loop().time()
    await attack.open(150)  # those past the backlog wait 1 s: the server cannot accept them
    await attack.drip(rounds=4, every=0.25)  # and more seconds of trying, 20 times a second
    attack.close()
    lasted = asyncio.get_running_loop().time() - started
    lines = bot.count("cannot accept a connection")
    print(f"\n'cannot accept' lines in {lasted:.1f} s out of descriptors: {lines}")
    telegram.user_sends(CHAT, "/start")
    [welcome] = await telegram.wait_for_messages(CHAT, timeout=15)
    assert "Welcome" in welcome.text
    assert lines == 1
    assert await bot.stop(signal.SIGTERM) == 0
    first, at_the_stop = [line for line in bot.lines if "Too many open files" in line]
    held = re.search(r"\((\d+) more since the last one\)", at_the_stop)
    print(f"accept failures: {int(held[1]) + 1}, said in 2 lines")
    assert "more since" not in first and int(held[1]) >= 1  # the rest, counted at the stop
    assert_quiet(bot.log)


async def big_body_without_the_secret(port: int) -> int | None:
    """POST 1 MiB with a wrong secret; the status, or None if the server hung up first."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head(1 << 20, secret="not-the-secret-of-this-bot"))
    try:
        for _ in range(16):
            writer.write(b" " * (1 << 16))
            await writer.drain()
    except ConnectionError:
        pass
    try:
        line = await asyncio.wait_for(reader.readline(), 10)
    except ConnectionError:
        line = b""
    writer.close()
    return int(line.split()[1]) if line else None


async def test_big_bodies_without_the_secret_are_refused_unread(telegram, tmp_path):
    port = free_port()
    bot = await running_bot(telegram, tmp_path, port)
    pid = bot.process.pid
    before = memory_kib(pid, "VmRSS")
    statuses = await asyncio.gather(*(big_body_without_the_secret(port) for _ in range(40)))
    grown = memory_kib(pid, "VmHWM") - before
    print(f"\nRSS {before // 1024} MiB; peak grew by {grown} KiB under 40 × 1 MiB without secret")
    assert set(statuses) <= {403, None} and 403 in statuses
    assert grown < 4 * 1024  # small buffers per connection, closed at the 403
    assert await bot.stop(signal.SIGTERM) == 0
    assert_quiet(bot.log)


def callback_update(update_id: int, message_id: int, data: str) -> bytes:
    user = {"id": CHAT, "is_bot": False, "first_name": "Mallory"}
    chat = {"id": CHAT, "type": "private", "first_name": "Mallory"}
    message = {"message_id": message_id, "chat": chat, "date": 1, "text": "x"}
    query = {"id": f"q{update_id}", "from": user, "chat_instance": "1", "data": data}
    return json.dumps({"update_id": update_id, "callback_query": query | {"message": message}})


async def post(port: int, body: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head(len(body), secret=WEBHOOK_SECRET) + body)
    line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    return int(line.split()[1])


def start_update(update_id: int) -> bytes:
    user = {"id": CHAT, "is_bot": False, "first_name": "Mallory"}
    chat = {"id": CHAT, "type": "private", "first_name": "Mallory"}
    entity = {"type": "bot_command", "offset": 0, "length": 6}
    message = {"message_id": 5, "from": user, "chat": chat, "date": 0, "text": "/start"}
    return json.dumps({"update_id": update_id, "message": message | {"entities": [entity]}})


async def test_replays_deep_json_and_forged_presses_then_a_revoked_token(telegram, tmp_path):
    port = free_port()
    bot = await running_bot(telegram, tmp_path, port)
    replay = start_update(9001).encode()
    assert [await post(port, replay) for _ in range(5)] == [200] * 5
    await telegram.wait_for_messages(CHAT, timeout=10)
    deep = b'{"update_id": 9002, "message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert await post(port, deep) == 400
    forged = callback_update(9003, 1, "v1:del:yes:999999999999").encode()
    assert await post(port, forged) == 200
    [answer] = await telegram.wait_for_calls("answerCallbackQuery")
    assert answer["callback_query_id"] == "q9003"
    assert len(telegram.messages_to(CHAT)) == 1  # five posts of one update: one welcome
    assert bot.count("Ignored a webhook request: its body is not JSON (RecursionError)") == 1
    telegram.revoke_token()
    telegram.user_sends(CHAT, "/help")  # its reply meets 401
    assert await bot.exited(timeout=10) == 3
    assert bot.count("no longer accepts TELEGRAM_BOT_TOKEN") == 1
    assert "Stopped" in bot.lines[-1]
    assert_quiet(bot.log)
