"""The upgrade from the last release: a version 10 file with a million subscribers' history,
opened by this version (integrity check, migrations 11-16, then the one VACUUM that turns on
incremental auto-vacuum), timed in all and by part (docs/operations.md, "Upgrading").

The file is built as a version 10 bot left it: the first ten migrations on a fresh file (no
auto-vacuum, WAL mode), then filled with plain SQL, day by day as a bot writes, per
subscriber: `HISTORY` (14 days of delivery records, 60 seen tips, 4 votes, 30 check-ins over
three months, two weeks of plants at 6 a week) and a week of events. The build runs in a
child process, so the peak memory reported is the upgrade's alone. The file was just written:
it is in the OS page cache, as on a server that has been running the old version.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import random
import re
import resource
import sqlite3
import sys
import tempfile
import time as timer
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import storage.schema
import storage.space
import storage.store
from benchmarks.figures import Figure, info
from benchmarks.space import Said
from benchmarks.store_scale import ZONES
from storage import Store
from tips import load_library, plant_list

RELEASED = 10  # the last released schema version
NOW = datetime(2026, 3, 4, 6, 0, tzinfo=UTC)  # a Wednesday: this week's plants and last week's
HISTORY = {"deliveries": 14, "seen_tips": 60, "feedback": 4, "checkins": 30, "plants": 12}
EVENTS_PER_SUBSCRIBER = 0.2  # a week of joins, leaves and flood waits
TOKEN = "bot-host:4242:5f3a9c1e#"  # a v10 claim token (host, pid, random part), kept on finish

_COUNTER = "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < {})"


def version_10(path: Path) -> Database:
    """A new file with the released migrations, as `tests/databases.py` makes it."""
    db = Database(sqlite3.connect(path))
    for number, migration in enumerate(storage.schema.MIGRATIONS[:RELEASED], start=1):
        migration(db)
        db.execute(f"PRAGMA user_version = {number}")
    db.conn.commit()
    return db


def _offsets() -> dict[tuple[str, time], int]:
    """Each (zone, delivery time) of the spread: its instant in seconds after the UTC midnight
    starting the same date (negative east of UTC)."""
    midnight = datetime.combine(NOW.date(), time(0), UTC)
    times = [time(hour, minute) for hour in range(5, 11) for minute in (0, 15, 30, 45)]
    return {
        (zone, at): int(
            (datetime.combine(NOW.date(), at, ZoneInfo(zone)) - midnight).total_seconds()
        )
        for zone in ZONES
        for at in times
    }


def subscribers(db: Database, count: int, rng: random.Random) -> None:
    """`count` active subscribers spread over zones and times as `store_scale.build` does; a
    tenth at 07:00 UTC. Each had yesterday's tip; a temporary table keeps its instant's offset."""
    offsets = _offsets()
    yesterday = _day_epoch(NOW.date()) - 86_400
    since = int((NOW - timedelta(days=120)).timestamp())
    stamp = (NOW - timedelta(days=120)).isoformat(timespec="seconds")
    db.execute("CREATE TEMP TABLE plan (chat_id INTEGER PRIMARY KEY, at INTEGER NOT NULL)")
    rows, plan = [], []
    for chat_id in range(1, count + 1):
        peak = chat_id % 10 == 0
        zone = "UTC" if peak else rng.choice(ZONES)
        at = time(7, 0) if peak else time(rng.randrange(5, 11), rng.choice((0, 15, 30, 45)))
        last = yesterday + offsets[zone, at]
        rows.append((chat_id, at.strftime("%H:%M"), zone, last + 86_400, last))
        plan.append((chat_id, offsets[zone, at]))
    db.conn.executemany(
        "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
        " schedule_since, last_delivery, next_due_at, subscribed_at, updated_at,"
        f" last_delivered_at) VALUES (?, 'private', 1, ?, ?, {since},"
        f" '{NOW.date() - timedelta(days=1)}', ?, '{stamp}', '{stamp}', ?)",
        rows,
    )
    db.conn.executemany("INSERT INTO temp.plan VALUES (?, ?)", plan)


def _day_epoch(day: date) -> int:
    return int(datetime.combine(day, time(0), UTC).timestamp())


def _lists(db: Database) -> tuple[int, int]:
    """The shipped tips and plants as temporary tables numbered from 0; their counts."""
    tips = [tip.id for tip in load_library().tips]
    plants = list(plant_list().names)
    db.execute("CREATE TEMP TABLE lib (i INTEGER PRIMARY KEY, tip_id TEXT NOT NULL)")
    db.execute("CREATE TEMP TABLE greens (i INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    db.conn.executemany("INSERT INTO temp.lib VALUES (?, ?)", enumerate(tips))
    db.conn.executemany("INSERT INTO temp.greens VALUES (?, ?)", enumerate(plants))
    return len(tips), len(plants)


_ISO = "strftime('%Y-%m-%dT%H:%M:%S+00:00', {}, 'unixepoch')"
_TIP = "(SELECT tip_id FROM lib WHERE lib.i = ({}) % :tips)"


def history(tips: int, plants: int) -> dict[str, str]:
    """One INSERT ... SELECT per table, day by day (oldest first, as a bot writes them), each
    row's tip and plant picked by a fixed formula of chat and day from the shipped lists."""
    last = _day_epoch(NOW.date()) - 86_400  # yesterday, UTC midnight
    day = f"({last} - (:n - 1 - k.i) * 86400)"  # k.i = 0: the oldest day
    week = _day_epoch(NOW.date() - timedelta(days=NOW.weekday() + 7))  # last week's Monday
    return {
        "deliveries": f"""INSERT INTO deliveries (chat_id, local_date, tip_id, status,
            attempts, delivered_at, updated_at, claim)
            SELECT p.chat_id, date({day}, 'unixepoch'), {_TIP.format("p.chat_id * 7 + k.i")},
                CASE WHEN (p.chat_id + k.i) % 100 = 0 THEN 'failed' ELSE 'sent' END, 1,
                {day} + p.at, {_ISO.format(f"{day} + p.at + 1")}, '{TOKEN}' || (k.i + 1)
            FROM k CROSS JOIN plan AS p""",
        "seen_tips": f"""INSERT INTO seen_tips (chat_id, tip_id, seen_at)
            SELECT p.chat_id, {_TIP.format("p.chat_id * 7 + k.i")},
                {_ISO.format(f"{last} - (:n - 1 - k.i) * 64800 + p.at")}
            FROM k CROSS JOIN plan AS p""",
        "feedback": f"""INSERT INTO feedback (chat_id, tip_id, vote, voted_at)
            SELECT p.chat_id, {_TIP.format("p.chat_id * 7 + k.i * 11")},
                CASE WHEN (p.chat_id + k.i) % 4 = 0 THEN -1 ELSE 1 END,
                {last} - (:n - k.i) * 7 * 86400 + p.at + 60
            FROM k CROSS JOIN plan AS p""",
        # the last 10 days in a row, 20 more every fourth day over the 80 before
        "checkins": f"""INSERT INTO checkins (chat_id, local_date, tip_id, checked_at)
            SELECT p.chat_id, date({last} - g.ago * 86400, 'unixepoch'),
                {_TIP.format("p.chat_id * 7 + g.ago")}, {last} - g.ago * 86400 + p.at + 600
            FROM (SELECT CASE WHEN i < 10 THEN i ELSE 10 + (i - 10) * 4 END AS ago FROM k
                ORDER BY ago DESC) AS g CROSS JOIN plan AS p""",
        "plants": f"""INSERT INTO plants (chat_id, week, plant, added_at)
            SELECT p.chat_id, date({week} + (k.i / 6) * 7 * 86400, 'unixepoch'),
                (SELECT name FROM greens WHERE greens.i = (p.chat_id * 5 + k.i) % {plants}),
                {week} + (k.i / 6) * 7 * 86400 + (k.i % 6) * 3600 + p.at
            FROM k CROSS JOIN plan AS p""",
    }


