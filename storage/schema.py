"""The database layout. Chat ids are 64-bit integers; times are UTC epoch seconds or ISO text."""

from __future__ import annotations

from sqlite_utils import Database

from scheduler.records import DeliveryStatus

_STATUSES = ", ".join(f"'{status}'" for status in DeliveryStatus)

_TABLES = f"""
CREATE TABLE IF NOT EXISTS subscribers (
    chat_id INTEGER PRIMARY KEY,
    chat_type TEXT NOT NULL DEFAULT 'private',
    active INTEGER NOT NULL DEFAULT 1,
    delivery_time TEXT NOT NULL,          -- local 'HH:MM'
    timezone TEXT NOT NULL,               -- IANA name
    schedule_since INTEGER NOT NULL,      -- UTC epoch seconds of the last (re)subscribe or change
    last_delivery TEXT,                   -- local date of the last pending/sent daily tip
    next_due_at INTEGER,                  -- UTC epoch seconds; NULL while inactive
    subscribed_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS subscribers_next_due ON subscribers (next_due_at)
    WHERE next_due_at IS NOT NULL;

-- One row per (chat, local date): the record that makes the daily tip exactly-once.
CREATE TABLE IF NOT EXISTS deliveries (
    chat_id INTEGER NOT NULL,
    local_date TEXT NOT NULL,
    tip_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ({_STATUSES})),
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, local_date)
);
CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (chat_id)
    WHERE status = '{DeliveryStatus.PENDING}';

-- Tips a chat has seen in its current rotation cycle (daily, /tip and /avoid alike).
CREATE TABLE IF NOT EXISTS seen_tips (
    chat_id INTEGER NOT NULL,
    tip_id TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    PRIMARY KEY (chat_id, tip_id)
);
"""


def create_schema(db: Database) -> None:
    """Create the tables if they are missing; safe to run at every start."""
    db.conn.executescript(_TABLES)
