"""What the chaos run delivered, read from the emulator's record alone, checked against the
promise: one daily tip per chat and local day, on time, none after a stop, no traceback.

A daily tip is a message in a subscriber's chat with the buttons every tip carries (`v1:src:`,
the 📚 Source button; README, Buttons and streaks). Only the askers, who subscribe to nothing,
ask /tip, so a tip-shaped message in a subscriber's chat is its daily tip. All times here are
wall-clock seconds (the emulator's monotonic times moved by one offset).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from benchmarks.chaos_duplicates import Tip, causes
from benchmarks.chaos_plan import Command, Plan
from benchmarks.figures import Figure, at_most, exactly, info, percentile

TIP_BUTTON = "v1:src:"
HUNG_MARGIN = 5.0  # a tip due this long before a holder was paused was caught in flight
LEASE_TTL = 60.0  # README, Reliability: "renews it every 20 s for 60 s"
HUNG_TARGET = LEASE_TTL + 10
LATE_TARGET = 3.0
EXIT_TARGET = 5.0


def in_flight_bound(rate: float) -> int:
    """README: the sweep keeps `workers` = rate × 0.2 s of sends in flight, at least 16; only
    those can arrive twice after a kill -9."""
    return max(16, math.ceil(rate * 0.2))


@dataclass(frozen=True)
class Happened:
    """What the run did, as it happened (wall-clock seconds)."""

    commands: list[tuple[Command, float]]  # each command of the plan, and when it was queued
    kills: list[float]
    pauses: list[tuple[float, float]]  # (SIGSTOP, SIGCONT)
    disk_full: list[tuple[float, float]]
    notes: list[str]  # what was skipped or guessed, and why
    exited: list[str]  # bot processes that ended by themselves (and were restarted)
    exits: dict[str, tuple[float, int | None]]  # process -> (seconds to exit on SIGTERM, code)
    tracebacks: int
    errors: int
    rate: int


# chat -> (its command during the run, when queued, its reply or None)
Answers = dict[int, tuple[Command, float, float | None]]


@dataclass
class Chat:
    """One subscriber's messages: its daily tips and the other messages (replies), in order."""

    tips: list[Tip] = field(default_factory=list)
    replies: list[float] = field(default_factory=list)


def is_tip(message: dict[str, Any]) -> bool:
    return any(str(data).startswith(TIP_BUTTON) for data in message.get("callback_data") or [])


def chats_of(
    plan: Plan, sent: Sequence[dict[str, Any]], injected: Sequence[dict[str, Any]], offset: float
) -> dict[int, Chat]:
    """Each subscriber's messages, a migrated group's new chat counted as the group."""
    original = {new: old for old, new in plan.migrations.items()}
    dropped = {(f["chat_id"], f["message_id"]) for f in injected if f["kind"] == "drop_after"}
    chats = {s.chat_id: Chat() for s in plan.subscribers}
    for message in sent:
        chat = chats.get(original.get(message["chat_id"], message["chat_id"]))
        at = message["at"] + offset
        if chat is not None and is_tip(message):
            chat.tips.append(Tip(at, (message["chat_id"], message["message_id"]) in dropped))
        elif chat is not None:
            chat.replies.append(at)
    return chats


def check(
    plan: Plan,
    sent: Sequence[dict[str, Any]],
    injected: Sequence[dict[str, Any]],
    happened: Happened,
    offset: float,
) -> list[Figure]:
    chats = chats_of(plan, sent, injected, offset)
    answered = _answers(chats, happened.commands)
    figures = _misses(plan, chats, answered)
    figures += _duplicates(chats, happened)
    figures += _lateness(plan, chats, answered, happened)
    figures += _after_reply(chats, answered, "/stop", "tips after a /stop reply")
    figures += _after_reply(chats, answered, "/pause", "tips after a /pause reply")
    figures += _process_figures(happened)
    figures += _context(plan, injected, happened, sent)
    return figures


