"""How the SQLite store holds up with a large audience.

Builds N subscribers (default 1,000,000) spread over timezones and delivery times, then
measures: the "who is due now" query and a whole idle `Delivery.sweep()` when nobody is due
(what every wake-up and safety sweep costs), and claiming a peak minute in which a tenth of
everyone is due (daily tip chosen by the real rotation, claim written, next delivery computed).
"""

from __future__ import annotations

import asyncio
import random
import resource
import statistics
import tempfile
import time as timer
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.figures import Figure, at_most, info
from bot.service.wiring import tip_chooser
from scheduler.claiming import CLAIM_BATCH
from scheduler.delivery import Delivery
from scheduler.due import Schedule, next_due
from storage import Store
from tips import load_library

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
PEAK = time(7, 0)


def build(
    store: Store, count: int, now: datetime, rng: random.Random, since: datetime | None = None
) -> float:
    """Insert `count` active subscribers; a tenth share the peak minute (07:00 UTC).

    They subscribed at `since` (default: a day before `now`, so today's tips are owed); with
    `since` after `now` nobody is due before it."""
    started = timer.perf_counter()
    since = since or now - timedelta(days=1)
    rows = []
    for chat_id in range(1, count + 1):
        peak = chat_id % 10 == 0
        zone = "UTC" if peak else rng.choice(ZONES)
        at = PEAK if peak else time(rng.randrange(5, 11), rng.choice((0, 15, 30, 45)))
        schedule = Schedule(at, ZoneInfo(zone), since)
        due = int(next_due(schedule, None, now).timestamp())
        rows.append((chat_id, at.strftime("%H:%M"), zone, int(since.timestamp()), due))
        if len(rows) == 50_000:
            _insert(store, rows)
            rows = []
    _insert(store, rows)
    return timer.perf_counter() - started


def add_due(store: Store, chat_ids: Iterable[int], at: datetime) -> None:
    """Private chats due at `at` (their local time, UTC), subscribed two hours before."""
    since = int((at - timedelta(hours=2)).timestamp())
    hhmm, due = at.strftime("%H:%M"), int(at.timestamp())
    _insert(store, [(chat_id, hhmm, "UTC", since, due) for chat_id in chat_ids])


def _insert(store: Store, rows: list[tuple]) -> None:
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
            " schedule_since, next_due_at, subscribed_at, updated_at)"
            " VALUES (?, 'private', 1, ?, ?, ?, ?, '', '')",
            rows,
        )


def query_ms(store: Store, now: datetime, runs: int = 200) -> float:
    """Median time of one "who is due now" query (a batch of up to 500)."""
    timings = []
    for _ in range(runs):
        started = timer.perf_counter()
        store.due_subscribers(now, 500)
        timings.append(timer.perf_counter() - started)
    return statistics.median(timings) * 1000


def delivery_for(store: Store, now: datetime) -> Delivery:
    library, rng = load_library(), random.Random(1)
    return Delivery(store, tip_chooser(store, library, rng), _never_called, lambda: now)


def idle_sweeps_ms(store: Store, now: datetime, runs: int = 20) -> list[float]:
    """Times of whole `Delivery.sweep()` calls when nobody is due (the first: at start-up)."""
    delivery = delivery_for(store, now)

    async def sweeps() -> list[float]:
        timings = []
        for _ in range(runs):
            started = timer.perf_counter()
            report = await delivery.sweep()
            timings.append((timer.perf_counter() - started) * 1000)
            assert not report, f"nobody should be due, yet: {report}"
        return timings

    return asyncio.run(sweeps())


def claim_peak(store: Store, now: datetime, limit: int) -> tuple[int, float, float]:
    """Claim up to `limit` due subscribers the way the sweep does (`CLAIM_BATCH` at a time);
    the total time, and the longest one batch held the event loop."""
    delivery = delivery_for(store, now)
    claimed, started, longest = 0, timer.perf_counter(), 0.0
    while claimed < limit:
        batch_started = timer.perf_counter()
        batch = delivery.claim_due(now, CLAIM_BATCH)
        longest = max(longest, timer.perf_counter() - batch_started)
        if not batch:
            break
        claimed += len(batch)
    return claimed, timer.perf_counter() - started, longest


async def _never_called(chat_id: int, claim: object, still_wanted):  # pragma: no cover
    raise AssertionError("this benchmark does not send")


def add_history(store: Store, count: int, day: datetime) -> None:
    """One sent daily tip on `day` for chats 1..count (a day of history in `deliveries`)."""
    sent_at = int(day.timestamp())
    local_day = (day.date() - date(1970, 1, 1)).days
    with store.transaction():
        tip = store.tips.number("fiber-oats")
        rows = ((chat_id, local_day, tip, sent_at) for chat_id in range(1, count + 1))
        store.db.conn.executemany(
            "INSERT INTO deliveries (chat_id, local_day, tip, status, updated_at, delivered_at)"
            " VALUES (?, ?, ?, 'sent', ?4, ?4)",
            rows,
        )


def run(count: int = 1_000_000, peak_claims: int = 20_000) -> list[Figure]:
    """Store-scale figures, and the idle sweep target of benchmark 7."""
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scale.db"
        store = Store.open(path)
        built = build(store, count, now, random.Random(7))
        earliest = store.db.execute("SELECT min(next_due_at) FROM subscribers").fetchone()[0]
        quiet = datetime.fromtimestamp(earliest - 1, UTC)
        idle = query_ms(store, quiet)
        sweeps = idle_sweeps_ms(store, quiet)
        batch = query_ms(store, now)
        add_history(store, count, now - timedelta(days=1))
        sweeps_with_history = idle_sweeps_ms(store, quiet)
        claimed, seconds, longest = claim_peak(store, now.replace(hour=7, minute=0), peak_claims)
        size = path.stat().st_size + Path(f"{path}-wal").stat().st_size
        store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = f"{count:,}"
    return [
        info(f"store {n}: build (insert + next_due each)", f"{built:.1f} s"),
        info(f"store {n}: due-now query, nobody due (median)", f"{idle:.3f} ms"),
        info(f"store {n}: due-now query, 500 due (median)", f"{batch:.3f} ms"),
        at_most(
            f"{n} subscribers: idle sweep (median of 20)", statistics.median(sweeps), 20, " ms"
        ),
        at_most(f"{n} subscribers: idle sweep (max of 20)", max(sweeps), 20, " ms"),
        info(
            f"store {n}: idle sweep with a day of history ({count:,} deliveries rows)",
            f"median {statistics.median(sweeps_with_history):.2f} ms,"
            f" max {max(sweeps_with_history):.2f} ms",
        ),
        info(
            f"store {n}: peak minute, claim {claimed:,} due tips",
            f"{seconds:.2f} s ({claimed / seconds:,.0f}/s)",
        ),
        at_most(
            f"store {n}: longest claim of {CLAIM_BATCH} (loop held)", longest * 1000, 20, " ms"
        ),
        info(f"store {n}: database size", f"{size / 1e6:.0f} MB"),
        info(f"store {n}: benchmark peak RSS", f"{rss:.0f} MB"),
    ]
