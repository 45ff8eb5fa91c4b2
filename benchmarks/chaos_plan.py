"""What the chaos benchmark will do, decided up front from a seed: who is due when and where,
who blocks the bot or becomes a supergroup, who writes what when, and when processes are
killed or paused and the disk fills. A pure function of (scale, seed, first due minute)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# Whole, half and three-quarter hour offsets, both hemispheres (DST or not, depending on date).
ZONES = (
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/St_Johns",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
    "Australia/Adelaide",
    "Pacific/Auckland",
    "Pacific/Chatham",
)
ADMIN = 4242  # the user who administers every group
FIRST_PRIVATE = 10_001
FIRST_GROUP = -4_001  # a basic group; it migrates to SUPERGROUP_BASE - its number
SUPERGROUP_BASE = -1_000_000_000_000
FIRST_ASKER = 900_001  # chats that only ask /tip (not subscribers: their replies are no daily tip)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Scale:
    """How big and how long; the process and disk events as (kind, due-minute index, seconds
    after that minute: (from, to) drawn, how long it lasts)."""

    private: int
    groups: int
    blocked: int
    migrating: int
    stoppers: int
    pausers: int
    movers: int
    askers: int
    minutes: int
    ask_every: float
    events: tuple[tuple[str, int, tuple[float, float], float], ...]
    tail: float  # seconds waited after the last due minute for late tips
    lead: float  # at least this many seconds from set-up's end to the first due minute


FULL = Scale(
    private=320,
    groups=8,
    blocked=8,
    migrating=4,
    stoppers=12,
    pausers=10,
    movers=16,
    askers=6,
    minutes=7,
    ask_every=2.0,
    events=(
        ("kill", 1, (0.3, 1.5), 0),
        ("stop", 3, (0.3, 1.0), 90),
        ("disk", 5, (-20, -20), 45),
        ("kill", 6, (0.3, 1.5), 0),
    ),
    tail=120,
    lead=30,
)
QUICK = Scale(
    private=56,
    groups=4,
    blocked=3,
    migrating=2,
    stoppers=4,
    pausers=3,
    movers=4,
    askers=3,
    minutes=2,
    ask_every=2.0,
    events=(("stop", 0, (0.2, 0.6), 30), ("kill", 1, (0.3, 1.0), 0)),
    tail=25,
    lead=15,
)


@dataclass(frozen=True)
class Subscriber:
    chat_id: int
    zone: str
    due: datetime  # the UTC minute today's tip is due
    group: bool = False

    def local_time(self, moment: datetime | None = None) -> str:
        """`HH:MM` of `moment` (its due minute by default) in its timezone, for /time."""
        return f"{(moment or self.due).astimezone(ZoneInfo(self.zone)):%H:%M}"

    def set_up(self) -> tuple[str, ...]:
        """The commands that subscribe it, as a person would type them."""
        return ("/start", f"/timezone {self.zone}", f"/time {self.local_time()}")


@dataclass(frozen=True)
class Command:
    """A user's command during the run (in a private chat)."""

    at: datetime
    chat_id: int
    text: str

    @property
    def name(self) -> str:
        return self.text.split()[0]


@dataclass(frozen=True)
class Event:
    """kill (kill -9 of the lease holder, restarted at once), stop (SIGSTOP of the holder for
    `seconds`, then SIGCONT) or disk (the database's disk full for `seconds`)."""

    kind: str
    at: datetime
    seconds: float = 0


@dataclass(frozen=True)
class Plan:
    seed: int
    minutes: tuple[datetime, ...]
    subscribers: tuple[Subscriber, ...]
    blocked: frozenset[int]
    migrations: dict[int, int]  # basic group -> the supergroup it becomes
    moves: dict[int, datetime]  # chat -> the due minute its /time during the run asks for
    askers: tuple[int, ...]
    commands: tuple[Command, ...]  # during the run, in time order
    events: tuple[Event, ...]
    end: datetime  # when the run stops waiting for tips

    def subscriber(self, chat_id: int) -> Subscriber | None:
        return next((s for s in self.subscribers if s.chat_id == chat_id), None)


def first_minute(now: datetime, setup_seconds: float, scale: Scale) -> datetime:
    """The first due minute: a minute boundary at least set-up plus `scale.lead` away."""
    earliest = now + timedelta(seconds=setup_seconds + scale.lead)
    return earliest.replace(second=0, microsecond=0) + MINUTE


