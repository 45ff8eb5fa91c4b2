"""A year of storage: N subscribers live D simulated days on the real `Store` and SQLite file.

Why: the database must stay small and its chores short over a long life, not only on day one.
Everything goes through the store's public methods, the real claim (`claim_batch` with the
bot's own tip chooser and the shipped library) and the real chores (`Sweeper.tidy`), so the
benchmark keeps measuring whatever layout the store has underneath.

The model, seeded (`SEED`) so a run replays:
- Subscribers /start on day 0 and set a delivery time (06:00-21:45 on a quarter hour, so no
  DST gap) and an IANA zone from `ZONES` (whole, half and quarter-hour offsets, both
  hemispheres' DST). The simulated clock starts at 2026-01-01 00:00 UTC and ticks every
  `STEP` (5 minutes, the safety sweep's `TIDY_EVERY`); nobody sleeps.
- Each tick claims whoever is due, `CLAIM_BATCH` at a time, as the engine does, and
  finishes each tip as sent. Reads that write nothing (the fence's `may_send` before each
  send, /streak, /settings) are left out: they cost time, not bytes.
- Right after its daily tip a subscriber, each independently: checks in ✅ (`CHECK_IN`,
  30 %), votes 👍/👎 (`VOTE`, 5 %, four in five 👍), adds 2-4 plants of the shipped list to
  its week (`PLANTS`, 20 %), asks /tip (`ASK`, 3 %: the chooser's single-chat path that marks
  the tip seen).
- Once a day, at a random tick: one subscriber in `STOP_SHARE` (1 in 2,000, at least one)
  sends /stop, and each stopped one comes back with /start with chance `RETURN` (10 %).
- Every tick runs the sweep's chores (`chores`), each call timed in wall and CPU time.
- At the end of each calendar month the file is measured (`benchmarks.storage_sizes`).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import sys
import tempfile
import time as timer
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.figures import Figure
from benchmarks.storage_sizes import Size, figures, measure
from bot.service.metrics import Metrics
from bot.service.sweeping import Sweeper, SweepHeartbeat
from bot.service.wiring import tip_chooser
from habits.weeks import week_start
from scheduler.claiming import CLAIM_BATCH, Claim, claim_batch
from scheduler.delivery import ChooseTips, Delivery
from scheduler.due import Schedule
from scheduler.lifecycle import DeliveryStatus
from storage import Store
from tips import load_library, next_tip, plant_list

SEED = 19
START = datetime(2026, 1, 1, tzinfo=UTC)
STEP = timedelta(minutes=5)
# Peak minutes measured after the year, on as many following days: the least CPU is the
# figure (others on the host only ever add to it), as `benchmarks.claims` reports.
PEAKS = 5
DEFAULT = Schedule(time(8, 0), ZoneInfo("UTC"))
ZONES = (
    "UTC", "Europe/London", "Europe/Berlin", "Europe/Moscow", "America/New_York",
    "America/Chicago", "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata",
    "Asia/Kathmandu", "Asia/Tokyo", "Australia/Sydney", "Australia/Adelaide",
    "Pacific/Auckland", "Africa/Lagos", "America/St_Johns",
)  # fmt: skip
CHECK_IN, VOTE, LIKES, PLANTS, ASK = 0.30, 0.05, 0.8, 0.20, 0.03
STOP_SHARE, RETURN = 1 / 2_000, 0.10
HOLDER = "year-bench"


@dataclass
class Year:
    """The simulated world and what happened in it."""

    store: Store
    path: Path
    subscribers: int
    days: int
    now: datetime = START
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    stopped: set[int] = field(default_factory=set)
    touched: set[int] = field(default_factory=set)  # chats that sent /stop at some point
    tips: Counter[int] = field(default_factory=Counter)  # daily tips per chat
    last_day: dict[int, date] = field(default_factory=dict)
    duplicates: int = 0  # a second daily tip for a chat's local day: must stay 0
    actions: Counter[str] = field(default_factory=Counter)
    stalls: list[tuple[float, float]] = field(default_factory=list)  # chores: wall, CPU s
    months: list[tuple[int, Size]] = field(default_factory=list)  # (day, size) at month ends
    seconds: float = 0.0


class World:
    """The real parts the year runs through: the chooser, the library, the chores."""

    def __init__(self, year: Year) -> None:
        self.year = year
        library = load_library()
        self.pool = library.tips_for(None)
        self.plants = list(plant_list().names)
        self.choose = tip_chooser(year.store, library, random.Random(SEED + 1))
        self.tip_rng = random.Random(SEED + 2)
        self.numbers = itertools.count()
        self.steps = Steps()
        self.loop = asyncio.new_event_loop()
        self.sweeper = _sweeper(year.store, self.choose, lambda: year.now, self.steps)

    def token(self) -> str:
        return f"{HOLDER}#{next(self.numbers)}"

    def chores(self) -> list[tuple[float, float]]:
        """The sweep's chores, exactly what the bot runs every `TIDY_EVERY`; each step's
        (wall, CPU) seconds: what it held the event loop between two of its pauses."""
        self.steps.lap()
        self.loop.run_until_complete(self.sweeper.tidy())
        return self.steps.lap()


class Steps:
    """The chores' pauses, as the sweeper's `sleep`: each ends a step that held the loop."""

    def __init__(self) -> None:
        self.laps: list[tuple[float, float]] = []
        self._wall, self._cpu = timer.perf_counter(), timer.process_time()

    async def pause(self, _seconds: float) -> None:
        self._record()

    def lap(self) -> list[tuple[float, float]]:
        """The steps since the last lap (the last one ended now)."""
        self._record()
        laps, self.laps = self.laps, []
        return laps

    def _record(self) -> None:
        wall, cpu = timer.perf_counter(), timer.process_time()
        self.laps.append((wall - self._wall, cpu - self._cpu))
        self._wall, self._cpu = wall, cpu


def _sweeper(
    store: Store, choose: ChooseTips, clock: Callable[[], datetime], steps: Steps
) -> Sweeper:
    """The bot's own `Sweeper` (its `tidy` is the chores); this one never sends."""

    async def never(*_: object) -> object:  # pragma: no cover - the benchmark does not send
        raise AssertionError("the storage benchmark does not send")

    delivery = Delivery(store, choose, never, clock)
    heartbeat = SweepHeartbeat(store, clock, HOLDER)
    return Sweeper(store, delivery, heartbeat, Metrics(), clock, sleep=steps.pause)


