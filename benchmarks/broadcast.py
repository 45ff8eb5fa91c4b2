"""Daily tips to N subscribers due in the same minute, through the real bot and gateway, against
an emulator in its own process: with Telegram's flood limits (benchmarks 1 and 2, the latter
with people asking for /tip meanwhile), or without them at a paid rate (5, the engine ceiling).
"""

from __future__ import annotations

import asyncio
import math
import resource
import tempfile
import time as timer
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from telegram.request import BaseRequest

from benchmarks import store_scale
from benchmarks.emulated import EmulatorProcess
from benchmarks.figures import Figure, at_least, at_most, exactly, info, percentile
from benchmarks.harness import count_logs, reply_latencies, running_bot
from bot.service.context import services_of
from scheduler.pacing import Limits
from storage import Store

EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
FIRST_ASKER = 9_000_001
# Chats asking /tip in turn: four, so each asks every 2 s, within Telegram's 1/s per chat
# (one chat asking every 0.5 s is over that limit: the gateway queues and then refuses).
ASKERS = 4
ASK_EVERY = 0.5


@dataclass
class Run:
    """What one broadcast left behind, for the figures."""

    subscribers: int
    started: float  # monotonic, when the sweep began
    finished: float
    cpu: float  # CPU seconds of this (the bot's) process during the sweep
    emulator_cpu: float
    report: dict[str, int]
    tips: list[dict]  # messages to subscribers, as the emulator recorded them
    replies: list[dict]  # messages to the askers
    askers: tuple[int, ...]  # the chats asking /tip
    asks: list[tuple[int, float]]  # (chat, when the emulator queued the /tip)
    too_many: int  # answers 429
    tracebacks: int
    errors: int


async def broadcast(
    subscribers: int,
    *,
    flood: bool,
    ask: bool = False,
    askers: int = ASKERS,
    request: BaseRequest | None = None,
    limits: Limits | None = None,
    **settings: str,
) -> Run:
    logs = count_logs()
    async with EmulatorProcess(flood_control=flood) as telegram:
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "bench.db")
            store_scale.add_due(store, range(1, subscribers + 1), EIGHT)
            async with running_bot(
                telegram, store, clock=lambda: EIGHT, request=request, limits=limits, **settings
            ) as app:
                delivery = services_of(app).delivery
                asks: list[tuple[int, float]] = []
                emulator_cpu = telegram.cpu_seconds()
                cpu, started = timer.process_time(), timer.monotonic()
                sweep = asyncio.create_task(delivery.sweep())
                chats = tuple(range(FIRST_ASKER, FIRST_ASKER + (askers if ask else 0)))
                if ask:
                    await _ask_until(telegram, sweep, asks, chats)
                report = await sweep
                finished = timer.monotonic()
                cpu = timer.process_time() - cpu
                emulator_cpu = telegram.cpu_seconds() - emulator_cpu
                await _wait_for_replies(telegram, len(asks), chats)
            store.close()
        sent = await telegram.sent()
        stats = await telegram.stats()
    return Run(
        subscribers,
        started,
        finished,
        cpu,
        emulator_cpu,
        {str(status): count for status, count in report.items()},
        [m for m in sent if 1 <= m["chat_id"] <= subscribers],
        [m for m in sent if m["chat_id"] in chats],
        chats,
        asks,
        stats["errors"].get("429", 0),
        logs.tracebacks,
        logs.errors,
    )


async def _ask_until(
    telegram: EmulatorProcess, sweep: asyncio.Task, asks: list, chats: tuple[int, ...]
) -> None:
    """One /tip every 0.5 s, from the askers in turn, until the sweep is done."""
    turn = 0
    while not sweep.done():
        chat = chats[turn % len(chats)]
        asks.append((chat, await telegram.users_send([(chat, "/tip")])))
        turn += 1
        await asyncio.wait([sweep], timeout=ASK_EVERY)


async def _wait_for_replies(telegram: EmulatorProcess, asked: int, chats: tuple[int, ...]) -> None:
    if asked:
        deadline = timer.monotonic() + 10
        while timer.monotonic() < deadline:
            replies = [len(await telegram.sent(chat)) for chat in chats]
            if sum(replies) >= asked:
                return
            await asyncio.sleep(0.2)


