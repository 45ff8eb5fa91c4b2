"""The bot as an operator runs it: `python -m bot` in its own process, against the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time as wallclock
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot
from telegram.error import Conflict

from emulator import BotAPIEmulator
from emulator.faults import RandomFaults
from scheduler.due import Schedule
from storage import Store
from tests.conftest import TEST_LIBRARY
from tests.e2e import TOKEN

CHAT = 555
SECRET = TOKEN.split(":")[1]  # the half that makes a token usable


def bot_env(telegram, db_path: Path, **extra: str) -> dict[str, str]:
    """The environment for `python -m bot`; `telegram` is the emulator or its base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=telegram if isinstance(telegram, str) else telegram.base_url,
        DATABASE_PATH=str(db_path),
        LOG_LEVEL="DEBUG",
        TIPS_LIBRARY=str(TEST_LIBRARY),  # tips the tests know, whatever the shipped ones say
    )
    env.update(extra)
    return env


class BotProcess:
    """`python -m bot` as a child process, its log lines collected as they come."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(
        cls, env: dict[str, str], cwd: Path, preexec_fn: Callable[[], None] | None = None
    ) -> BotProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=env,
            cwd=cwd,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=preexec_fn,
        )
        return cls(process)

    async def _read(self) -> None:
        async for raw in self.process.stderr:
            self.lines.append(raw.decode(errors="replace"))

    async def wait_for_log(self, text: str, timeout: float = 10) -> None:
        async with asyncio.timeout(timeout):
            while not any(text in line for line in self.lines):
                await asyncio.sleep(0.05)

    async def exited(self, timeout: float = 10) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code

    def count(self, text: str) -> int:
        return sum(text in line for line in self.lines)

    async def stop(self, signum: int, timeout: float = 10) -> int:
        self.process.send_signal(signum)
        code = await asyncio.wait_for(self.process.wait(), timeout)
        await self._reader
        return code

    @property
    def log(self) -> str:
        return "".join(self.lines)


def due_now_subscriber(db_path: Path) -> None:
    """A subscriber, subscribed yesterday, whose time came a minute ago."""
    now = datetime.now(UTC)
    store = Store.open(db_path)
    at = (now - timedelta(minutes=1)).time().replace(second=0, microsecond=0)
    if at > now.time():  # just after midnight: keep it simple, due at 00:00 today
        at = time(0, 0)
    store.subscribe(CHAT, "private", Schedule(at, ZoneInfo("UTC")), now - timedelta(days=1))
    store.close()


def lapse_the_lease(db_path: Path) -> None:
    """Expire the delivery lease a killed process left behind (it cannot release it)."""
    store = Store.open(db_path)
    store.db.execute("UPDATE lease SET expires_at = 0")
    store.close()


async def test_runs_answers_and_stops_cleanly_on_sigterm(telegram, tmp_path):
    env = bot_env(telegram, tmp_path / "db" / "bot.db", DATABSE_PATH="/srv/typo.db")
    bot = await BotProcess.start(env, tmp_path)
    telegram.user_sends(CHAT, "/start")
    [welcome] = await telegram.wait_for_messages(CHAT, timeout=20)
    assert "Welcome" in welcome.text
    started = wallclock.monotonic()
    assert await bot.stop(signal.SIGTERM) == 0
    assert wallclock.monotonic() - started < 10
    assert "Stopped" in bot.log
    assert TOKEN not in bot.log and TOKEN.split(":")[1] not in bot.log
    assert "getUpdates" in bot.log or "getMe" in bot.log  # DEBUG logging really was on
    assert (
        bot.count(  # a misspelt setting is named, and ignored
            "DATABSE_PATH is not a setting of this bot: did you mean DATABASE_PATH? (ignored)"
        )
        == 1
    )


async def test_kill_9_then_restart_sends_no_second_tip(telegram, tmp_path):
    db_path = tmp_path / "bot.db"
    due_now_subscriber(db_path)
    first = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    [tip] = await telegram.wait_for_messages(CHAT, timeout=20)
    assert "📚" in tip.text
    await first.wait_for_log("Daily sweep")
    await first.stop(signal.SIGKILL)
    lapse_the_lease(db_path)  # as if the restart came a lease's lifetime later
    second = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    await second.wait_for_log("Sweep finished", timeout=20)
    assert len(telegram.messages_to(CHAT)) == 1
    assert await second.stop(signal.SIGINT) == 0


async def test_a_claim_left_pending_by_a_crash_is_sent_at_start(telegram, tmp_path, library):
    db_path = tmp_path / "bot.db"
    due_now_subscriber(db_path)
    store = Store.open(db_path)
    today = datetime.now(UTC).date()
    tip_id = library.tips[0].id
    assert store.claim_delivery(CHAT, today, tip_id, datetime.now(UTC))
    store.close()
    bot = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    [tip] = await telegram.wait_for_messages(CHAT, timeout=20)
    assert library.tips[0].title in tip.text
    await bot.wait_for_log("Sweep finished", timeout=20)
    assert len(telegram.messages_to(CHAT)) == 1
    assert await bot.stop(signal.SIGTERM) == 0
    store = Store.open(db_path)
    assert store.pending_deliveries() == []  # closed, and the day counts as delivered:
    assert store.subscriber(CHAT).last_delivery == today
    assert store.subscriber(CHAT).last_delivery == today
    store.close()


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN is not set"),
        ({"TELEGRAM_BOT_TOKEN": "12345"}, "TELEGRAM_BOT_TOKEN is malformed"),
        ({"DEFAULT_TIMEZONE": "Moon/Base"}, "DEFAULT_TIMEZONE 'Moon/Base' is not an IANA"),
        ({"DATABASE_PATH": "/proc/gutbone/bot.db"}, "cannot open the database at /proc/gutbone"),
        ({"TELEGRAM_API_BASE_URL": "https://api.telegram.org"}, "a path ending in /bot"),
    ],
)
def test_configuration_errors_are_one_line_and_exit_2(tmp_path, env, message):
    base = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "x.db"), **env}
    base.setdefault("TIPS_LIBRARY", str(TEST_LIBRARY))
    full = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")} | base
    done = subprocess.run(
        [sys.executable, "-m", "bot"],
        env=full,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert SECRET not in done.stderr


def test_wrong_token_is_reported_without_a_traceback(tmp_path):
    async def serve_and_run() -> subprocess.CompletedProcess:
        async with BotAPIEmulator(token="999:the-real-one-is-different-xyz") as telegram:
            env = bot_env(telegram, tmp_path / "x.db")
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                env=env,
                cwd=tmp_path,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await asyncio.wait_for(process.communicate(), 30)
            return subprocess.CompletedProcess([], process.returncode, "", err.decode())

    done = asyncio.run(serve_and_run())
    assert done.returncode == 2
    assert "Telegram rejected TELEGRAM_BOT_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr
    assert TOKEN not in done.stderr


def test_the_bot_cli_reaches_the_curator_tools(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "tips", "check", "--library", str(TEST_LIBRARY)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("0 problems")


def test_the_bot_cli_refuses_unknown_commands(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "bot", "frobnicate"], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "invalid choice: 'frobnicate'" in done.stderr


# An unexpected failure, planted in the child process without touching the product: Python
# imports `sitecustomize` at start-up, and this one replaces `CRASH_AT` (module:attribute) with
# a function that raises an error quoting the token three ways, as an httpx error might.
SITECUSTOMIZE = """
import importlib, inspect, os
from urllib.parse import quote

