"""What happened recently, for operators: joins, departures, 429s and failed deliveries.

One small row per event, kept for `KEEP_EVENTS` and pruned in batches by the safety sweep, so
"in the last 24 hours" and "in the last 7 days" survive a restart and cost one indexed count.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlite_utils import Database

KEEP_EVENTS = timedelta(days=8)  # a day more than the longest window asked about


class EventKind(StrEnum):
    """Stored as text, checked by the schema (`storage.migrations.later.EVENT_KINDS_V5`)."""

    JOINED = "joined"  # a chat subscribed, or subscribed again
    LEFT = "left"  # a subscribed chat stopped, blocked the bot, or removed it
    RATE_LIMITED = "rate_limited"  # Telegram answered 429
    FAILED = "failed"  # a daily tip given up on for now


def record(db: Database, kind: EventKind, now: datetime) -> None:
    db.execute("INSERT INTO events (at, kind) VALUES (?, ?)", [int(now.timestamp()), kind])


def count(db: Database, kind: EventKind, since: datetime) -> int:
    """How many `kind` events happened at or after `since`."""
    row = db.execute(
        "SELECT count(*) FROM events WHERE kind = ? AND at >= ?", [kind, int(since.timestamp())]
    ).fetchone()
    return int(row[0])


def prune(db: Database, before: datetime, limit: int) -> int:
    """Delete up to `limit` events older than `before`; how many went."""
    cursor = db.execute(
        "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE at < ? LIMIT ?)",
        [int(before.timestamp()), limit],
    )
    return cursor.rowcount
