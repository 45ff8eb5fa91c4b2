"""What one claim costs: CPU per daily tip claimed when 1,000 subscribers fall due in one minute.

A claim is the sweep's share of a daily tip before it is sent: who is due, the chosen tip
(the rotation read for the whole batch), the claim row written, the chat's queue place moved.
It holds the event loop, so it is measured in CPU time (`time.process_time`, not the wall
clock another helper's process may share). The chats have some history first: part of a
rotation cycle seen (0 to 150 of the library's tips, as a long-time subscriber has), then
three earlier days of the same claim-and-send, so the deliveries table is not empty either.
"""

from __future__ import annotations

import functools
import itertools
import random
import shutil
import tempfile
import time as timer
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks.figures import Figure, at_most, info
from bot.service.wiring import tip_chooser
from scheduler.claiming import CLAIM_BATCH, claim_batch
from scheduler.due import Schedule
from scheduler.lifecycle import DeliveryStatus
from storage import Store
from tips import Library, load_library

DUE = 1_000
HISTORY_DAYS = 3
SEEN_UP_TO = 150  # tips of the current rotation cycle a chat has seen, at most
TARGET_US = 50
RUNS = 7  # claim runs at the sweep's batch size, each on a copy of the same database
SMALL_RUNS = 3
AT = time(7, 0)
MORNING = datetime(2026, 3, 10, 7, 0, tzinfo=UTC)


def subscribe(store: Store, count: int, since: datetime) -> None:
    """`count` private chats, all at 07:00 UTC, subscribed at `since`, each part of the way
    through its rotation cycle."""
    schedule = Schedule(AT, ZoneInfo("UTC"))
    tip_ids = [tip.id for tip in _library().tips_for(None)]
    rng = random.Random(7)
    with store.transaction():
        for chat_id in range(1, count + 1):
            store.subscribe(chat_id, "private", schedule, since)
            for tip_id in rng.sample(tip_ids, rng.randrange(SEEN_UP_TO + 1)):
                store.mark_seen(chat_id, tip_id, since)


def claim_all(store: Store, now: datetime, limit: int) -> tuple[int, float, float]:
    """Claim everyone due at `now`, `limit` per batch as the sweep does; the claims made, the
    CPU seconds they took, and the longest batch's CPU seconds."""
    choose = tip_chooser(store, _library(), random.Random(1))
    numbers = itertools.count()
    claimed, spent, longest = 0, 0.0, 0.0
    while True:
        started = timer.process_time()
        batch = claim_batch(store, choose, now, limit, lambda: f"bench#{next(numbers)}")
        took = timer.process_time() - started
        if not batch:
            return claimed, spent, longest
        claimed, spent, longest = claimed + len(batch), spent + took, max(longest, took)


@functools.cache
def _library() -> Library:
    return load_library()


def send_all(store: Store, now: datetime) -> None:
    """Close every pending claim as sent (each tip then enters its chat's rotation)."""
    for pending in store.pending_deliveries():
        store.finish_delivery(
            pending.chat_id, pending.local_date, DeliveryStatus.SENT, now, None, claim=pending.claim
        )


def prepared(folder: Path) -> Path:
    """A database with `DUE` chats and `HISTORY_DAYS` days of history, this morning still to
    claim; checkpointed and closed, so each run starts from a copy of the same file."""
    path = folder / "prepared.db"
    store = Store.open(path)
    try:
        subscribe(store, DUE, MORNING - timedelta(days=HISTORY_DAYS + 1))
        for days_ago in range(HISTORY_DAYS, 0, -1):
            morning = MORNING - timedelta(days=days_ago)
            claim_all(store, morning, CLAIM_BATCH)
            send_all(store, morning + timedelta(minutes=1))
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return path


def measure(source: Path, run: int, limit: int) -> tuple[int, float, float]:
    """Claim this morning on a fresh copy of the `prepared` database `source`."""
    copy = source.with_name(f"run-{run}.db")
    shutil.copyfile(source, copy)
    store = Store.open(copy)
    try:
        return claim_all(store, MORNING, limit)
    finally:
        store.close()


def run() -> list[Figure]:
    """The per-claim CPU figure at the sweep's batch size, and at the free rate's 16: the
    least of `RUNS` runs, each on a copy of one prepared database. CPU time still varies
    from run to run on a shared machine (by half, on the 2-core development machine), and
    what another process takes from the caches only ever adds to it; the spread is shown."""
    with tempfile.TemporaryDirectory() as folder:
        path = prepared(Path(folder))
        runs = [measure(path, number, CLAIM_BATCH) for number in range(RUNS)]
        small = [measure(path, RUNS + number, 16) for number in range(SMALL_RUNS)]
    assert {claimed for claimed, _, _ in runs + small} == {DUE}, f"claimed not {DUE}: {runs}"
    per_claim = sorted(spent / DUE * 1e6 for _, spent, _ in runs)
    return [
        at_most(
            f"CPU per claim at {DUE:,} due (batches of {CLAIM_BATCH}, least of {RUNS})",
            per_claim[0],
            TARGET_US,
            " µs",
            digits=1,
        ),
        info(
            "… each run, in order of cost",
            " / ".join(f"{value:.1f}" for value in per_claim) + " µs",
        ),
        info(
            f"CPU of the longest batch of {CLAIM_BATCH} (all runs)",
            f"{max(longest for _, _, longest in runs) * 1000:.2f} ms",
        ),
        info(
            f"CPU per claim at {DUE:,} due (batches of 16, least of {SMALL_RUNS})",
            f"{min(spent for _, spent, _ in small) / DUE * 1e6:.1f} µs",
        ),
    ]