def events(db: Database, count: int) -> int:
    """A week of events, oldest first."""
    n = int(count * EVENTS_PER_SUBSCRIBER)
    start = int(NOW.timestamp()) - 7 * 86_400
    kinds = ("joined", "joined", "left", "rate_limited")
    rows = ((start + i * 7 * 86_400 // max(n, 1), kinds[i % 4]) for i in range(n))
    db.conn.executemany("INSERT INTO events (at, kind) VALUES (?, ?)", rows)
    return n


def build(path: Path, count: int) -> dict[str, int]:
    """The version 10 file with `count` subscribers and their history; rows per table."""
    db = version_10(path)
    for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -2000000"):
        db.execute(f"PRAGMA {pragma}")
    rows = {"subscribers": count}
    db.conn.execute("BEGIN")
    subscribers(db, count, random.Random(7))
    tips, plants = _lists(db)
    for table, statement in history(tips, plants).items():
        started = timer.perf_counter()
        n = HISTORY[table]
        db.conn.execute(_COUNTER.format(n - 1) + statement, {"n": n, "tips": tips})
        [rows[table]] = db.conn.execute("SELECT changes()").fetchone()
        _say(f"{table}: {rows[table]:,} rows in {timer.perf_counter() - started:.0f} s")
    rows["events"] = events(db, count)
    db.conn.commit()
    db.execute("PRAGMA journal_mode = WAL")  # as every release since the first left it
    db.close()
    return rows


def _say(line: str) -> None:
    print(f"  upgrade: {line}", file=sys.stderr, flush=True)  # progress, beside the report


def _build_apart(path: Path, count: int) -> tuple[dict[str, int], float]:
    """`build` in a child process (its memory is not the upgrade's); rows and seconds."""
    counted = path.with_name("rows.json")
    started = timer.perf_counter()
    child = multiprocessing.get_context("fork").Process(
        target=lambda: counted.write_text(json.dumps(build(path, count)))
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"building the version {RELEASED} file failed: {child.exitcode}")
    return json.loads(counted.read_text()), timer.perf_counter() - started


@contextmanager
def timing(owner: Any, name: str, times: dict[str, float], key: str) -> Iterator[None]:
    """Time every call of `owner.name` into `times[key]` while inside."""
    original: Callable[..., Any] = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = timer.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times[key] = times.get(key, 0.0) + timer.perf_counter() - started
            _say(f"{key}: {times[key]:.1f} s")

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


@contextmanager
def each_migration(times: dict[str, float]) -> Iterator[None]:
    """Time each migration function (its statements; its commit is in `upgrade`'s time)."""
    original = storage.schema.MIGRATIONS

    def timed(number: int, migration: Callable[[Database], None]) -> Callable[[Database], None]:
        def run(db: Database) -> None:
            started = timer.perf_counter()
            migration(db)
            times[f"{number}"] = timer.perf_counter() - started
            _say(f"migration {number}: {times[f'{number}']:.1f} s")

        return run

    storage.schema.MIGRATIONS = tuple(timed(n, m) for n, m in enumerate(original, start=1))
    try:
        yield
    finally:
        storage.schema.MIGRATIONS = original


def first_open(path: Path) -> tuple[float, dict[str, float], dict[str, float], list[str]]:
    """`Store.open` timed: in all, by part, by migration; and what the VACUUM logged."""
    parts: dict[str, float] = {}
    migrations: dict[str, float] = {}
    said = Said()
    logger = logging.getLogger("storage.space")
    logger.addHandler(said)
    logger.setLevel(logging.INFO)
    with ExitStack() as patched:
        patched.enter_context(timing(storage.store, "check_integrity", parts, "check"))
        patched.enter_context(timing(storage.store, "upgrade", parts, "migrations"))
        patched.enter_context(timing(storage.space, "turn_on_incremental", parts, "vacuum"))
        patched.enter_context(each_migration(migrations))
        started = timer.perf_counter()
        store = Store.open(path)
        total = timer.perf_counter() - started
    store.close()
    logger.removeHandler(said)
    return total, parts, migrations, said.lines


def _sizes(path: Path) -> str:
    wal_size = sum(wal.stat().st_size for wal in path.parent.glob(path.name + "-wal"))
    return f"{path.stat().st_size / 1e6:,.0f} MB (+ {wal_size / 1e6:,.0f} MB -wal)"


def run(count: int = 1_000_000) -> list[Figure]:
    label = f"upgrade {count:,}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "v10.db"
        rows, built = _build_apart(path, count)
        before = _sizes(path)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        total, parts, migrations, said = first_open(path)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        after = _sizes(path)
    logged = re.search(r"took ([\d.]+) s", said[-1]) if said else None
    rest = total - sum(parts.values())
    by_number = ", ".join(f"{n}: {s:.1f}" for n, s in migrations.items())
    return [
        info(f"{label}: version {RELEASED} file built", f"{built:.0f} s"),
        info(f"{label}: rows", ", ".join(f"{t} {n:,}" for t, n in rows.items())),
        info(f"{label}: file before", before),
        info(f"{label}: first open in all (stated in docs/operations.md)", f"{total:.1f} s"),
        info(f"{label}: integrity check", f"{parts.get('check', 0):.1f} s"),
        info(f"{label}: migrations 11-16 (with commits)", f"{parts.get('migrations', 0):.1f} s"),
        info(f"{label}: each migration, s", by_number),
        info(f"{label}: the VACUUM (+ its checks)", f"{parts.get('vacuum', 0):.1f} s"),
        info(f"{label}: the VACUUM, as logged", logged.group(1) + " s" if logged else "not run"),
        info(f"{label}: the rest of Store.open", f"{rest:.1f} s"),
        info(f"{label}: file after", after),
        info(f"{label}: peak RSS (before opening)", f"{rss:,.0f} MB ({rss_before:,.0f} MB)"),
    ]
