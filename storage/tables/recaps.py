"""The weekly recap's state: four columns of the chat's subscriber row (migration 18).

Whether the chat wants Sunday's recap (/settings), the Monday of the last week one went out
for, and the chat's latest 👍 with when it was pressed (the votes table keeps no time). The
week is claimed *before* the picture is sent, in one conditional write: a crash between the
two loses that week's picture, and nothing ever sends a week twice.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from storage.columns import epoch, first_row, iso
from storage.rows import RecapState, read_recap

_COLUMNS = "weekly_recap, recap_week, liked_tip, liked_at"


def state(db: Database, chat_id: int) -> RecapState | None:
    """The chat's recap columns (None: the chat has no row); garbage reads as the defaults."""
    found = first_row(db, f"SELECT {_COLUMNS} FROM subscribers WHERE chat_id = ?", [chat_id])
    return read_recap(found) if found else None


def set_wanted(db: Database, chat_id: int, wanted: bool, now: datetime) -> bool:
    """Turn the recap on or off (a setting: `updated_at` is stamped); False: no such chat."""
    return (
        db.execute(
            "UPDATE subscribers SET weekly_recap = ?, updated_at = ? WHERE chat_id = ?",
            [int(wanted), iso(now), chat_id],
        ).rowcount
        == 1
    )


def claim_week(db: Database, chat_id: int, week: date) -> bool:
    """Record that the recap of `week` (its Monday) goes out now; False if it already did
    (an earlier life of the bot, or another process)."""
    return (
        db.execute(
            "UPDATE subscribers SET recap_week = ? WHERE chat_id = ? AND recap_week IS NOT ?",
            [week.isoformat(), chat_id, week.isoformat()],
        ).rowcount
        == 1
    )


def voted(db: Database, chat_id: int, tip: int, value: int, now: datetime) -> None:
    """A 👍 becomes the chat's latest liked tip; a 👎 on that same tip takes it back."""
    if value > 0:
        db.execute(
            "UPDATE subscribers SET liked_tip = ?, liked_at = ? WHERE chat_id = ?",
            [tip, epoch(now), chat_id],
        )
    else:
        db.execute(
            "UPDATE subscribers SET liked_tip = NULL, liked_at = NULL"
            " WHERE chat_id = ? AND liked_tip = ?",
            [chat_id, tip],
        )
