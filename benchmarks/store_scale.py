"""How the SQLite store holds up with a large audience.

Builds N subscribers (default 1,000,000) spread over timezones and delivery times, then
measures: the "who is due now" query when nobody is due (what every 15-second sweep costs),
and claiming a peak minute in which a tenth of everyone is due (daily tip chosen by the real
rotation, claim written, next delivery computed).
"""

from __future__ import annotations

import random
import resource
import statistics
import tempfile
import time as timer
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.delivery import Delivery
from scheduler.due import Schedule, next_due
from storage import Store
from tips import load_library, next_tip

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
PEAK = time(7, 0)


def build(store: Store, count: int, now: datetime, rng: random.Random) -> float:
    """Insert `count` active subscribers; a tenth share the peak minute (07:00 UTC)."""
    started = timer.perf_counter()
    since = int((now - timedelta(days=1)).timestamp())
    rows = []
    for chat_id in range(1, count + 1):
        peak = chat_id % 10 == 0
        zone = "UTC" if peak else rng.choice(ZONES)
        at = PEAK if peak else time(rng.randrange(5, 11), rng.choice((0, 15, 30, 45)))
        schedule = Schedule(at, ZoneInfo(zone), datetime.fromtimestamp(since, UTC))
        due = int(next_due(schedule, None, now).timestamp())
        rows.append((chat_id, at.strftime("%H:%M"), zone, since, due))
        if len(rows) == 50_000:
            _insert(store, rows)
            rows = []
    _insert(store, rows)
    return timer.perf_counter() - started


def _insert(store: Store, rows: list[tuple]) -> None:
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
            " schedule_since, next_due_at, subscribed_at, updated_at)"
            " VALUES (?, 'private', 1, ?, ?, ?, ?, '', '')",
            rows,
        )


def query_ms(store: Store, now: datetime, runs: int = 200) -> float:
    """Median time of one sweep's "who is due now" query (a batch of up to 500)."""
    timings = []
    for _ in range(runs):
        started = timer.perf_counter()
        store.due_subscribers(now, 500)
        timings.append(timer.perf_counter() - started)
    return statistics.median(timings) * 1000


def claim_peak(store: Store, now: datetime, limit: int) -> tuple[int, float]:
    """Claim up to `limit` due subscribers the way the sweep does, batch by batch."""
    library, rng = load_library(), random.Random(1)
    delivery = Delivery(
        store,
        lambda chat_id, when: next_tip(store, library.tips, chat_id, rng, when).id,
        _never_called,
        lambda: now,
    )
    claimed, started = 0, timer.perf_counter()
    while claimed < limit and (batch := delivery.claim_due(now)):
        claimed += len(batch)
    return claimed, timer.perf_counter() - started


async def _never_called(chat_id: int, tip_id: str):  # pragma: no cover - claims only
    raise AssertionError("this benchmark does not send")


def run(count: int = 1_000_000, peak_claims: int = 20_000) -> dict[str, str]:
    now = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scale.db"
        store = Store.open(path)
        built = build(store, count, now, random.Random(7))
        earliest = store.db.execute("SELECT min(next_due_at) FROM subscribers").fetchone()[0]
        idle = query_ms(store, datetime.fromtimestamp(earliest - 1, UTC))
        batch = query_ms(store, now)
        claimed, seconds = claim_peak(store, now.replace(hour=7, minute=0), peak_claims)
        size = path.stat().st_size + Path(f"{path}-wal").stat().st_size
        store.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "subscribers": f"{count:,}",
        "build (insert + next_due for each)": f"{built:.1f} s ({count / built:,.0f} rows/s)",
        "due-now query, nobody due (median)": f"{idle:.3f} ms",
        "due-now query, a batch of 500 due (median)": f"{batch:.3f} ms",
        f"peak minute: claim {claimed:,} due tips": f"{seconds:.2f} s ({claimed / seconds:,.0f}/s)",
        "database size": f"{size / 1e6:.0f} MB",
        "peak memory (RSS)": f"{rss:.0f} MB",
    }
