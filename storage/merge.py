"""Moving a group's rows to its new supergroup id without losing or doubling anything.

Telegram announces the move, but the bot may notice it late, after the supergroup already
stored settings of its own. The newer settings win (by `updated_at`, which only commands
stamp); deliveries and the rotation are merged, a day's taken tip winning over a free one and
the two rotation cycles joining into one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlite_utils import Database

from storage.columns import first_row
from storage.tables import feedback, plants, rotation, streaks

Row = Mapping[str, Any]


def merge_subscriber(db: Database, old: int, new: int) -> Row | None:
    """Keep the newer of the two subscriber rows under the new id; return it (None if none)."""
    old_row, new_row = _row(db, old), _row(db, new)
    if old_row is None:
        return new_row
    if new_row is not None and new_row["updated_at"] >= old_row["updated_at"]:
        db.execute("DELETE FROM subscribers WHERE chat_id = ?", [old])
        return new_row
    db.execute(
        "UPDATE OR REPLACE subscribers SET chat_id = ?, chat_type = 'supergroup' WHERE chat_id = ?",
        [new, old],
    )
    return old_row


def merge_history(db: Database, old: int, new: int, taken: str) -> None:
    """Move deliveries, the rotation, votes, streaks and plants; where both chats have a day,
    a taken tip wins (and the supergroup's own vote, where it has one); the seen tips are the
    union of both chats' (`rotation.merge`); of two streaks, the better run
    (`storage.tables.streaks.move`).

    `taken` is the SQL list of statuses that count as a tip gone out.
    """
    db.execute(
        f"DELETE FROM deliveries WHERE chat_id = :new AND status NOT IN ({taken})"
        " AND local_day IN (SELECT local_day FROM deliveries WHERE chat_id = :old)",
        {"old": old, "new": new},
    )
    rotation.merge(db, old, new)
    db.execute("UPDATE OR IGNORE deliveries SET chat_id = ? WHERE chat_id = ?", [new, old])
    db.execute("DELETE FROM deliveries WHERE chat_id = ?", [old])
    feedback.merge(db, old, new)
    streaks.move(db, old, new)  # the better run kept, the other's recent days folded in
    plants.move(db, old, new)  # both chats' plants, week by week


def _row(db: Database, chat_id: int) -> Row | None:
    return first_row(db, "SELECT updated_at FROM subscribers WHERE chat_id = ?", [chat_id])