module_name, _, path = os.environ["CRASH_AT"].partition(":")
owner_path, _, name = path.rpartition(".")
owner = importlib.import_module(module_name)
for part in filter(None, owner_path.split(".")):
    owner = getattr(owner, part)
token = os.environ["TELEGRAM_BOT_TOKEN"]
message = f"GET http://x/bot{token}/getMe: {quote(token)} port {token.split(':')[1]!r}"

def crash(*args, **kwargs):
    raise RuntimeError(message)

async def crash_async(*args, **kwargs):
    raise RuntimeError(message)

original = getattr(owner, name)
setattr(owner, name, crash_async if inspect.iscoroutinefunction(original) else crash)
"""


@pytest.mark.parametrize(
    "crash_at", ["storage:Store.open", "bot.service.runner:_register_commands"]
)
@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
async def test_an_unexpected_crash_is_one_line_without_the_token(
    telegram, tmp_path, crash_at, level
):
    planted = tmp_path / "planted"
    planted.mkdir()
    (planted / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = bot_env(telegram, tmp_path / "bot.db", CRASH_AT=crash_at, LOG_LEVEL=level)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(planted), env.get("PYTHONPATH")]))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = (part.decode() for part in await asyncio.wait_for(process.communicate(), 20))
    assert process.returncode == 1
    for leak in (TOKEN, SECRET, TOKEN.replace(":", "%3A")):
        assert leak not in out + err
    last = err.strip().splitlines()[-1]
    assert last == (
        "gutbone-bot: unexpected error, stopping: RuntimeError: "
        "GET http://x/bot[redacted]/getMe: [redacted] port '[redacted]'"
    )
    if level == "INFO":
        assert "Traceback" not in err


def free_port() -> int:
    """A loopback port nothing listens on (until a test starts the emulator there)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_quiet(log: str) -> None:
    """No traceback and no token: what every fault below must leave in the log."""
    assert "Traceback" not in log and "CancelledError" not in log
    assert TOKEN not in log and SECRET not in log