def zones_for(start: datetime, end: datetime) -> tuple[str, ...]:
    """The zones whose local date is the same from `start` to `end`: there `/time HH:MM` means
    today's slot, and every tip of the run counts for one local day."""
    same = [
        zone
        for zone in ZONES
        if start.astimezone(ZoneInfo(zone)).date() == end.astimezone(ZoneInfo(zone)).date()
    ]
    return tuple(same)


def make_plan(scale: Scale, seed: int, first: datetime, now: datetime) -> Plan:
    rng = random.Random(seed)
    minutes = tuple(first + i * MINUTE for i in range(scale.minutes))
    end = minutes[-1] + timedelta(seconds=scale.tail)
    zones = zones_for(now, end + 5 * MINUTE)
    subscribers = _subscribers(scale, rng, minutes, zones)
    private = [s for s in subscribers if not s.group]
    rng.shuffle(private)
    blocked, private = private[: scale.blocked], private[scale.blocked :]
    stoppers, private = private[: scale.stoppers], private[scale.stoppers :]
    pausers, private = private[: scale.pausers], private[scale.pausers :]
    movable = [s for s in private if s.due < minutes[-1]]
    movers = movable[: scale.movers]
    moves = {s.chat_id: min(s.due + rng.choice((1, 2)) * MINUTE, minutes[-1]) for s in movers}
    askers = tuple(FIRST_ASKER + i for i in range(scale.askers))
    start = first - timedelta(seconds=scale.lead - 5)
    commands = [
        *(_around(rng, s, "/stop", (-50, 20), start) for s in stoppers),
        *(_around(rng, s, "/pause 1", (-50, -15), start) for s in pausers),
        *(_move(rng, s, moves[s.chat_id], start) for s in movers),
        *_asks(askers, start, minutes[-1] + timedelta(seconds=30), scale.ask_every),
    ]
    groups = [s for s in subscribers if s.group][: scale.migrating]
    return Plan(
        seed=seed,
        minutes=minutes,
        subscribers=subscribers,
        blocked=frozenset(s.chat_id for s in blocked),
        migrations={s.chat_id: SUPERGROUP_BASE + s.chat_id for s in groups},
        moves=moves,
        askers=askers,
        commands=tuple(sorted(commands, key=lambda c: c.at)),
        events=tuple(_events(scale, rng, minutes)),
        end=end,
    )


def _subscribers(
    scale: Scale, rng: random.Random, minutes: tuple[datetime, ...], zones: tuple[str, ...]
) -> tuple[Subscriber, ...]:
    """Private chats and groups, spread evenly over the minutes, each in a random zone."""
    found = [
        Subscriber(FIRST_PRIVATE + i, rng.choice(zones), minutes[i % len(minutes)])
        for i in range(scale.private)
    ]
    found += [
        Subscriber(FIRST_GROUP - i, rng.choice(zones), minutes[i % len(minutes)], group=True)
        for i in range(scale.groups)
    ]
    return tuple(found)


def _around(
    rng: random.Random,
    subscriber: Subscriber,
    text: str,
    window: tuple[float, float],
    start: datetime,
) -> Command:
    at = subscriber.due + timedelta(seconds=rng.uniform(*window))
    return Command(max(at, start), subscriber.chat_id, text)


def _move(rng: random.Random, subscriber: Subscriber, due: datetime, start: datetime) -> Command:
    """/time to a later minute, asked 25 to 55 s before the tip was due."""
    at = subscriber.due + timedelta(seconds=rng.uniform(-55, -25))
    return Command(max(at, start), subscriber.chat_id, f"/time {subscriber.local_time(due)}")


def _asks(askers: tuple[int, ...], start: datetime, end: datetime, every: float) -> list[Command]:
    """/tip from each asker in turn, one every `every` seconds."""
    count = int((end - start).total_seconds() // every)
    step = timedelta(seconds=every)
    return [Command(start + i * step, askers[i % len(askers)], "/tip") for i in range(count)]


def _events(scale: Scale, rng: random.Random, minutes: tuple[datetime, ...]) -> list[Event]:
    return [
        Event(kind, minutes[index] + timedelta(seconds=rng.uniform(*offsets)), seconds)
        for kind, index, offsets, seconds in scale.events
    ]


def utc_now() -> datetime:
    return datetime.now(UTC)
