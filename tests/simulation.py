"""A deterministic simulation of the delivery engine's life, after FoundationDB's simulator.

One seed gives one run, replayable exactly: bot processes (the real `Delivery`, `DeliveryLoop`,
`Lease`, `Gateway` and `Store` on a real SQLite file) on virtual time, against a fake Telegram
that answers 429, 5xx, slowly, or drops the connection before or after delivering; groups that
move to supergroups, chats that block the bot, /stop, /pause and /time; a second process that
contends for the lease; crashes at random moments (a `kill -9`: the process's memory is gone,
its database connection refuses everything, what it had on the wire may or may not arrive);
pauses of the holder (SIGSTOP, then SIGCONT); a disk that refuses writes for a while.

`check` then states the invariants: at most one tip per chat and local day (beyond a stated
bound for requests on the wire when a process died or froze, and one per lost answer); at least
one unless stopped, paused or blocked; none after a stop; seen = delivered; no task left
behind; no pending claim once quiet.

    python -m tests.simulation --seed 123        # replay one run, with its log
    python -m tests.simulation --seeds 20000     # a long soak
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import shutil
import sqlite3
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database
from telegram.error import ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.service.wiring import tip_chooser
from bot.transport.gateway import Dropped, Gateway, GatewayClosed, Send
from bot.transport.http import AnswerLost, RequestNotSent
from bot.transport.sender import outcome_of
from scheduler.delivery import Delivery
from scheduler.due import Schedule, local_date, slot
from scheduler.engine import DeliveryLoop
from scheduler.lease import Lease
from scheduler.outcomes import NotSent, Outcome, Sent
from scheduler.pacing import Limits, Priority
from scheduler.records import Claim
from storage import Store
from tests.virtual_time import VirtualTimeLoop
from tips import Library, Tip, Topic
from tips.model import Kind

logger = logging.getLogger("simulation")

START = datetime(2026, 3, 2, 7, 50, tzinfo=UTC)
MORNING = timedelta(minutes=15)  # each simulated day: this much of trouble around the due times
SETTLE = timedelta(minutes=12)  # then quiet: what failed is tried again after 10 minutes
WORKERS = 4  # sends in flight per process: the duplicate bound per crash or freeze
STANDBY_POLL = 5.0  # a standby's look at the lease (the bot's 2 s, made cheaper to simulate)
SEND_LATENCY = 0.05  # seconds Telegram takes to answer, in the ordinary case
_WRITES = {
    sqlite3.SQLITE_INSERT,
    sqlite3.SQLITE_UPDATE,
    sqlite3.SQLITE_DELETE,
    sqlite3.SQLITE_CREATE_TABLE,
    sqlite3.SQLITE_DROP_TABLE,
}


def connect(path: Path) -> sqlite3.Connection:
    """A connection as the store's, minus the durability a simulation does not need (no fsync),
    and with no statement cache, so the authorizer judges every statement."""
    connection = sqlite3.connect(path, cached_statements=0)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    return connection


def open_store(path: Path) -> Store:
    return Store(Database(connect(path)))


def tiny_library() -> Library:
    """Six tips in two topics: enough for rotation, nothing to do with the real content."""
    topics = (Topic("a", "A", "🅰"), Topic("b", "B", "🅱"))
    tips = tuple(
        Tip(
            f"{t}-{n}",
            t,
            f"{t} {n}",
            "text",
            ("r",),
            kind=Kind.ACTION,
            finding=f"r/{t}-{n}",
            evidence="evidence",
        )
        for t in "ab"
        for n in range(3)
    )
    return Library(topics, tips, {})


@dataclass
class Message:
    """A daily tip Telegram accepted: to whom, which tip, when, from which process."""

    chat_id: int
    tip_id: str
    at: datetime
    process: str


@dataclass
class World:
    """What really happened, as the checker sees it (not as any process believes)."""

    rng: random.Random
    loop: VirtualTimeLoop
    path: Path
    delivered: list[Message] = field(default_factory=list)
    lost_answers: Counter[int] = field(default_factory=Counter)  # chat → answers dropped after
    stopped_at: dict[int, datetime] = field(default_factory=dict)
    paused: dict[int, list[tuple[datetime, datetime]]] = field(default_factory=dict)
    blocked: dict[int, datetime] = field(default_factory=dict)
    moved: dict[int, int] = field(default_factory=dict)  # group → its supergroup
    schedules: dict[int, Schedule] = field(default_factory=dict)
    changed_at: dict[int, datetime] = field(default_factory=dict)  # last /time
    crashes: list[tuple[str, datetime]] = field(default_factory=list)
    freezes: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    # Requests a process had out when it froze: the one kind of duplicate a fence cannot stop
    # (in a real SIGSTOP they are already at Telegram, and a successor sends them again).
    frozen_on_wire: int = 0
    # Outcomes a full disk refused, still in a process's memory when it stopped, died or froze: the
    # next process cannot know those tips went out, and may send them again.
    unwritten: int = 0
    disk_full: list[tuple[datetime, datetime]] = field(default_factory=list)
    full: bool = False  # the disk refuses every process's writes now
    calm: bool = False  # the morning's trouble is over: no more freezes
    troubles: list[tuple[datetime, datetime]] = field(default_factory=list)  # process events
    down_since: datetime = START  # when the last live process went, if none runs
    alive: dict[str, bool] = field(default_factory=dict)
    faults: float = 0.15  # how often Telegram misbehaves on a send
    latencies: tuple[float, ...] = (SEND_LATENCY, SEND_LATENCY, 0.5, 3.0)  # its answer times

    def clock(self) -> datetime:
        return self.loop.clock()


class FakeTelegram:
    """sendMessage as the gateway calls it: the answer or failure the seed decides."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.on_wire: Counter[str] = Counter()  # requests each process has out, unanswered

    async def send(self, process: SimProcess, chat_id: int, tip_id: str) -> bool:
        self.on_wire[process.name] += 1
        try:
            return await self._answer(process, chat_id, tip_id)
        finally:
            self.on_wire[process.name] -= 1

    async def _answer(self, process: SimProcess, chat_id: int, tip_id: str) -> bool:
        """Telegram's side runs on its own time: a request that left before its process froze
        is still delivered; only the answer waits for the process to wake."""
        world, rng = self.world, self.world.rng
        await process.gated(0)  # a frozen process writes nothing
        await asyncio.sleep(rng.choice(world.latencies))
        if not world.alive.get(process.name):
            raise RequestNotSent("the process is dead")
        if chat_id in world.moved:
            raise ChatMigrated(world.moved[chat_id])
        if chat_id in world.blocked:
            raise Forbidden("Forbidden: bot was blocked by the user")
        roll = rng.random()
        if roll < world.faults * 0.25:
            raise RetryAfter(rng.choice((1, 3)))
        if roll < world.faults * 0.5:
            raise NetworkError("Internal Server Error (500)")
        if roll < world.faults * 0.75:
            raise RequestNotSent("aiohttp.ClientConnectorError: connection refused")
        world.delivered.append(Message(chat_id, tip_id, world.clock(), process.name))
        if roll < world.faults:
            world.lost_answers[chat_id] += 1
            raise AnswerLost("aiohttp.ServerDisconnectedError: Server disconnected")
        try:
            await process.gated(0)  # a frozen process hears the answer when it wakes
        except asyncio.CancelledError:  # a stop gave up on it: delivered, answer never heard
            world.lost_answers[chat_id] += 1
            raise
        return True


