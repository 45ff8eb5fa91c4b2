"""Migration 11: a stable number for every tip id, the key compact history rows store."""

from __future__ import annotations

from sqlite_utils import Database

__all__ = ["v11_tip_numbers"]

# Every table (as of version 10) that names a tip, so each tip remembered anywhere is numbered.
_NAMED_IN = ("deliveries", "seen_tips", "feedback", "checkins")


def v11_tip_numbers(db: Database) -> None:
    """Number each tip id found in the history, in text order; new tips take the next
    numbers as they are first stored (`storage.tables.tip_numbers`)."""
    db.execute(
        """CREATE TABLE tip_numbers (
            number INTEGER PRIMARY KEY,       -- given once, never changed or reused
            tip_id TEXT NOT NULL UNIQUE       -- the library's id for the tip
        )"""
    )
    found = " UNION ".join(f"SELECT tip_id FROM {table}" for table in _NAMED_IN)
    db.execute(f"INSERT INTO tip_numbers (tip_id) SELECT tip_id FROM ({found}) ORDER BY tip_id")