async def test_network_down_at_start_then_up_the_bot_comes_up(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/bot"
    bot = await BotProcess.start(bot_env(url, tmp_path / "bot.db"), tmp_path)
    await bot.wait_for_log("Telegram is not reachable (attempt 1: ")
    async with BotAPIEmulator(port=port) as telegram:  # the network is back
        telegram.user_sends(CHAT, "/start")
        [welcome] = await telegram.wait_for_messages(CHAT, timeout=8)
        assert "Welcome" in welcome.text
        assert await bot.stop(signal.SIGTERM) == 0
    assert 1 <= bot.count("Telegram is not reachable") <= 2  # 1 s, then 2 s: up by then
    assert "retrying in 1 s" in bot.log
    assert_quiet(bot.log)


async def test_sigterm_during_start_up_retries_exits_cleanly(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/bot"
    bot = await BotProcess.start(bot_env(url, tmp_path / "bot.db"), tmp_path)
    await bot.wait_for_log("Telegram is not reachable (attempt 1: ")
    started = wallclock.monotonic()
    assert await bot.stop(signal.SIGTERM) == 0
    assert wallclock.monotonic() - started < 2
    assert "Stopped before Telegram answered" in bot.log
    assert_quiet(bot.log)


async def test_a_token_revoked_while_running_exits_3_with_one_line(telegram, tmp_path):
    bot = await BotProcess.start(bot_env(telegram, tmp_path / "bot.db"), tmp_path)
    await bot.wait_for_log("is running as")
    await telegram.wait_for_calls("getUpdates")
    telegram.revoke_token()
    assert await bot.exited(timeout=8) == 3
    assert bot.count("no longer accepts TELEGRAM_BOT_TOKEN") == 1
    assert "Stopped" in bot.lines[-1]
    assert_quiet(bot.log)


async def test_another_instance_polling_is_one_line_a_minute(telegram, tmp_path):
    bot = await BotProcess.start(bot_env(telegram, tmp_path / "bot.db"), tmp_path)
    await bot.wait_for_log("is running as")
    rival_conflicts = 0
    async with Bot(TOKEN, base_url=telegram.base_url) as rival:
        deadline = wallclock.monotonic() + 2.5  # the bot retries after 1 s, then 1.5 s
        while wallclock.monotonic() < deadline:
            try:
                await rival.get_updates(timeout=1)
            except Conflict:
                rival_conflicts += 1
    conflicts = [body for _, _, body in telegram.errors if body["error_code"] == 409]
    assert len(conflicts) - rival_conflicts >= 2  # the bot met several conflicts...
    assert bot.count("Another instance is polling with this token") == 1  # ...said once
    assert await bot.stop(signal.SIGTERM) == 0
    assert_quiet(bot.log)


async def test_a_database_deleted_while_running_stops_deliveries(telegram, tmp_path):
    db_path = tmp_path / "bot.db"
    due_now_subscriber(db_path)
    store = Store.open(db_path)  # due in a few seconds: the wake-up after the first sweep
    # (10 s: a start on a loaded machine takes several; the first sweep must come before)
    store.db.execute("UPDATE subscribers SET next_due_at = ?", [int(wallclock.time()) + 10])
    store.close()
    bot = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    try:
        await bot.wait_for_log("Sweep finished", timeout=20)  # the first sweep, on the real file
        db_path.unlink()  # a cleanup script, or an operator's slip
        await bot.wait_for_log("daily tips stop until the bot is restarted", timeout=30)
    finally:  # stopped even when a wait times out: no bot left running after the test
        code = await bot.stop(signal.SIGTERM)
    assert code == 0
    assert telegram.messages_to(CHAT) == []
    assert bot.count("daily tips stop until the bot is restarted") == 1


def due_now_chats(db_path: Path, chats: range) -> None:
    """Chats subscribed yesterday whose time came a minute ago (see `due_now_subscriber`)."""
    now = datetime.now(UTC)
    at = max((now - timedelta(minutes=1)).time().replace(second=0, microsecond=0), time(0))
    if at > now.time():
        at = time(0)
    store = Store.open(db_path)
    for chat_id in chats:
        store.subscribe(chat_id, "private", Schedule(at, ZoneInfo("UTC")), now - timedelta(days=1))
    store.close()


async def test_kill_9_and_an_immediate_restart_delivers_the_rest_within_30_s(telegram, tmp_path):
    db_path, chats = tmp_path / "bot.db", range(2000, 2040)
    due_now_chats(db_path, chats)
    slow = bot_env(telegram, db_path, BROADCAST_RATE="4")  # mid-broadcast for ten seconds
    first = await BotProcess.start(slow, tmp_path)
    assert await telegram.wait_until(lambda: len(telegram.sent) >= 8, timeout=20)
    await first.stop(signal.SIGKILL)  # its lease has a minute to run: no lapse_the_lease here
    restarted = wallclock.monotonic()
    second = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    everyone = lambda: {m.chat_id for m in telegram.sent} >= set(chats)  # noqa: E731
    assert await telegram.wait_until(everyone, timeout=30)
    assert wallclock.monotonic() - restarted < 30
    await second.wait_for_log("has died: taking over now")
    doubled = sum(n - 1 for n in Counter(m.chat_id for m in telegram.sent).values())
    assert doubled <= 16  # at most the requests on the wire at the kill (the stated bound)
    assert await second.stop(signal.SIGTERM) == 0


async def test_sigterm_with_sends_stuck_or_waiting_to_retry_exits_within_5_s(telegram, tmp_path):
    db_path, chats = tmp_path / "bot.db", range(3000, 3010)
    due_now_chats(db_path, chats)
    # Half the answers take a minute; the other half are lost after Telegram took the message,
    # so those sends wait to retry.
    telegram.inject_random_faults(
        RandomFaults({"slow": 0.5, "drop_after": 0.5}, seed=3, slow_seconds=60)
    )
    bot = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    await bot.wait_for_log("it may have arrived", timeout=20)
    started = wallclock.monotonic()
    assert await bot.stop(signal.SIGTERM) == 0
    assert wallclock.monotonic() - started < 5
    telegram.inject_random_faults(None)
    store = Store.open(db_path)
    try:
        assert store.pending_deliveries() == []  # handed back, for the next process
        statuses = Counter(store.delivery_status(chat, datetime.now(UTC).date()) for chat in chats)
        assert set(statuses) <= {"released", "maybe_sent"}  # maybe sent: two answers lost
        assert statuses["released"] >= 1
    finally:
        store.close()
    again = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    everyone = lambda: {m.chat_id for m in telegram.sent} >= set(chats)  # noqa: E731
    assert await telegram.wait_until(everyone, timeout=20)
    assert await again.stop(signal.SIGTERM) == 0