class SimProcess:
    """One bot process: its own connection, gateway, delivery engine and lease."""

    def __init__(self, name: str, world: World, telegram: FakeTelegram, library: Library) -> None:
        self.name = name
        self.world = world
        self.telegram = telegram
        self.running = asyncio.Event()
        self.running.set()  # cleared while frozen (SIGSTOP)
        world.alive[name] = True
        connection = connect(world.path)
        connection.set_authorizer(self._authorize)
        self.store = Store(Database(connection))
        self.lease = Lease(self.store, world.clock, name, process=name, alive=world.alive.get)
        self.gateway = Gateway(Limits(), clock=world.loop.time, sleep=self.gated)
        self.delivery = Delivery(
            self.store,
            tip_chooser(self.store, library, random.Random(world.rng.random())),
            self._send,
            world.clock,
            workers=WORKERS,
            sleep=self.gated,
            me=name,
            may_deliver=self.lease.held,
            dead=lambda: self.lease.dead,
            held_since=lambda: self.lease.held_since,
            takeover_grace=timedelta(seconds=2 * STANDBY_POLL),
        )
        self.loop = DeliveryLoop(
            self.delivery.sweep,
            self.delivery.next_wake,
            world.clock,
            lease=self.lease,
            sleep=self.gated,
            on_stop=self.delivery.stop_starting,
            housekeeping=self.delivery.record_unrecorded,
            standby_poll=STANDBY_POLL,
        )

    def _authorize(self, action: int, *_: Any) -> int:
        if not self.world.alive.get(self.name):
            return sqlite3.SQLITE_DENY  # a dead process touches nothing
        if self.world.full and action in _WRITES:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    async def gated(self, seconds: float) -> None:
        """This process's sleep: time passes, and a frozen process does not wake."""
        await asyncio.sleep(seconds)
        await self.running.wait()

    async def _send(self, chat_id: int, claim: Claim, still_wanted: Callable[[], bool]) -> Outcome:
        how = Send(Priority.TIP, still_wanted=still_wanted)

        async def call(*_: Any, **__: Any) -> bool:
            return await self.telegram.send(self, chat_id, claim.tip_id)

        try:
            await self.gateway.process_request(
                call, (), {}, "sendMessage", {"chat_id": chat_id}, how
            )
        except (Dropped, GatewayClosed) as exc:
            return NotSent(str(exc))
        except (NetworkError, Forbidden, ChatMigrated) as exc:
            return outcome_of(exc)
        return Sent()

    async def start(self) -> None:
        await self.gateway.initialize()
        self.loop.start()

    async def stop(self) -> None:
        """A clean stop, as SIGTERM makes it."""
        self.delivery.stop_starting()
        await self.gateway.shutdown()
        await self.loop.stop(timeout=3.0)
        self.world.unwritten += self.delivery.unrecorded
        self.store.close()

    async def crash(self) -> None:
        """kill -9: nothing of this process runs again, nothing it wrote after now lands."""
        self.world.alive[self.name] = False
        self.running.set()
        await self.gateway.shutdown()
        await self.loop.stop(timeout=0)
        self.world.unwritten += self.delivery.unrecorded
        self.store.db.conn.close()