def simulate(
    path: Path, subscribers: int, days: int, *, report: Callable[[str], None] = print
) -> tuple[Year, World]:
    """Live `days` days with `subscribers` subscribers in a new database at `path`."""
    started = timer.perf_counter()
    year = Year(Store.open(path), path, subscribers, days)
    world = World(year)
    onboard(year)
    for day in range(days):
        live_day(year, world, day)
        tomorrow = START + timedelta(days=day + 1)
        if tomorrow.day == 1 or day == days - 1:
            year.months.append((day + 1, measure(year.store, path, subscribers)))
            size, seconds = year.months[-1][1], timer.perf_counter() - started
            report(f"day {day + 1}: {size.per_subscriber:,.0f} B/subscriber, {seconds:,.0f} s")
    year.seconds = timer.perf_counter() - started
    return year, world


def onboard(year: Year) -> None:
    """Every subscriber sends /start, then sets a delivery time and a zone."""
    store, rng, now = year.store, year.rng, year.now
    for chat_id in range(1, year.subscribers + 1):
        store.subscribe(chat_id, "private", DEFAULT, now)
        at = time(rng.randrange(6, 22), rng.choice((0, 15, 30, 45)))
        zone = ZoneInfo(rng.choice(ZONES))
        store.set_schedule(chat_id, now, chat_type="private", default=DEFAULT, at=at, timezone=zone)


def live_day(year: Year, world: World, day: int) -> None:
    """One simulated day, tick by tick: claims, reactions, a few /stop and /start, chores."""
    ticks = int(timedelta(days=1) / STEP)
    comings_and_goings = year.rng.randrange(ticks)
    for tick in range(ticks):
        year.now = START + timedelta(days=day) + tick * STEP
        serve(year, world)
        if tick == comings_and_goings:
            stop_and_start(year)
        year.stalls += world.chores()