def _answers(chats: dict[int, Chat], commands: list[tuple[Command, float]]) -> Answers:
    """Per subscriber's command: (command, queued, its reply: the chat's first message after
    it that is no daily tip; None if none came)."""
    found: Answers = {}
    for command, queued in commands:
        chat = chats.get(command.chat_id)
        if chat is not None:
            reply = next((at for at in chat.replies if at > queued), None)
            found[command.chat_id] = (command, queued, reply)
    return found


def _expected(plan: Plan, chat_id: int, answered: Answers) -> datetime | None:
    """When its tip was due: a /time answered 2 s or more before the old minute moves it."""
    subscriber = plan.subscriber(chat_id)
    assert subscriber is not None
    if chat_id not in plan.moves:
        return subscriber.due
    _, _, reply = answered[chat_id]
    if reply is not None and reply <= subscriber.due.timestamp() - 2:
        return plan.moves[chat_id]
    if reply is None or reply > subscriber.due.timestamp():
        return subscriber.due
    return None  # answered just around the old minute: either is right


def _owed(plan: Plan, answered: Answers) -> list[int]:
    """Subscribers owed today's tip: not blocked, and asked neither /stop nor /pause."""
    excused = {c for c, (command, _, _) in answered.items() if command.name in ("/stop", "/pause")}
    return [
        s.chat_id
        for s in plan.subscribers
        if s.chat_id not in plan.blocked and s.chat_id not in excused
    ]


def _misses(plan: Plan, chats: dict[int, Chat], answered: Answers) -> list[Figure]:
    missed = [chat_id for chat_id in _owed(plan, answered) if not chats[chat_id].tips]
    by_minute: dict[str, int] = defaultdict(int)
    for chat_id in missed:
        due = _expected(plan, chat_id, answered) or plan.moves[chat_id]
        by_minute[f"{due:%H:%M}"] += 1
    tail = (plan.end - plan.minutes[-1]).total_seconds()
    return [
        exactly(f"chaos: misses (owed, no tip by last due + {tail:.0f} s)", len(missed), 0),
        info("chaos: misses by due minute (UTC)", _counts(by_minute)),
    ]


def _duplicates(chats: dict[int, Chat], happened: Happened) -> list[Figure]:
    conts = [cont for _, cont in happened.pauses]
    found = causes((chat.tips for chat in chats.values()), happened.kills, conts)
    bound = in_flight_bound(happened.rate)
    return [
        info(
            "chaos: duplicate tips (copies beyond one per chat)",
            f"{found.total}: {found.maybe_delivered} after a maybe-delivered send,"
            f" {found.in_flight} in flight at a kill -9, {found.other} neither",
        ),
        at_most(
            f"chaos: duplicates in flight at one kill -9 (of {len(happened.kills)})",
            max(found.per_kill.values(), default=0),
            bound,
            digits=0,
        ),
        exactly(
            f"chaos: other duplicates ({found.after_sigcont} right after a SIGCONT)",
            found.other,
            0,
        ),
    ]


def _lateness(
    plan: Plan, chats: dict[int, Chat], answered: Answers, happened: Happened
) -> list[Figure]:
    """First daily tip minus its due minute: tips caught by a paused holder apart."""
    normal: list[float] = []
    hung: list[float] = []
    killed: list[float] = []
    by_minute: dict[str, float] = {}
    early = 0
    for chat_id in _owed(plan, answered):
        due = _expected(plan, chat_id, answered)
        if due is None or not chats[chat_id].tips:
            continue
        late = chats[chat_id].tips[0].at - due.timestamp()
        early += late < -1
        hung_at = any(
            stop - HUNG_MARGIN <= due.timestamp() <= cont for stop, cont in happened.pauses
        )
        (hung if hung_at else normal).append(late)
        by_minute[f"{due:%H:%M}"] = max(late, by_minute.get(f"{due:%H:%M}", -math.inf))
        if any(0 <= kill - due.timestamp() <= 30 for kill in happened.kills):
            killed.append(late)
    return [
        info("chaos: lateness p50 (tips not caught by a hung holder)", _seconds(normal, 0.5)),
        _at_most(f"chaos: lateness p99 (same {len(normal)} tips)", normal, 0.99, LATE_TARGET),
        info("chaos: lateness max (same tips)", _seconds(normal, 1.0)),
        info(f"chaos: lateness max, due at a kill -9 ({len(killed)})", _seconds(killed, 1.0)),
        _at_most(
            f"chaos: lateness max, caught by a hung holder ({len(hung)})", hung, 1, HUNG_TARGET
        ),
        exactly("chaos: tips more than 1 s before their due minute", early, 0),
        info("chaos: lateness max by due minute (UTC)", _by_minute(by_minute)),
    ]


