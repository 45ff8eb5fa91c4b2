"""Benchmark 8, chaos: a process's life as an operator's server lives it, in about 10 minutes.

Two `gutbone-bot` processes (a primary and a standby) on one database, against the emulator in
a process of its own, over loopback. Several hundred subscribers in several timezones are due
over consecutive minutes; meanwhile the lease holder is killed (kill -9, restarted at once as
systemd's `Restart=` would) and paused (SIGSTOP, then SIGCONT), the database's disk fills up,
Telegram answers 5xx and 429, answers slowly and drops connections before and after carrying a
call out, a few users block the bot, groups become supergroups, and users ask /tip, /stop,
/pause and move their /time. Then it checks, from what the emulator received alone, that each
chat got one tip on time (`benchmarks.chaos_check`). The plan comes from a seed
(`benchmarks.chaos_plan`); the bots only from their environment, signals and logs.
"""

from __future__ import annotations

import asyncio
import json
import random
import signal
import sys
import tempfile
import time
from collections.abc import Awaitable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.chaos_bots import BotPair, BotSettings
from benchmarks.chaos_check import Happened, check
from benchmarks.chaos_disk import SmallDisk
from benchmarks.chaos_plan import (
    ADMIN,
    FULL,
    QUICK,
    Command,
    Event,
    Plan,
    Scale,
    first_minute,
    make_plan,
    utc_now,
)
from benchmarks.chaos_telegram import ChaosTelegram, UserMessage
from benchmarks.figures import Figure

SEED = 14
DATABASE = "bot.db"
RATE = 30  # BROADCAST_RATE: the free rate, as most operators run it
# Telegram misbehaving on 8 % of sendMessage calls (replies and daily tips alike).
FAULTS: dict[str, Any] = {
    "rates": {
        "server_error": 0.02,
        "rate_limit": 0.01,
        "slow": 0.02,
        "drop_before": 0.015,
        "drop_after": 0.015,
    },
    "methods": ["sendMessage"],
    "retry_after": 2,
    "slow_seconds": 1.0,
}


