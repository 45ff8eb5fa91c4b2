"""The "30 plants a week" tally: which different plants a chat ate in each local week.

A plant is stored once per (chat, week), so naming it again that week changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlite_utils import Database


def add(db: Database, chat_id: int, week: date, plants: Iterable[str], now: datetime) -> list[str]:
    """Add `plants` to the chat's `week` (its Monday); the ones that were new, in order."""
    added = []
    for plant in plants:
        cursor = db.execute(
            "INSERT OR IGNORE INTO plants (chat_id, week, plant, added_at) VALUES (?, ?, ?, ?)",
            [chat_id, week.isoformat(), plant, int(now.timestamp())],
        )
        if cursor.rowcount == 1:
            added.append(plant)
    return added


def of_week(db: Database, chat_id: int, week: date) -> list[str]:
    """The chat's plants of `week`, in the order they were added."""
    rows = db.execute(
        "SELECT plant FROM plants WHERE chat_id = ? AND week = ? ORDER BY added_at, rowid",
        [chat_id, week.isoformat()],
    ).fetchall()
    return [row[0] for row in rows]