def _by_minute(latest: dict[str, float]) -> str:
    return ", ".join(f"{minute} {late:.1f} s" for minute, late in sorted(latest.items()))


def _at_most(name: str, values: Sequence[float], share: float, target: float) -> Figure:
    """A percentile of lateness beside its target; with no tip to measure, a failure."""
    if not values:
        return Figure(name, "none arrived", f"<= {target:g} s", False)
    return at_most(name, percentile(values, share), target, " s")


def _after_reply(chats: dict[int, Chat], answered: Answers, name: str, label: str) -> list[Figure]:
    after, unanswered = 0, 0
    for chat_id, (command, _, reply) in answered.items():
        if command.name != name:
            continue
        if reply is None:
            unanswered += 1
            continue
        after += sum(tip.at > reply for tip in chats[chat_id].tips)
    asked = sum(command.name == name for command, _, _ in answered.values())
    return [exactly(f"chaos: {label} ({asked} asked, {unanswered} unanswered)", after, 0)]


def _process_figures(happened: Happened) -> list[Figure]:
    exits = happened.exits.values()
    slowest = max((seconds for seconds, _ in exits), default=math.nan)
    codes = sorted(str(code) for _, code in exits)
    return [
        exactly("chaos: tracebacks in the bots' logs", happened.tracebacks, 0),
        exactly("chaos: bot processes that ended by themselves", len(happened.exited), 0),
        *(info("chaos: ended by itself", name) for name in happened.exited),
        info("chaos: ERROR lines in the bots' logs, besides 409 Conflict", str(happened.errors)),
        at_most(
            f"chaos: SIGTERM to exit, slowest (codes {', '.join(codes)})",
            slowest,
            EXIT_TARGET,
            " s",
        ),
    ]


def _context(
    plan: Plan,
    injected: Sequence[dict[str, Any]],
    happened: Happened,
    sent: Sequence[dict[str, Any]],
) -> list[Figure]:
    """What the run was: for reading the figures above, no targets."""
    kinds: dict[str, int] = defaultdict(int)
    for fault in injected:
        kinds[fault["kind"]] += 1
    faults = _counts(kinds)
    groups = sum(s.group for s in plan.subscribers)
    asks = sum(command.name == "/tip" for command, _ in happened.commands)
    askers = set(plan.askers)
    tips_to_askers = sum(1 for m in sent if m["chat_id"] in askers and is_tip(m))
    return [
        info(
            "chaos: subscribers",
            f"{len(plan.subscribers)} ({groups} groups, {len(plan.migrations)} migrating;"
            f" {len(plan.blocked)} blocked) over {len(plan.minutes)} minutes",
        ),
        info("chaos: Bot API faults injected", faults),
        info("chaos: /tip asked / answered (askers)", f"{asks} / {tips_to_askers}"),
        info(
            "chaos: events",
            f"{len(happened.kills)} kill -9, {len(happened.pauses)} SIGSTOP,"
            f" {len(happened.disk_full)} disk full",
        ),
        *(info("chaos: note", note) for note in happened.notes),
    ]


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count}" for name, count in sorted(counts.items())) or "none"


def _seconds(values: Sequence[float], share: float) -> str:
    return f"{percentile(values, share):.2f} s" if values else "none"
