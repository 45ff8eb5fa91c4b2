"""Migrations 1 and 2: the first released layout, and each delivery's UTC instant.

Version 1 is the first released layout (its early builds set `user_version = 1` themselves,
later ones left it at 0 with the same tables plus a status CHECK; both upgrade the same way).
Version 2 copies the deliveries table to give every row its instant, estimated for old rows.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from scheduler.due import Schedule, local_date, slot
from storage.errors import MigrationRefused

__all__ = ["v1_tables", "v2_delivery_instants"]

# Frozen with the migration that introduced them; the enum is checked against them in tests.
_STATUSES_V1 = "'pending', 'sent', 'failed', 'blocked', 'released'"
_TAKEN_V1 = "'pending', 'sent'"

_TABLES_V1 = (
    """CREATE TABLE IF NOT EXISTS subscribers (
        chat_id INTEGER PRIMARY KEY,
        chat_type TEXT NOT NULL DEFAULT 'private',
        active INTEGER NOT NULL DEFAULT 1,
        delivery_time TEXT NOT NULL,          -- local 'HH:MM'
        timezone TEXT NOT NULL,               -- IANA name
        schedule_since INTEGER NOT NULL,      -- UTC epoch seconds from which tips are owed
        last_delivery TEXT,                   -- local date of the last pending/sent daily tip
        next_due_at INTEGER,                  -- UTC epoch seconds; NULL while inactive
        subscribed_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE INDEX IF NOT EXISTS subscribers_next_due ON subscribers (next_due_at)
        WHERE next_due_at IS NOT NULL""",
    # One row per (chat, local date): the record that makes the daily tip exactly-once.
    f"""CREATE TABLE IF NOT EXISTS deliveries (
        chat_id INTEGER NOT NULL,
        local_date TEXT NOT NULL,
        tip_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ({_STATUSES_V1})),
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, local_date)
    )""",
    """CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (chat_id)
        WHERE status = 'pending'""",
    # Tips a chat has seen in its current rotation cycle (daily, /tip and /avoid alike).
    """CREATE TABLE IF NOT EXISTS seen_tips (
        chat_id INTEGER NOT NULL,
        tip_id TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, tip_id)
    )""",
)

_DELIVERIES_V2 = (
    f"""CREATE TABLE deliveries_v2 (
        chat_id INTEGER NOT NULL,
        local_date TEXT NOT NULL,             -- the claim's local date, in its zone at claim time
        tip_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ({_STATUSES_V1})),
        attempts INTEGER NOT NULL DEFAULT 0,
        delivered_at INTEGER NOT NULL,        -- UTC epoch seconds of the claim
        updated_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, local_date)
    )""",
    # Rows from before delivered_at: the moment of their last change (seconds after sending),
    # else noon UTC of their date; `_pin_last_days` then makes the latest one exact.
    """INSERT INTO deliveries_v2
        (chat_id, local_date, tip_id, status, attempts, delivered_at, updated_at)
        SELECT chat_id, local_date, tip_id, status, attempts,
            COALESCE(CAST(strftime('%s', updated_at) AS INTEGER),
                     CAST(strftime('%s', local_date || 'T12:00:00') AS INTEGER), 0),
            updated_at
        FROM deliveries""",
    "DROP TABLE deliveries",
    "ALTER TABLE deliveries_v2 RENAME TO deliveries",
    "CREATE INDEX deliveries_pending ON deliveries (chat_id) WHERE status = 'pending'",
    "CREATE INDEX deliveries_by_instant ON deliveries (chat_id, delivered_at, status)",
    "ALTER TABLE subscribers ADD COLUMN last_delivered_at INTEGER",  # its max, in UTC seconds
)


def v1_tables(db: Database) -> None:
    """The first released layout; a no-op on a database that already has it."""
    for statement in _TABLES_V1:
        db.execute(statement)


def v2_delivery_instants(db: Database) -> None:
    """Remember each delivery's UTC instant, so its local day follows timezone changes.

    Also gives `deliveries.status` its CHECK on databases from builds that had none; a
    status this code does not know refuses the upgrade rather than guess what it meant.
    """
    unknown = [
        row["status"]
        for row in db.query(
            f"SELECT DISTINCT status FROM deliveries WHERE status NOT IN ({_STATUSES_V1})"
        )
    ]
    if unknown:
        raise MigrationRefused(
            f"deliveries has statuses this version does not know ({', '.join(map(repr, unknown))});"
            " fix or delete those rows, then start again"
        )
    for statement in _DELIVERIES_V2:
        db.execute(statement)
    _pin_last_days(db)
    db.execute(
        "UPDATE subscribers SET last_delivered_at = (SELECT max(delivered_at) FROM deliveries d"
        f" WHERE d.chat_id = subscribers.chat_id AND d.status IN ({_TAKEN_V1}))"
    )


def _pin_last_days(db: Database) -> None:
    """Make each chat's latest delivery fall inside the local day it was recorded for.

    Only the latest one decides when the next tip is due; if its estimated instant lies on
    another local day (sent just after midnight), use that day's delivery time instead.
    """
    rows = db.query(
        "SELECT d.chat_id, d.local_date, d.delivered_at, s.timezone, s.delivery_time"
        " FROM deliveries d JOIN subscribers s ON s.chat_id = d.chat_id"
        f" WHERE d.status IN ({_TAKEN_V1}) AND d.local_date = (SELECT max(local_date)"
        f" FROM deliveries x WHERE x.chat_id = d.chat_id AND x.status IN ({_TAKEN_V1}))"
    )
    for row in list(rows):
        try:
            schedule = Schedule(time.fromisoformat(row["delivery_time"]), ZoneInfo(row["timezone"]))
            day = date.fromisoformat(row["local_date"])
        except (ValueError, TypeError, KeyError, OSError):
            continue  # a bad row keeps its estimate; the store reports it when it reads it
        if local_date(schedule, datetime.fromtimestamp(row["delivered_at"], UTC)) != day:
            db.execute(
                "UPDATE deliveries SET delivered_at = ? WHERE chat_id = ? AND local_date = ?",
                [int(slot(schedule, day).timestamp()), row["chat_id"], row["local_date"]],
            )
