"""Two `gutbone-bot` processes on one database, as an operator runs a primary and a standby,
killed, restarted and paused from outside; each incarnation's log kept in a file.

Only external behaviour is used: the environment variables the README documents, signals, and
the lease's log lines the README quotes ("Delivering: …", "Standby: another process is
delivering") to tell which process holds the delivery lease.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.chaos_children import spawn
from benchmarks.emulated import TOKEN

RUNNING = "GutBone Daily is running"
DELIVERING = "Delivering:"
NOT_DELIVERING = ("Standby:", "Lost the delivery lease")


@dataclass
class BotProcess:
    """One incarnation of a bot process: `python -m bot` (what `gutbone-bot` runs)."""

    name: str  # "a-1": slot a, first incarnation
    process: asyncio.subprocess.Process
    log: Path
    started: float = field(default_factory=time.monotonic)
    killed: bool = False  # by the benchmark: not an exit of its own

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    def lines(self) -> list[str]:
        try:
            return self.log.read_text(errors="replace").splitlines()
        except OSError:
            return []

    def delivering(self) -> bool | None:
        """Whether its latest lease line says it delivers (None: it said nothing yet)."""
        for line in reversed(self.lines()):
            if DELIVERING in line:
                return True
            if any(text in line for text in NOT_DELIVERING):
                return False
        return None

    async def wait_running(self, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive:
            if any(RUNNING in line for line in self.lines()):
                return True
            await asyncio.sleep(0.1)
        return False


@dataclass(frozen=True)
class BotSettings:
    """The environment both processes get (README, Configuration)."""

    base_url: str
    database: Path
    folder: Path  # logs go here; also the working directory (no .env there)
    default_time: str  # DEFAULT_DELIVERY_TIME: a minute already past, so /start owes nothing
    rate: int = 30  # BROADCAST_RATE

    def environment(self) -> dict[str, str]:
        kept = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
        return kept | {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": self.base_url,
            "DATABASE_PATH": str(self.database),
            "BROADCAST_RATE": str(self.rate),
            "DEFAULT_TIMEZONE": "UTC",
            "DEFAULT_DELIVERY_TIME": self.default_time,
            "LOG_LEVEL": "INFO",
        }


class BotPair:
    """Slots "a" (the primary) and "b" (the standby); a killed process is started again at once
    in its slot, as systemd's `Restart=` would. Every incarnation is kept for its log."""

    def __init__(self, settings: BotSettings) -> None:
        self.settings = settings
        self.slots: dict[str, BotProcess] = {}
        self.history: list[BotProcess] = []

    async def start(self, slot: str) -> BotProcess:
        count = sum(p.name.startswith(f"{slot}-") for p in self.history) + 1
        name = f"{slot}-{count}"
        log = self.settings.folder / f"bot-{name}.log"
        with log.open("wb") as sink:
            process = await spawn(
                sys.executable,
                "-m",
                "bot",
                env=self.settings.environment(),
                cwd=self.settings.folder,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=sink,
                stderr=sink,
            )
        bot = BotProcess(name, process, log)
        self.slots[slot] = bot
        self.history.append(bot)
        return bot

    def holder(self, rng: random.Random) -> tuple[str, str]:
        """(slot, how it was found) of the process delivering now, by its latest lease line;
        if none says so, a live one at random (and the note says it)."""
        live = [slot for slot, bot in self.slots.items() if bot.alive]
        if not live:
            raise RuntimeError("no bot process is running")
        saying = [slot for slot in live if self.slots[slot].delivering()]
        if len(saying) == 1:
            return saying[0], "the holder"
        pick = rng.choice(saying or live)
        return pick, f"{len(saying)} processes said they deliver: picked one at random"

    async def wait_for_holder(self, rng: random.Random, timeout: float) -> tuple[str, str]:
        """The holder, waiting up to `timeout` s for one to say so (after a takeover)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            slot, how = self.holder(rng)
            if how == "the holder":
                return slot, how
            await asyncio.sleep(0.2)
        return self.holder(rng)

    async def kill_and_restart(self, slot: str) -> BotProcess:
        """kill -9, then at once a new process in the same slot."""
        bot = self.slots[slot]
        bot.killed = True
        bot.process.kill()
        await bot.process.wait()
        return await self.start(slot)

    def exited(self) -> list[tuple[str, BotProcess]]:
        """(slot, process) of each process in a slot that ended by itself."""
        return [(s, bot) for s, bot in self.slots.items() if not bot.alive and not bot.killed]

    def pause(self, slot: str) -> BotProcess:
        bot = self.slots[slot]
        os.kill(bot.pid, signal.SIGSTOP)
        return bot

    @staticmethod
    def resume(bot: BotProcess) -> None:
        if bot.alive:
            os.kill(bot.pid, signal.SIGCONT)

    async def stop_all(self, timeout: float = 20) -> dict[str, tuple[float, int | None]]:
        """SIGTERM to every live process at once: (seconds to exit, exit code) of each."""
        live = [bot for bot in self.slots.values() if bot.alive]
        started = time.monotonic()
        for bot in live:
            bot.killed = True  # its end is ours
            bot.process.send_signal(signal.SIGCONT)
            bot.process.terminate()

        async def exit_of(bot: BotProcess) -> tuple[float, int | None]:
            try:
                code = await asyncio.wait_for(bot.process.wait(), timeout)
            except TimeoutError:
                return float("inf"), None
            return time.monotonic() - started, code

        found = await asyncio.gather(*(exit_of(bot) for bot in live))
        return {bot.name: result for bot, result in zip(live, found, strict=True)}

    async def kill_all(self) -> None:
        """SIGKILL whatever still runs (a stopped process dies too)."""
        for bot in self.history:
            if bot.alive:
                bot.killed = True
                bot.process.kill()
                await bot.process.wait()

    def tracebacks(self) -> int:
        return sum("Traceback" in line for bot in self.history for line in bot.lines())

    def error_lines(self) -> list[str]:
        return [
            f"{bot.name}: {line}"
            for bot in self.history
            for line in bot.lines()
            if " ERROR " in line or " CRITICAL " in line
        ]