def sustained(times: list[float]) -> float:
    """Messages a second from the first to the last."""
    times = sorted(times)
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


def exactly_one_each(run: Run) -> bool:
    per_chat = Counter(m["chat_id"] for m in run.tips)
    return len(per_chat) == run.subscribers and set(per_chat.values()) == {1}


def flood_figures(run: Run, label: str) -> list[Figure]:
    """Benchmark 1: N due at once within Telegram's limits."""
    arrivals = [m["at"] for m in run.tips]
    wall = run.finished - run.started
    return [
        info(f"{label}: sweep outcome", f"{run.report} in {wall:.1f} s"),
        at_least(f"{label}: deliveries/s sustained", sustained(arrivals), 29, "/s"),
        # the whole process's CPU over the sweep, per tip: at the free rate, not the ceiling's
        at_most(f"{label}: bot CPU per tip at 30/s", run.cpu / len(run.tips) * 1000, 1, " ms"),
        info(f"{label}: bot busy", f"{run.cpu / wall:.1%} of one core"),
        exactly(f"{label}: answers 429", run.too_many, 0),
        exactly(f"{label}: each exactly one tip", exactly_one_each(run), True),
    ]


def asking_figures(run: Run, label: str) -> list[Figure]:
    """Benchmark 2: the same while /tip is asked every 0.5 s."""
    waits = reply_latencies(run.asks, run.replies, run.askers)
    arrivals = [m["at"] for m in run.tips]
    first, last = min(arrivals), max(arrivals)
    together = arrivals + [m["at"] for m in run.replies if first <= m["at"] <= last]
    done = [w for w in waits if w != math.inf]
    answered = len(done)
    return [
        info(
            f"{label}: /tip asked",
            f"{len(waits)} times, every {ASK_EVERY:g} s by {len(run.askers)} user(s) in turn;"
            f" {answered} answered",
        ),
        at_most(f"{label}: reply p95", percentile(waits, 0.95), 1, " s"),
        info(
            f"{label}: answered replies p50 / p95 / max",
            " / ".join(f"{percentile(done, q):.2f}" for q in (0.5, 0.95, 1.0)) + " s",
        ),
        at_most(f"{label}: reply max", max(waits, default=float("nan")), 2, " s"),
        at_least(f"{label}: deliveries + replies/s together", sustained(together), 29, "/s"),
        info(f"{label}: deliveries/s sustained", f"{sustained(arrivals):.1f}/s"),
        exactly(f"{label}: answers 429", run.too_many, 0),
        exactly(f"{label}: each exactly one tip", exactly_one_each(run), True),
        exactly(f"{label}: tracebacks", run.tracebacks, 0),
    ]


def ceiling_figures(run: Run, label: str) -> list[Figure]:
    """Benchmark 5: no flood limits, a paid rate of 1000/s."""
    sent = len(run.tips)
    wall = run.finished - run.started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        info(f"{label}: sweep outcome", f"{run.report} in {wall:.1f} s"),
        # 99 % of Telegram's 1,000/s: the gateway paces paid broadcasts 1 % under it (993/s)
        at_least(f"{label}: deliveries/s (sweep start to end)", sent / wall, 990, "/s", 0),
        info(
            f"{label}: deliveries/s sustained", f"{sustained([m['at'] for m in run.tips]):,.0f}/s"
        ),
        info(
            f"{label}: bot CPU per 1,000 deliveries",
            f"{run.cpu / sent * 1000:.2f} s (bot busy {run.cpu / wall:.0%} of the time)",
        ),
        info(
            f"{label}: emulator CPU per 1,000 deliveries",
            f"{run.emulator_cpu / sent * 1000:.2f} s (busy {run.emulator_cpu / wall:.0%})",
        ),
        info(f"{label}: bot peak RSS", f"{rss:.0f} MB"),
        exactly(f"{label}: each exactly one tip", exactly_one_each(run), True),
    ]
