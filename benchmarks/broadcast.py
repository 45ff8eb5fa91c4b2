"""A broadcast through the real bot against the emulator with Telegram's flood limits on.

N subscribers are due at once. The figures: how fast daily tips go out, how many 429s
Telegram (the emulator) answered, whether everyone got exactly one, and how long command
replies take while the broadcast runs.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time as timer
from collections import Counter
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.config import parse_settings
from bot.context import services_of
from bot.runner import serve
from emulator import TEST_TOKEN as TOKEN
from emulator import BotAPIEmulator
from scheduler.due import Schedule
from storage import Store
from tips import load_library

EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def broadcast(subscribers: int, rate: float) -> dict[str, str]:
    async with BotAPIEmulator() as telegram:
        telegram.flood_control = True
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "bench.db")
            schedule = Schedule(time(8, 0), ZoneInfo("UTC"))
            for chat_id in range(1, subscribers + 1):
                store.subscribe(chat_id, "private", schedule, EIGHT.replace(hour=6))
            settings = parse_settings(
                {
                    "TELEGRAM_BOT_TOKEN": TOKEN,
                    "TELEGRAM_API_BASE_URL": telegram.base_url,
                    "BROADCAST_RATE": str(rate),
                }
            )
            app = build_application(
                settings, store, load_library(), clock=lambda: EIGHT, rng=random.Random(3)
            )
            stop = asyncio.Event()
            server = asyncio.create_task(serve(app, stop, sweep=False))
            await telegram.wait_for_calls("getUpdates")
            figures = await _measure(telegram, services_of(app).delivery, subscribers)
            stop.set()
            await server
            store.close()
    return {"broadcast rate setting": f"{rate:g}/s", **figures}


async def _measure(telegram: BotAPIEmulator, delivery, subscribers: int) -> dict[str, str]:
    started = timer.perf_counter()
    sweep = asyncio.create_task(delivery.sweep())
    latencies = []
    probe_chat = 10_000_000
    while not sweep.done():
        probe_chat += 1
        asked = timer.perf_counter()
        telegram.user_sends(probe_chat, "/help")
        await telegram.wait_for_messages(probe_chat, timeout=30)
        latencies.append(timer.perf_counter() - asked)
        await asyncio.sleep(0.25)
    report = await sweep
    seconds = timer.perf_counter() - started
    per_chat = Counter(m.chat_id for m in telegram.sent if m.chat_id <= subscribers)
    too_many = sum(1 for _, _, body in telegram.errors if body.get("error_code") == 429)
    return {
        "subscribers due at once": f"{subscribers:,}",
        "outcome": str(dict(report)),
        "duration": f"{seconds:.1f} s",
        "daily tips per second": f"{report['sent'] / seconds:.1f}",
        "429 answers": str(too_many),
        "exactly one tip each": str(set(per_chat.values()) == {1} and len(per_chat) == subscribers),
        "reply latency during broadcast (p50 / max)": (
            f"{statistics.median(latencies) * 1000:.0f} / {max(latencies) * 1000:.0f} ms"
            f" over {len(latencies)} replies"
        ),
    }


def run(subscribers: int = 600, rate: float = 25) -> dict[str, str]:
    return asyncio.run(broadcast(subscribers, rate))