@dataclass
class Run:
    """What happened, recorded as it happens (wall-clock seconds)."""

    first: datetime
    commands: list[tuple[Command, float]] = field(default_factory=list)
    kills: list[float] = field(default_factory=list)
    pauses: list[tuple[float, float]] = field(default_factory=list)
    disk_full: list[tuple[float, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    exited: list[str] = field(default_factory=list)  # processes that ended by themselves

    def say(self, text: str) -> None:
        """Progress on stderr (stdout carries the figures), timed from the first due minute."""
        seconds = time.time() - self.first.timestamp()
        sign = "-" if seconds < 0 else "+"
        minutes, rest = divmod(abs(seconds), 60)
        print(f"  [M0{sign}{int(minutes):02d}:{rest:04.1f}] {text}", file=sys.stderr, flush=True)


async def chaos(quick: bool, seed: int = SEED) -> list[Figure]:
    """Play the plan for `seed` at full scale (or `quick`); the figures beside their targets."""
    scale = QUICK if quick else FULL
    folder = Path(tempfile.mkdtemp(prefix="gutbone-chaos-"))
    now = utc_now()
    plan = make_plan(scale, seed, first_minute(now, _setup_seconds(scale), scale), now)
    run = Run(plan.minutes[0])
    run.say(f"{len(plan.subscribers)} subscribers, first due {run.first:%H:%M} UTC; see {folder}")
    default = f"{now - timedelta(minutes=2):%H:%M}"  # already past: /start owes nothing today
    _cancel_on_sigterm()  # so the `finally`s below kill every child and unmount the disk
    with SmallDisk(folder / "db") as disk:
        async with ChaosTelegram() as telegram:
            offset = time.time() - time.monotonic()  # the emulator's clock to the wall clock
            settings = BotSettings(telegram.base_url, disk.folder / DATABASE, folder, default, RATE)
            bots = BotPair(settings)
            try:
                await _set_up(telegram, bots, plan, run)
                await _play(telegram, bots, disk, plan, run)
                exits = await bots.stop_all()
            finally:
                await bots.kill_all()
                disk.keep_copy(DATABASE, folder)
            sent = await telegram.sent()
            injected = await telegram.injected_faults()
    happened = _happened(run, bots, exits)
    record = {"plan": asdict(plan), "happened": asdict(happened), "offset": offset}
    record |= {"sent": sent, "injected": injected}
    (folder / "record.json").write_text(json.dumps(record, default=_json))
    return check(plan, sent, injected, happened, offset)


def _json(value: object) -> object:
    return sorted(value) if isinstance(value, frozenset) else str(value)


def _happened(run: Run, bots: BotPair, exits: dict[str, tuple[float, int | None]]) -> Happened:
    """The run's record, with the bots' logs read; their ERROR lines shown on stderr."""
    errors = [line for line in bots.error_lines() if "409 Conflict" not in line]
    for line in errors[:10]:  # two pollers on one token get 409s: expected (README)
        print(f"  {line}", file=sys.stderr)
    return Happened(
        commands=run.commands,
        kills=run.kills,
        pauses=run.pauses,
        disk_full=run.disk_full,
        notes=run.notes,
        exited=run.exited,
        exits=exits,
        tracebacks=bots.tracebacks(),
        errors=len(errors),
        rate=RATE,
    )


def _cancel_on_sigterm() -> None:
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def _setup_seconds(scale: Scale) -> float:
    """Start-up, then three replies per subscriber at the free rate of about 30/s."""
    return 10 + 3 * (scale.private + scale.groups) / 28


async def _set_up(telegram: ChaosTelegram, bots: BotPair, plan: Plan, run: Run) -> None:
    """The primary subscribes everyone as users would; then the standby starts, and the world
    starts misbehaving: faults, blocks and migrations the bots find out about at send time."""
    primary = await bots.start("a")
    if not await primary.wait_running():
        raise RuntimeError(f"the primary did not start: see {primary.log}")
    for group in (s.chat_id for s in plan.subscribers if s.group):
        await telegram.make_admin(group, ADMIN)
    messages = [
        UserMessage(s.chat_id, text, ADMIN if s.group else None)
        for s in plan.subscribers
        for text in s.set_up()
    ]
    await telegram.write(messages)
    deadline = plan.minutes[0].timestamp() - 15 - time.time()
    if not await telegram.wait_until_sent(len(messages), timeout=max(1, deadline)):
        run.notes.append("set-up: not every subscriber was answered before the first due minute")
    run.say(f"{len(plan.subscribers)} subscribed through /start, /timezone, /time; standby starts")
    standby = await bots.start("b")
    await standby.wait_running(20)
    await telegram.inject_faults(FAULTS | {"seed": plan.seed})
    for chat_id in plan.blocked:
        await telegram.block(chat_id)
    for old, new in plan.migrations.items():
        await telegram.migrate(old, new)


async def _play(
    telegram: ChaosTelegram, bots: BotPair, disk: SmallDisk, plan: Plan, run: Run
) -> None:
    """Every command and event at its time, then wait for late tips until the plan's end."""
    rng = random.Random(plan.seed)
    supervisor = asyncio.create_task(_restart_exited(bots, run))
    try:
        async with asyncio.TaskGroup() as tasks:
            for command in plan.commands:
                tasks.create_task(_at(command.at, _command(telegram, command, run)))
            for event in plan.events:
                tasks.create_task(_at(event.at, _event(bots, disk, event, run, rng)))
        await _sleep_until(plan.end)
    finally:
        supervisor.cancel()


async def _restart_exited(bots: BotPair, run: Run) -> None:
    """As systemd's `Restart=` does: a process that ended by itself is started again."""
    while True:
        await asyncio.sleep(0.5)
        for slot, ended in bots.exited():
            new = await bots.start(slot)
            run.exited.append(f"{ended.name} (exit code {ended.process.returncode})")
            run.say(f"{ended.name} exited by itself, code {ended.process.returncode}: {new.name}")


async def _command(telegram: ChaosTelegram, command: Command, run: Run) -> None:
    queued = await telegram.write([UserMessage(command.chat_id, command.text)])
    run.commands.append((command, queued + time.time() - time.monotonic()))
    if command.name != "/tip":
        run.say(f"chat {command.chat_id}: {command.text}")


async def _event(
    bots: BotPair, disk: SmallDisk, event: Event, run: Run, rng: random.Random
) -> None:
    if event.kind == "kill":
        await _kill_holder(bots, run, rng)
    elif event.kind == "stop":
        await _pause_holder(bots, event.seconds, run, rng)
    elif event.kind == "disk":
        await _full_disk(disk, event, run)


async def _kill_holder(bots: BotPair, run: Run, rng: random.Random) -> None:
    slot, how = bots.holder(rng)
    old = bots.slots[slot]
    new = await bots.kill_and_restart(slot)
    run.kills.append(time.time())
    run.say(f"kill -9 {old.name} ({how}); restarted as {new.name}")
    _note_unless_holder(run, how, "kill -9")


async def _pause_holder(bots: BotPair, seconds: float, run: Run, rng: random.Random) -> None:
    """SIGSTOP, and SIGCONT `seconds` later: a host that stalls (waiting up to 20 s for a
    holder to say so, if a takeover is under way)."""
    slot, how = await bots.wait_for_holder(rng, timeout=20)
    paused, stopped = bots.pause(slot), time.time()
    run.say(f"SIGSTOP {paused.name} ({how}) for {seconds:.0f} s")
    _note_unless_holder(run, how, "SIGSTOP")
    await asyncio.sleep(seconds)
    bots.resume(paused)
    run.pauses.append((stopped, time.time()))
    run.say(f"SIGCONT {paused.name}")


async def _full_disk(disk: SmallDisk, event: Event, run: Run) -> None:
    if not disk.mounted:
        run.notes.append(f"full disk skipped: {disk.skipped}")
        run.say(f"full disk skipped: {disk.skipped}")
        return
    filled, started = disk.fill(), time.time()
    run.say(f"disk full ({filled / 1e6:.1f} MB written) for {event.seconds:.0f} s")
    await asyncio.sleep(event.seconds)
    disk.free()
    run.disk_full.append((started, time.time()))
    run.say("disk space back")


def _note_unless_holder(run: Run, how: str, what: str) -> None:
    if how != "the holder":
        run.notes.append(f"{what}: no single process logged that it delivers; {how}")


async def _at(moment: datetime, action: Awaitable[None]) -> None:
    await _sleep_until(moment)
    await action


async def _sleep_until(moment: datetime) -> None:
    await asyncio.sleep(max(0.0, moment.timestamp() - time.time()))
