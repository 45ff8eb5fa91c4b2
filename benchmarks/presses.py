"""Button presses faster than edits may go (benchmark 9): each press from a chat of its own, a
👍 under yesterday's tip, at `rate` a second. Every press is answered (not rate limited by
Telegram) and edits its message's buttons (paced, ~30 a second overall), so at 100 presses a
second the edits fall behind by 70 a second: the answers must not wait for them.

Emulator in its own process, real clock, the real Application in this one (as benchmarks 3-4).
Times are the emulator's: when a press was queued, answered, and its message edited.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time as timer
from pathlib import Path
from typing import Any

from telegram import Bot

from benchmarks.emulated import TOKEN, EmulatorProcess
from benchmarks.figures import Figure, at_most, exactly, info, percentile
from benchmarks.harness import count_logs, running_bot
from bot.commands.buttons.keyboards import Action, press_data, tip_keyboard
from emulator.rules.flood import FloodControl
from storage import Store
from tips import load_library, render_tip

PRESSERS = 300_001  # the first chat; each press comes from a chat of its own
ANSWER_P95 = 0.1  # seconds: the target for a press's answer
TICK = 0.05  # seconds between batches of presses


async def presses(count: int, rate: float) -> list[Figure]:
    """`count` presses at `rate` a second, each from a chat of its own."""
    logs = count_logs()
    chats = range(PRESSERS, PRESSERS + count)
    async with EmulatorProcess() as telegram:  # edits are paced by the bot, checked below
        messages, data = await _tips_sent(telegram, chats)
        with tempfile.TemporaryDirectory() as folder:
            store = Store.open(Path(folder) / "bench.db")
            async with running_bot(telegram, store):
                began, cpu = timer.monotonic(), timer.process_time()
                pressed = await _press(telegram, messages, data, rate)
                busy = (timer.process_time() - cpu) / (timer.monotonic() - began)
                last_press = max(pressed.values())
                await _wait_for_edits(telegram, count, timeout=count / 30 + 60)
                answered = await _answers(telegram)
            store.close()
        edits = await _edits(telegram)
    waits = [answered.get(query, float("inf")) - at for query, at in pressed.items()]
    edited = {(edit["chat_id"], edit["message_id"]) for edit in edits}
    times = sorted(edit["at"] for edit in edits) or [float("nan")]
    label = f"{count} presses at {rate:g}/s"
    spread = last_press - min(pressed.values()) + TICK
    p95 = percentile(waits, 0.95) * 1000
    return [
        info(f"{label}: pressed at", f"{count / spread:.0f}/s"),
        at_most(f"{label}: answer p95", p95, ANSWER_P95 * 1000, " ms", 0),
        info(f"{label}: answer p50 / max", f"{_ms(percentile(waits, 0.5))} / {_ms(max(waits))}"),
        exactly(f"{label}: messages edited", len(edited & set(messages.items())), count),
        exactly(f"{label}: edits past Telegram's flood limits", _over_limits(edits), 0),
        info(f"{label}: edits in the busiest second", str(_busiest(times))),
        info(f"{label}: last edit after the last press", f"{times[-1] - last_press:.1f} s"),
        exactly(f"{label}: tracebacks / ERROR records", (logs.tracebacks, logs.errors), (0, 0)),
        info(
            f"{label}: bot's (and presser's) CPU while pressing; load average",
            f"{busy:.0%} of a core; {os.getloadavg()[0]:.1f}",
        ),
    ]


async def _tips_sent(telegram: EmulatorProcess, chats: range) -> tuple[dict[int, int], str]:
    """A tip with its buttons in each chat, sent straight to the emulator (yesterday's daily
    tips, not through the bot under test): chat -> message id, and the 👍 button's data."""
    library = load_library()
    tip = library.tips[0]
    markup, text = tip_keyboard(tip.id), render_tip(tip, library)
    async with Bot(TOKEN, base_url=telegram.base_url) as sender:

        async def send(chat: int) -> tuple[int, int]:
            sent = await sender.send_message(chat, text, reply_markup=markup, parse_mode="HTML")
            return chat, sent.message_id

        found: dict[int, int] = {}
        for start in range(0, len(chats), 100):
            found.update(await asyncio.gather(*map(send, chats[start : start + 100])))
    return found, press_data(Action.UP, tip.id)


async def _press(
    telegram: EmulatorProcess, messages: dict[int, int], data: str, rate: float
) -> dict[str, float]:
    """Press `data` under each message, `rate` a second in batches every `TICK` s (a slow
    control call never holds up the next batch); query id -> when it was queued."""
    pressed: dict[str, float] = {}

    async def batch(items: list[tuple[int, int]]) -> None:
        presses = [{"chat_id": chat, "message_id": mid, "data": data} for chat, mid in items]
        answer = await telegram.control("POST", "/presses", {"presses": presses})
        pressed.update(dict.fromkeys(answer["ids"], answer["at"]))

    size = max(1, round(rate * TICK))
    items = list(messages.items())
    began = timer.monotonic()
    sending = []
    for index in range(0, len(items), size):
        await asyncio.sleep(max(0.0, began + index / rate - timer.monotonic()))
        sending.append(asyncio.create_task(batch(items[index : index + size])))
    await asyncio.gather(*sending)
    return pressed


async def _wait_for_edits(telegram: EmulatorProcess, count: int, timeout: float) -> None:
    deadline = timer.monotonic() + timeout
    while timer.monotonic() < deadline:
        if (await telegram.stats())["calls"].get("editMessageReplyMarkup", 0) >= count:
            return
        await asyncio.sleep(0.2)


async def _answers(telegram: EmulatorProcess) -> dict[str, float]:
    return dict((await telegram.control("GET", "/answers"))["answers"])


async def _edits(telegram: EmulatorProcess) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = await telegram.control("GET", "/sent", params={"edits": 1, "offset": offset})
        found += page["messages"]
        if page["next"] == offset:
            return found
        offset = page["next"]


def _busiest(times: list[float]) -> int:
    """The most of `times` (sorted) within any one second."""
    most, first = 0, 0
    for last, at in enumerate(times):
        while at - times[first] >= 1.0:
            first += 1
        most = max(most, last - first + 1)
    return most


def _over_limits(edits: list[dict[str, Any]]) -> int:
    """Edits Telegram would have answered 429, by the emulator's model of its limits (about 30
    a second overall, 1 a second per chat after a short burst)."""
    flood, over = FloodControl(), 0
    for edit in sorted(edits, key=lambda edit: edit["at"]):
        if flood.retry_after(edit["chat_id"], edit["at"]) is None:
            flood.record(edit["chat_id"], edit["at"])
        else:
            over += 1
    return over


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"
