"""The subscribers table: one row per chat, its settings, and the delivery queue it carries.

The table keeps one invariant for the scheduler: `next_due_at` is always the instant given by
`scheduler.due.next_due` for the row's schedule and last delivery (NULL while inactive, or
while the row cannot be read), so "who is due now" is a single indexed range query even with a
million subscribers. `refresh` re-derives it; a claim moves it on at once (`claimed`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime

from sqlite_utils import Database

from scheduler.due import Schedule, delivered_day, next_due
from scheduler.records import Subscriber
from storage.columns import epoch, first_row, hhmm, iso, moment, rows_of
from storage.rows import FALLBACK, GARBAGE, Row, parse_subscriber, read_subscriber
from storage.tables import deliveries, events
from storage.tables.events import EventKind
from storage.transaction import transaction

logger = logging.getLogger(__name__)

_COLUMNS = (
    "chat_id, chat_type, active, delivery_time, timezone, schedule_since, last_delivered_at,"
    " problem, topics, paused_until, quiet, weekend_time"
)


def row(db: Database, chat_id: int) -> Row | None:
    return first_row(
        db, f"SELECT {_COLUMNS}, updated_at FROM subscribers WHERE chat_id = ?", [chat_id]
    )


def read(db: Database, chat_id: int, default: Schedule | None = None) -> Subscriber | None:
    """The chat's subscription; an unreadable row comes back inactive with a `problem`,
    its unreadable settings replaced by `default` (or a fixed fallback)."""
    found = row(db, chat_id)
    return read_subscriber(found, default or FALLBACK) if found else None


def is_active(db: Database, chat_id: int) -> bool:
    found = first_row(db, "SELECT active FROM subscribers WHERE chat_id = ?", [chat_id])
    return bool(found and found["active"])


def stored_since(db: Database, chat_id: int) -> datetime | None:
    """When the chat's row was created (None: there is none)."""
    found = first_row(db, "SELECT subscribed_at FROM subscribers WHERE chat_id = ?", [chat_id])
    return moment(found["subscribed_at"]) if found else None


def insert(
    db: Database, chat_id: int, chat_type: str, default: Schedule, now: datetime, *, active: bool
) -> None:
    db.execute(
        "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
        " schedule_since, subscribed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            chat_id,
            chat_type,
            int(active),
            hhmm(default.at),
            default.timezone.key,
            epoch(now),
            iso(now),
            iso(now),
        ],
    )


def update(db: Database, chat_id: int, now: datetime, **changes: object) -> None:
    """Change settings or state, stamping `updated_at` (what a group migration compares)."""
    set_columns(db, chat_id, **changes, updated_at=iso(now))


def set_columns(db: Database, chat_id: int, **changes: object) -> None:
    """Change columns without stamping `updated_at` (derived values, flags)."""
    assignments = ", ".join(f"{column} = ?" for column in changes)
    db.execute(
        f"UPDATE subscribers SET {assignments} WHERE chat_id = ?", [*changes.values(), chat_id]
    )


def deactivate(db: Database, chat_id: int, now: datetime) -> None:
    """Stop deliveries (after /stop, or when Telegram says the chat is gone)."""
    with transaction(db):
        leave(db, chat_id, now)
        update(db, chat_id, now, active=0, next_due_at=None)


def leave(db: Database, chat_id: int, now: datetime) -> None:
    """Count a subscribed chat leaving (not one already inactive), and remember when: a later
    /start is then a return (`left_at`)."""
    found = first_row(db, "SELECT active FROM subscribers WHERE chat_id = ?", [chat_id])
    if found is not None and found["active"] == 1:
        events.record(db, EventKind.LEFT, now)
        set_columns(db, chat_id, left_at=epoch(now))


def left_at(db: Database, chat_id: int) -> datetime | None:
    """When the chat last stopped being subscribed (None: never, or unreadable)."""
    found = first_row(db, "SELECT left_at FROM subscribers WHERE chat_id = ?", [chat_id])
    value = found["left_at"] if found else None
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value, UTC)
    except GARBAGE:
        return None


def due(db: Database, now: datetime, limit: int) -> list[Subscriber]:
    """Active subscribers whose next delivery instant has come, earliest first.

    A row that cannot be read is logged once, taken out of the queue, and skipped.
    """
    while True:
        rows = rows_of(
            db,
            f"SELECT {_COLUMNS} FROM subscribers"
            " WHERE next_due_at IS NOT NULL AND next_due_at <= ? AND active = 1"
            " ORDER BY next_due_at LIMIT ?",
            [epoch(now), limit],
        )
        subscribers = [parse_subscriber(found, FALLBACK) for found in rows]
        bad = [(found, s.problem) for found, s in zip(rows, subscribers, strict=True) if s.problem]
        for found, problem in bad:
            _flag(db, found, problem)
        if not bad:  # else fill the batch again, without the rows just taken out
            return subscribers


def earliest_due(db: Database) -> datetime | None:
    """When the next daily tip falls due (None: nobody is subscribed)."""
    found = first_row(
        db, "SELECT min(next_due_at) AS due FROM subscribers WHERE next_due_at IS NOT NULL", []
    )
    if found is None or found["due"] is None:
        return None
    return datetime.fromtimestamp(found["due"], UTC)


def refresh(db: Database, chat_id: int, now: datetime) -> Subscriber:
    """Re-derive the last delivery and `next_due_at` from the deliveries table.

    An unreadable row is flagged and left out of the queue instead of raising.
    """
    found = row(db, chat_id)
    assert found is not None, f"no subscriber row for chat {chat_id}"
    stored = parse_subscriber(found, FALLBACK)
    last_at = deliveries.last_taken_at(db, chat_id)
    subscriber = replace(stored, last_delivery=delivered_day(stored.schedule, last_at))
    try:
        due_at = next_due(subscriber.schedule, subscriber.last_delivery, now)
    except GARBAGE as exc:
        subscriber = replace(subscriber, active=False, problem=f"no next delivery ({exc})")
    if subscriber.problem is not None:
        _flag(db, found, subscriber.problem)
        return subscriber
    last = subscriber.last_delivery
    set_columns(
        db,
        chat_id,
        last_delivery=last.isoformat() if last else None,  # kept for people reading the table
        last_delivered_at=epoch(last_at) if last_at else None,
        next_due_at=epoch(due_at) if subscriber.active else None,
        problem=None,
    )
    return subscriber


def claimed(db: Database, claims: Sequence[tuple[Subscriber, date]], now: datetime) -> None:
    """Each chat's claim of local `day`, made `now`, is its latest taken tip: its next due
    instant follows at once, in the same transaction as the claims (one statement)."""
    at = epoch(now)
    db.conn.executemany(
        "UPDATE subscribers SET last_delivery = ?, last_delivered_at = ?, next_due_at = ?"
        " WHERE chat_id = ?",
        [
            (
                day.isoformat(),
                at,
                epoch(next_due(subscriber.schedule, day, now)) if subscriber.active else None,
                subscriber.chat_id,
            )
            for subscriber, day in claims
        ],
    )


def _flag(db: Database, found: Row, problem: str) -> None:
    """Take an unreadable row out of the queue; log it the first time only."""
    set_columns(db, found["chat_id"], problem=problem, next_due_at=None)
    if found["problem"] != problem:
        logger.warning("Skipping subscriber %s until it is fixed: %s", found["chat_id"], problem)
