"""The bot as an operator runs it: `python -m bot` in a process of its own, on the real clock,
against the emulator in another: the first tips of a minute (benchmark 6), and start-up and
idle memory with a million subscribers (7)."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import tempfile
import time as timer
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks import store_scale
from benchmarks.emulated import TOKEN, EmulatorProcess, rss_mb_of
from benchmarks.figures import Figure, at_most, exactly, info, percentile
from scheduler.due import Schedule
from storage import Store

RUNNING = "GutBone Daily is running"


class BotProcess:
    """`python -m bot`, its log lines collected with the (monotonic) time each arrived."""

    def __init__(self, process: asyncio.subprocess.Process, started: float) -> None:
        self.process = process
        self.started = started
        self.lines: list[tuple[float, str]] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, telegram: EmulatorProcess, database: Path) -> BotProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
        env |= {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": telegram.base_url,
            "DATABASE_PATH": str(database),
            "LOG_LEVEL": "INFO",
        }
        started = timer.monotonic()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            env=env,
            cwd=database.parent,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process, started)

    async def _read(self) -> None:
        assert self.process.stderr is not None
        async for raw in self.process.stderr:
            self.lines.append((timer.monotonic(), raw.decode(errors="replace")))

    async def wait_for_log(self, text: str, timeout: float = 30) -> float:
        """When (monotonic) the first line containing `text` arrived."""
        async with asyncio.timeout(timeout):
            while True:
                for at, line in self.lines:
                    if text in line:
                        return at
                await asyncio.sleep(0.005)

    async def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 20)
        await self._reader
        return code

    @property
    def tracebacks(self) -> int:
        return sum("Traceback" in line for _, line in self.lines)

    @property
    def errors(self) -> int:
        return sum(" ERROR " in line for _, line in self.lines)


def next_minute(now: datetime, lead: float) -> datetime:
    """The first minute boundary at least `lead` seconds away."""
    due = (now + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return due if (due - now).total_seconds() >= lead else due + timedelta(minutes=1)


async def first_tip(count: int, lead: float = 8.0, minutes: int = 3) -> list[Figure]:
    """Benchmark 6: `count` subscribers due over `minutes` consecutive minute boundaries, the
    first at least `lead` seconds away (the bot's time to start); how late does each tip
    arrive? Later minutes are what a long-running process lives on, not only its first."""
    async with EmulatorProcess(flood_control=True) as telegram:
        with tempfile.TemporaryDirectory() as folder:
            database = Path(folder) / "bot.db"
            now = datetime.now(UTC)
            first = next_minute(now, lead)
            due = {chat: first + timedelta(minutes=chat % minutes) for chat in range(1, count + 1)}
            store = Store.open(database)
            for chat_id, moment in due.items():  # subscribed now, so only `moment` is owed
                store.subscribe(chat_id, "private", Schedule(moment.time(), ZoneInfo("UTC")), now)
            store.close()
            bot = await BotProcess.start(telegram, database)
            await bot.wait_for_log(RUNNING)
            wait = (max(due.values()) - datetime.now(UTC)).total_seconds() + 15
            await telegram.wait_until_sent(count, timeout=wait)
            code = await bot.stop()
        sent = await telegram.sent()
    wall_minus_monotonic = timer.time() - timer.monotonic()
    late = [m["at"] + wall_minus_monotonic - due[m["chat_id"]].timestamp() for m in sent]
    label = f"6. {count} due over {minutes} minutes from {first:%H:%M} UTC, real process"
    return [
        exactly(f"{label}: tips arrived", len({m["chat_id"] for m in sent}), count),
        at_most(f"{label}: arrival - due minute, p95", percentile(late, 0.95), 2, " s"),
        info(
            f"{label}: arrival - due minute, min / max",
            f"{min(late, default=float('nan')):.2f} / {max(late, default=float('nan')):.2f} s",
        ),
        exactly(f"{label}: tracebacks in its log, exit code", (bot.tracebacks, code), (0, 0)),
    ]


async def start_up(count: int) -> list[Figure]:
    """Benchmark 7: a real process on a database of `count` subscribers, nobody due for an
    hour: time to "running", and its memory once idle."""
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bot.db"
        now = datetime.now(UTC)
        store = Store.open(database)
        built = store_scale.build(
            store, count, now, random.Random(7), since=now + timedelta(hours=1)
        )
        store.close()
        async with EmulatorProcess(flood_control=True) as telegram:
            bot = await BotProcess.start(telegram, database)
            running = await bot.wait_for_log(RUNNING) - bot.started
            rss = []
            for _ in range(10):  # idle: its first sweep (at start) found nobody due
                await asyncio.sleep(0.5)
                rss.append(rss_mb_of(bot.process.pid))
            code = await bot.stop()
    label = f"7. {count:,} subscribers, real process"
    return [
        info(f"{label}: database built in", f"{built:.1f} s"),
        at_most(f"{label}: start-up to running", running, 2, " s"),
        at_most(
            f"{label}: idle RSS (max over 5 s after start)", max(r for r, _ in rss), 100, " MB", 0
        ),
        info(f"{label}: peak RSS (VmHWM)", f"{max(peak for _, peak in rss):.0f} MB"),
        exactly(f"{label}: tracebacks in its log, exit code", (bot.tracebacks, code), (0, 0)),
    ]