def schedule_for(rng: random.Random, start: datetime) -> Schedule:
    """A local time that falls, in UTC, a few minutes after `start`, in one of a few zones."""
    zone = ZoneInfo(rng.choice(("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")))
    due = (start + timedelta(minutes=rng.randint(2, 12))).astimezone(zone)
    return Schedule(due.time().replace(second=0, microsecond=0), zone)


@contextmanager
def quiet_logs(verbose: bool) -> Iterator[None]:
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG if verbose else logging.CRITICAL + 1)
    try:
        yield
    finally:
        root.setLevel(level)


@dataclass
class Report:
    seed: int
    problems: list[str]
    deliveries: int
    events: list[str]


async def run_seed(seed: int, folder: Path) -> Report:
    """One simulated run: one or two mornings of deliveries with faults (and a night between,
    when every process stops and new ones start), then a quiet stretch."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop)
    rng = random.Random(seed)
    days = rng.choice((1, 2))
    path = folder / f"sim-{seed}.db"
    shutil.copyfile(folder / TEMPLATE, path)
    world = World(rng, loop, path, faults=rng.choice((0.0, 0.1, 0.3)))
    telegram, library = FakeTelegram(world), tiny_library()
    events: list[str] = []
    chats = [rng.randint(1, 10**6) for _ in range(rng.randint(3, 8))]
    groups = [-(10**5) - n for n in range(rng.randint(0, 2))]
    setup = open_store(path)
    for chat_id in chats + groups:
        world.schedules[chat_id] = schedule_for(rng, world.clock())
        kind = "group" if chat_id < 0 else "private"
        setup.subscribe(chat_id, kind, world.schedules[chat_id], world.clock() - timedelta(days=1))
    setup.close()
    processes: list[SimProcess] = []
    counter = iter(range(1, 1000))

    async def spawn() -> SimProcess:
        if not _live(world, processes) and processes:  # nobody ran since the last one went
            world.troubles.append((world.down_since, world.clock()))
        process = SimProcess(f"p{next(counter)}", world, telegram, library)
        processes.append(process)
        await process.start()
        return process

    for day in range(days):
        if day:  # the night: everyone stops cleanly, the next morning one or two start
            for process in _live(world, processes):
                await process.stop()
                world.alive[process.name] = False
            world.down_since = world.clock()
            await asyncio.sleep((START + timedelta(days=day) - world.clock()).total_seconds())
        await spawn()
        if rng.random() < 0.6:
            await spawn()  # a warm standby
        world.calm = False
        morning_end = world.clock() + MORNING
        while world.clock() < morning_end:
            await asyncio.sleep(rng.uniform(5, 90))
            await _act(rng, world, processes, spawn, events, chats, groups)
        world.full, world.calm = False, True  # the disk gets space, the frozen wake
        for process in _live(world, processes):
            process.running.set()
        if not _live(world, processes):
            await spawn()
        await asyncio.sleep(SETTLE.total_seconds())
    problems = check(world, processes)
    for process in _live(world, processes):
        await process.stop()
    leftovers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task() and not t.done()]
    if leftovers:
        problems.append(f"{len(leftovers)} task(s) left running after every process stopped")
    return Report(seed, problems, len(world.delivered), events)


async def _act(rng, world, processes, spawn, events, chats, groups) -> None:
    """One random thing happens to the system."""
    live = [p for p in processes if world.alive[p.name]]
    holder = next((p for p in live if p.lease.held()), None)
    now = world.clock()
    roll = rng.random()
    if roll < 0.10 and live:
        victim = holder or rng.choice(live)
        events.append(f"{now:%H:%M:%S} kill -9 {victim.name}")
        world.troubles.append((now, now))
        world.crashes.append((victim.name, now))
        await victim.crash()
        world.down_since = now
        if rng.random() < 0.8:
            await spawn()  # systemd's Restart=
    elif roll < 0.16 and holder is not None and holder.running.is_set():
        # Most often just after a due minute, when the holder has sends out and retrying.
        due = holder.store.earliest_due()
        delay = rng.uniform(0, 4) + max(0.0, (due - now).total_seconds() if due else 0.0)
        seconds = rng.choice((30, 90, 150))
        asyncio.get_running_loop().call_later(
            delay if rng.random() < 0.7 else 0, _freeze, world, holder, seconds, events
        )
    elif roll < 0.22 and live:
        victim = rng.choice(live)
        events.append(f"{now:%H:%M:%S} clean stop {victim.name}, start another")
        world.troubles.append((now, now))
        await victim.stop()
        world.alive[victim.name] = False
        world.down_since = now
        await spawn()
    elif roll < 0.27 and not world.full:
        seconds = rng.choice((20, 60, 120))
        events.append(f"{now:%H:%M:%S} disk full for {seconds} s")
        world.disk_full.append((now, now + timedelta(seconds=seconds)))
        world.troubles.append((now, now + timedelta(seconds=seconds)))
        world.full = True

        def space() -> None:
            world.full = False

        asyncio.get_running_loop().call_later(seconds, space)
    elif roll < 0.35 and chats:
        chat = rng.choice(chats)
        events.append(f"{now:%H:%M:%S} /stop in {chat}")
        if _command(live, lambda store: store.unsubscribe(chat, world.clock())):
            world.stopped_at.setdefault(chat, world.clock())
    elif roll < 0.42 and chats:
        chat = rng.choice(chats)
        changed = schedule_for(rng, now)
        events.append(f"{now:%H:%M:%S} /time {changed.at:%H:%M} {changed.timezone} in {chat}")

        def set_time(store: Store) -> None:
            subscriber = store.set_schedule(
                chat,
                world.clock(),
                chat_type="private",
                default=changed,
                at=changed.at,
                timezone=changed.timezone,
            )
            for process in live:
                process.loop.wake_at(world.clock())
            del subscriber

        if _command(live, set_time):
            world.schedules[chat] = changed
            world.changed_at[chat] = world.clock()
    elif roll < 0.47 and chats:
        chat = rng.choice(chats)
        events.append(f"{now:%H:%M:%S} /pause 1 in {chat}")

        def pause(store: Store) -> None:
            paused = store.pause(chat, 1, world.clock())
            if paused is not None and paused.schedule.paused_until is not None:
                until = paused.schedule.paused_until
                world.paused.setdefault(chat, []).append((world.clock(), until))

        _command(live, pause)
    elif roll < 0.52 and chats:
        chat = rng.choice(chats)
        events.append(f"{now:%H:%M:%S} {chat} blocks the bot")
        world.blocked.setdefault(chat, now)
    elif roll < 0.57 and groups:
        group = rng.choice(groups)
        if group not in world.moved:
            events.append(f"{now:%H:%M:%S} group {group} becomes a supergroup")
            supergroup = world.moved[group] = -(10**12) - abs(group)
            if rng.random() < 0.5:  # someone sends /start there before the bot notices
                events.append(f"{now:%H:%M:%S} /start in supergroup {supergroup}")
                schedule = world.schedules[group]
                _command(
                    live, lambda store: store.subscribe(supergroup, "supergroup", schedule, now)
                )


def _freeze(world: World, process: SimProcess, seconds: float, events: list[str]) -> None:
    """SIGSTOP now, SIGCONT `seconds` later."""
    if world.calm or not world.alive[process.name] or not process.running.is_set():
        return
    now = world.clock()
    events.append(f"{now:%H:%M:%S} SIGSTOP {process.name} for {seconds} s")
    world.freezes.append((process.name, now, now + timedelta(seconds=seconds)))
    world.troubles.append((now, now + timedelta(seconds=seconds)))
    world.frozen_on_wire += process.telegram.on_wire[process.name]
    world.unwritten += process.delivery.unrecorded  # it cannot write them while frozen
    process.running.clear()
    asyncio.get_running_loop().call_later(seconds, process.running.set)


def _live(world: World, processes: list[SimProcess]) -> list[SimProcess]:
    return [process for process in processes if world.alive[process.name]]


def _command(live: list[SimProcess], act: Callable[[Store], None]) -> bool:
    """A command handled by one of the live processes (whichever polls); False if none could."""
    for process in live:
        if process.running.is_set():
            try:
                act(process.store)
            except sqlite3.Error:
                continue
            return True
    return False


def check(world: World, processes: list[SimProcess]) -> list[str]:
    """The invariants, each broken one a line."""
    problems: list[str] = []
    by_day: dict[tuple[int, date], list[Message]] = defaultdict(list)
    for message in world.delivered:
        home = next((g for g, s in world.moved.items() if s == message.chat_id), message.chat_id)
        schedule = world.schedules[home]
        by_day[(home, local_date(schedule, message.at))].append(message)
    allowance = world.frozen_on_wire + world.unwritten + sum(world.lost_answers.values())
    extra = sum(len(messages) - 1 for messages in by_day.values() if len(messages) > 1)
    if extra > allowance:
        doubled = next(m for m in by_day.values() if len(m) > 1)
        seen = ", ".join(f"{m.chat_id} {m.tip_id} {m.at:%H:%M:%S} by {m.process}" for m in doubled)
        problems.append(
            f"{extra} duplicate tip(s), {allowance} allowed ({world.frozen_on_wire} on the wire"
            f" at a freeze, {world.unwritten} unwritten at a stop,"
            f" {sum(world.lost_answers.values())} answers lost); first: {seen}"
        )
    for chat, stopped in world.stopped_at.items():
        late = [
            m
            for m in world.delivered
            if m.chat_id == chat and m.at > stopped + timedelta(seconds=5)
        ]
        if late:
            problems.append(
                f"chat {chat} got a tip {late[0].at:%H:%M:%S} after /stop at {stopped:%H:%M:%S}"
            )
    problems.extend(_misses(world, by_day))
    problems.extend(_lateness(world, by_day))
    reader = open_store(world.path)
    try:
        pending = reader.pending_deliveries()
        if pending:
            problems.append(f"{len(pending)} claim(s) still pending once quiet: {pending[:3]}")
        for chat in world.schedules:
            problems.extend(_seen_is_delivered(world, reader, chat))
    finally:
        reader.close()
    return problems


def _misses(world: World, by_day: dict[tuple[int, date], list[Message]]) -> list[str]:
    """Every chat owed a tip on a day it was subscribed, unpaused and reachable got one."""
    problems = []
    end = world.clock() - SETTLE
    for chat, schedule in world.schedules.items():
        if chat in world.blocked or chat in world.changed_at or chat in world.moved:
            continue  # owed days shift with /time; a moved group's days are its supergroup's
        day = local_date(schedule, START)
        while (due := slot(schedule, day)) <= end:
            stopped = world.stopped_at.get(chat)
            excused = (stopped is not None and stopped <= due + timedelta(minutes=10)) or any(
                asked <= due + timedelta(minutes=10) and due < until
                for asked, until in world.paused.get(chat, [])
            )
            if due >= START and not excused and not by_day.get((chat, day)):
                problems.append(f"chat {chat} missed its tip of {day} (due {due:%H:%M:%S})")
            day += timedelta(days=1)
    return problems


ON_TIME = timedelta(seconds=5)  # a tip's first copy, after its due minute, when all is calm
CALM_BEFORE = timedelta(seconds=90)  # no process trouble this long before the due minute


def _lateness(world: World, by_day: dict[tuple[int, date], list[Message]]) -> list[str]:
    """With a faultless Telegram, a tip due when no process was in trouble goes out within
    seconds of its minute: the loop woke for it, whatever came before."""
    if world.faults:
        return []
    problems = []
    for (chat, day), messages in by_day.items():
        if chat in world.changed_at or chat in world.moved or chat not in world.schedules:
            continue
        due, first = slot(world.schedules[chat], day), min(m.at for m in messages)
        troubled = any(
            start - CALM_BEFORE <= first and end >= due - CALM_BEFORE
            for start, end in world.troubles
        )
        if not troubled and first - due > ON_TIME:
            problems.append(f"chat {chat}'s tip of {day} came {first - due} after its minute")
    return problems


def _seen_is_delivered(world: World, store: Store, chat: int) -> list[str]:
    """A tip is in the rotation history only if it was delivered or its answer was lost."""
    target = world.moved.get(chat, chat)
    seen = store.seen_tips(target)
    sent = {m.tip_id for m in world.delivered if m.chat_id in (chat, target)}
    unsent = seen - sent
    if unsent:
        return [f"chat {target} has seen {sorted(unsent)} but was never sent them"]
    return []


TEMPLATE = "template.db"


def run_in_parallel(seeds: range, workers: int | None = None) -> list[Report]:
    """`run_seeds` split over this machine's cores, each part in a scratch folder of its own."""
    import tempfile
    from concurrent.futures import ProcessPoolExecutor

    workers = workers or os.cpu_count() or 1
    parts = [range(seeds.start + n, seeds.stop, workers) for n in range(workers)]
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_run_part, part, tempfile.mkdtemp(dir=scratch())) for part in parts]
        return sorted((r for f in futures for r in f.result()), key=lambda r: r.seed)


