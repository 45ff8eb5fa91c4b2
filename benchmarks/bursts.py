"""Bursts within Telegram's flood limits (emulator in its own process, real clock):
many new users at once (benchmark 3), and one user flooding /tip while others ask (4)."""

from __future__ import annotations

import asyncio
import tempfile
import time as timer
from pathlib import Path
from typing import Any

from benchmarks.emulated import EmulatorProcess
from benchmarks.figures import Figure, at_most, exactly, info, percentile
from benchmarks.harness import count_logs, reply_latencies, running_bot
from bot.commands.buttons.keyboards import parse_press
from bot.transport.gateway import Gateway
from storage import Store

NEWCOMERS = 100_001
FLOODER = 200_000
BYSTANDERS = tuple(range(200_001, 200_005))  # ask in turn, each within 1/s
ASK_EVERY = 0.5


async def _spread(telegram: EmulatorProcess, messages: list[tuple[int, str]], seconds: float):
    """Send `messages` in ten even batches over `seconds`; returns when the first was queued."""
    size = -(-len(messages) // 10)
    first = None
    for index in range(0, len(messages), size):
        at = await telegram.users_send(messages[index : index + size])
        first = first if first is not None else at
        await asyncio.sleep(seconds / 10)
    assert first is not None
    return first


async def viral(newcomers: int) -> list[Figure]:
    """Benchmark 3: `newcomers` new users send /start within a second."""
    logs = count_logs()
    chats = range(NEWCOMERS, NEWCOMERS + newcomers)
    async with EmulatorProcess(flood_control=True) as telegram:
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "bench.db")
            async with running_bot(telegram, store):
                began = await _spread(telegram, [(chat, "/start") for chat in chats], 1.0)
                await telegram.wait_until_sent(newcomers, timeout=60)
                subscribed = sum(bool((s := store.subscriber(c)) and s.active) for c in chats)
            store.close()
        sent = [m for m in await telegram.sent() if m["chat_id"] in chats]
        too_many = (await telegram.stats())["errors"].get("429", 0)
    answered = {m["chat_id"] for m in sent}
    last = max((m["at"] for m in sent), default=float("nan")) - began
    label = f"{newcomers} new users /start within 1 s"
    return [
        exactly(f"{label}: answered", len(answered), newcomers),
        at_most(f"{label}: last answer after", last, 20, " s", 1),
        exactly(f"{label}: tracebacks / ERROR records", (logs.tracebacks, logs.errors), (0, 0)),
        exactly(f"{label}: answers 429", too_many, 0),
        info(f"{label}: subscribed", f"{subscribed} of {newcomers}"),
    ]


async def tip_flood(tips: int, seconds: float) -> list[Figure]:
    """Benchmark 4: one user sends `tips` /tip in `seconds`; others keep asking meanwhile."""
    logs = count_logs()
    asks: list[tuple[int, float]] = []
    async with EmulatorProcess(flood_control=True) as telegram:
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "bench.db")
            async with running_bot(telegram, store) as app:
                asking = asyncio.create_task(_bystanders(telegram, asks, seconds + 8))
                await _spread(telegram, [(FLOODER, "/tip")] * tips, seconds)
                await asking
                gateway = app.bot.rate_limiter
                assert isinstance(gateway, Gateway)
                await _settle(telegram, gateway, tips + len(asks))
                dropped = gateway.dropped
                seen = store.seen_tips(FLOODER)
            store.close()
        sent = await telegram.sent()
        too_many = (await telegram.stats())["errors"].get("429", 0)
    to_flooder = [m for m in sent if m["chat_id"] == FLOODER]
    delivered = [_tip_of(message) for message in to_flooder]  # one tip per message
    waits = reply_latencies(asks, sent, BYSTANDERS)
    label = f"one user sends {tips} /tip in {seconds:g} s"
    return [
        info(f"{label}: flooder answered / refused", f"{len(to_flooder)} / {dropped}"),
        exactly(f"{label}: tracebacks / ERROR records", (logs.tracebacks, logs.errors), (0, 0)),
        at_most(f"{label}: bystanders' reply p95", percentile(waits, 0.95), 1, " s"),
        info(
            f"{label}: bystanders' replies",
            f"{sum(w != float('inf') for w in waits)} of {len(waits)}, max {max(waits):.2f} s",
        ),
        exactly(f"{label}: seen tips = delivered tips", sorted(seen) == sorted(delivered), True),
        info(f"{label}: seen / delivered", f"{len(seen)} / {len(delivered)}"),
        exactly(f"{label}: answers 429", too_many, 0),
    ]


async def _bystanders(telegram: EmulatorProcess, asks: list, seconds: float) -> None:
    until = timer.monotonic() + seconds
    turn = 0
    while timer.monotonic() < until:
        chat = BYSTANDERS[turn % len(BYSTANDERS)]
        asks.append((chat, await telegram.users_send([(chat, "/tip")])))
        turn += 1
        await asyncio.sleep(ASK_EVERY)


async def _settle(telegram: EmulatorProcess, gateway: Gateway, asked: int) -> None:
    """Wait until every /tip was answered or refused (at most a minute)."""
    deadline = timer.monotonic() + 60
    while timer.monotonic() < deadline:
        if (await telegram.stats())["sent"] + gateway.dropped >= asked:
            return
        await asyncio.sleep(0.2)


def _tip_of(message: dict[str, Any]) -> str | None:
    """The tip a message's buttons are about (every button under a tip names it)."""
    presses = (parse_press(data) for data in message["callback_data"])
    return next((press.tip_id for press in presses if press is not None), None)