def serve(year: Year, world: World) -> None:
    """Claim everyone due now, as the engine does, and finish each tip as sent."""
    store, now = year.store, year.now
    while claims := claim_batch(store, world.choose, now, CLAIM_BATCH, world.token):
        for claim in claims:  # (the fence's read before each send changes no byte: left out)
            store.finish_delivery(
                claim.chat_id, claim.day, DeliveryStatus.SENT, now, None, claim=claim.claim
            )
            count(year, claim)
            react(year, world, claim)


def count(year: Year, claim: Claim) -> None:
    """Tally the chat's daily tip; a second one for the same local day is a duplicate."""
    last = year.last_day.get(claim.chat_id)
    if last is not None and claim.day <= last:
        year.duplicates += 1
    year.last_day[claim.chat_id] = claim.day
    year.tips[claim.chat_id] += 1


def react(year: Year, world: World, claim: Claim) -> None:
    """What a subscriber does after its daily tip (rates in the module's docstring)."""
    store, rng, now, chat_id = year.store, year.rng, year.now, claim.chat_id
    if rng.random() < CHECK_IN:
        store.check_in(chat_id, claim.day)
        year.actions["check-ins"] += 1
    if rng.random() < VOTE:
        store.vote(chat_id, claim.tip_id, 1 if rng.random() < LIKES else -1, now)
        year.actions["votes"] += 1
    if rng.random() < PLANTS:
        names = rng.sample(world.plants, rng.randint(2, 4))
        store.add_plants(chat_id, week_start(claim.day), names)
        year.actions["plant messages"] += 1
    if rng.random() < ASK:
        next_tip(store, world.pool, chat_id, world.tip_rng, now)
        year.actions["/tip"] += 1


def stop_and_start(year: Year) -> None:
    """The day's /stop (a few active subscribers) and /start (some of the stopped ones)."""
    store, rng, now = year.store, year.rng, year.now
    back = sorted(chat_id for chat_id in year.stopped if rng.random() < RETURN)
    for chat_id in back:
        store.subscribe(chat_id, "private", DEFAULT, now)
        year.stopped.discard(chat_id)
    year.actions["/start again"] += len(back)
    leaving = max(1, round(year.subscribers * STOP_SHARE))
    for chat_id in rng.sample(range(1, year.subscribers + 1), leaving):
        if chat_id not in year.stopped and store.unsubscribe(chat_id, now):
            year.stopped.add(chat_id)
            year.touched.add(chat_id)
            year.actions["/stop"] += 1


def peak(year: Year, world: World, count: int = 1_000, later: int = 0) -> tuple[int, float]:
    """`count` subscribers, each with its history, moved to one minute nobody else has
    (00:07 UTC, `later` days after the day after the year): the claims made then and their
    CPU seconds."""
    store, day_after = year.store, START + timedelta(days=year.days + later)
    active = sorted(set(range(1, year.subscribers + 1)) - year.stopped)
    minute = day_after + timedelta(minutes=7)
    while year.now + STEP < minute:  # everyone's tips until then, each as it falls due
        year.now += STEP
        serve(year, world)
    for chat_id in random.Random(SEED).sample(active, min(count, len(active))):  # each day the same
        store.set_schedule(
            chat_id, day_after, chat_type="private", default=DEFAULT,
            at=minute.time(), timezone=ZoneInfo("UTC"),
        )  # fmt: skip
    year.now = minute - timedelta(minutes=1)
    serve(year, world)  # whoever else is still due first: the peak minute is theirs alone
    year.now, claimed, cpu = minute, [], 0.0
    while True:
        started = timer.process_time()
        batch = claim_batch(store, world.choose, minute, CLAIM_BATCH, world.token)
        cpu += timer.process_time() - started
        if not batch:
            break
        claimed += batch
    for claim in claimed:
        store.finish_delivery(
            claim.chat_id, claim.day, DeliveryStatus.SENT, minute, None, claim=claim.claim
        )
    return len(claimed), cpu


def run(subscribers: int = 20_000, days: int = 365) -> list[Figure]:
    """The year in a temporary folder, then its figures (progress on stderr)."""
    with tempfile.TemporaryDirectory() as folder:
        year, world = simulate(Path(folder) / "year.db", subscribers, days, report=_progress)
        peaks = [peak(year, world, later=later) for later in range(PEAKS)]
        year.store.close()
    return figures(year, peaks)


def _progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