def _run_part(seeds: range, folder: str) -> list[Report]:
    try:
        return run_seeds(seeds, Path(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_seeds(seeds: range, folder: Path, verbose: bool = False) -> list[Report]:
    """Each seed on its own virtual-time loop; the reports of those that broke an invariant."""
    failed = []
    template = open_store(folder / TEMPLATE)  # migrated once, copied for each seed
    template.db.execute("PRAGMA journal_mode = DELETE")  # one file to copy
    template.close()
    with quiet_logs(verbose):
        for seed in seeds:
            loop = VirtualTimeLoop(START)
            try:
                report = loop.run_until_complete(run_seed(seed, folder))
            finally:
                loop.close()
            if report.problems or verbose:
                failed.append(report)
            for leftover in folder.glob(f"sim-{seed}.db*"):
                leftover.unlink()
    return failed


def scratch() -> str | None:
    """Where the seeds' databases go: memory-backed where the machine has it (deleting a file
    there costs microseconds, on an overlay disk tens of milliseconds)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def replay_command(seed: int) -> str:
    return f"python -m tests.simulation --seed {seed}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.simulation", description=__doc__)
    parser.add_argument("--seed", type=int, help="replay one seed, with its log")
    parser.add_argument("--seeds", type=int, default=1000, help="how many seeds (a soak)")
    parser.add_argument("--first", type=int, default=0, help="the first seed")
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(dir=scratch()) as folder:
        if args.seed is not None:
            logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
            [report] = run_seeds(range(args.seed, args.seed + 1), Path(folder), verbose=True)
            print("\n".join(["events:", *report.events]))
            for problem in report.problems:
                print(f"PROBLEM: {problem}")
            return 1 if report.problems else 0
        started = time.perf_counter()
        failed = run_in_parallel(range(args.first, args.first + args.seeds))
        seconds = time.perf_counter() - started
        for report in failed:
            print(
                f"seed {report.seed}: {report.problems[0]}  (replay: {replay_command(report.seed)})"
            )
        print(f"{args.seeds - len(failed)} passed, {len(failed)} failed in {seconds:.1f} s")
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
