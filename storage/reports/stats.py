"""The figures an operator asks for (`/stats`, `gutbone-bot stats`), in one frozen value.

Each figure is one query, most of them on an index; days are UTC days.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from scheduler.records import DeliveryStatus
from storage.tables import events, feedback, heartbeat
from storage.tables.events import EventKind
from storage.tables.heartbeat import Heartbeat

WEEK = timedelta(days=7)
DAY = timedelta(days=1)


SHOWN_TIPS = 3  # how many of the best, and of the worst, tips by 👍 − 👎


@dataclass(frozen=True)
class TipVotes:
    """The 👍 and 👎 one tip got (one vote per chat)."""

    tip_id: str
    up: int
    down: int


@dataclass(frozen=True)
class Stats:
    """Subscribers, deliveries and trouble, as of `at`."""

    at: datetime
    active: int
    inactive: int
    unreadable: int  # rows whose settings cannot be read (left out of deliveries)
    joined_7d: int
    left_7d: int
    sent_today: int  # UTC day
    sent_yesterday: int
    due_backlog: int  # due now and not yet claimed
    rate_limited_24h: int
    failed_24h: int
    last_sweep: Heartbeat | None
    paused: int | None = None  # active subscribers in a pause that has not ended
    tip_feedback: tuple[TipVotes, ...] = ()  # the best and the worst by 👍 − 👎, best first

    def as_json(self) -> dict[str, Any]:
        """Plain JSON values: instants as ISO 8601 text in UTC."""
        return {key: _jsonable(value) for key, value in asdict(self).items()}


def gather(db: Database, now: datetime) -> Stats:
    """Read every figure as of `now`."""
    active, inactive, unreadable = _subscribers(db)
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return Stats(
        at=now,
        active=active,
        inactive=inactive,
        unreadable=unreadable,
        joined_7d=events.count(db, EventKind.JOINED, now - WEEK),
        left_7d=events.count(db, EventKind.LEFT, now - WEEK),
        sent_today=_sent(db, today, today + DAY),
        sent_yesterday=_sent(db, today - DAY, today),
        due_backlog=_due(db, now),
        rate_limited_24h=events.count(db, EventKind.RATE_LIMITED, now - DAY),
        failed_24h=events.count(db, EventKind.FAILED, now - DAY),
        last_sweep=heartbeat.read(db),
        tip_feedback=_best_and_worst(db),
        paused=_paused(db, now),
    )


def _best_and_worst(db: Database) -> tuple[TipVotes, ...]:
    """The `SHOWN_TIPS` best and worst voted tips by 👍 − 👎 (each tip once), best first.

    The per-tip counts (`feedback.counts`, one row a tip), sorted here."""
    voted = [TipVotes(tip_id, v.up, v.down) for tip_id, v in feedback.counts(db).items()]
    best = sorted(voted, key=lambda t: (t.down - t.up, t.down, t.tip_id))[:SHOWN_TIPS]
    worst = sorted(voted, key=lambda t: (t.up - t.down, -t.down, t.tip_id))[:SHOWN_TIPS]
    shown = {t.tip_id for t in best}
    return tuple(best + [t for t in reversed(worst) if t.tip_id not in shown])


def _subscribers(db: Database) -> tuple[int, int, int]:
    row = db.execute(
        "SELECT coalesce(sum(active = 1), 0), coalesce(sum(active != 1), 0),"
        " coalesce(sum(problem IS NOT NULL), 0) FROM subscribers"
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


def _sent(db: Database, start: datetime, end: datetime) -> int:
    row = db.execute(
        "SELECT count(*) FROM deliveries WHERE status = ? AND delivered_at >= ?"
        " AND delivered_at < ?",
        [DeliveryStatus.SENT, int(start.timestamp()), int(end.timestamp())],
    ).fetchone()
    return int(row[0])


def _due(db: Database, now: datetime) -> int:
    row = db.execute(
        "SELECT count(*) FROM subscribers WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
        " AND active = 1",
        [int(now.timestamp())],
    ).fetchone()
    return int(row[0])


def _paused(db: Database, now: datetime) -> int:
    row = db.execute(
        "SELECT count(*) FROM subscribers WHERE active = 1 AND paused_until > ?",
        [int(now.timestamp())],
    ).fetchone()
    return int(row[0])


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value
