"""Migration 18: the weekly recap's state, kept on each chat's subscriber row."""

from __future__ import annotations

from sqlite_utils import Database

__all__ = ["v18_weekly_recap"]


def v18_weekly_recap(db: Database) -> None:
    """Whether the chat wants Sunday's recap (NULL: the default, on), the Monday of the last
    week one went out for (so a restart never sends a week twice), and the chat's latest 👍
    (the tip's number and when it was pressed, which a vote row does not keep)."""
    db.execute("ALTER TABLE subscribers ADD COLUMN weekly_recap INTEGER")  # 0 off, 1 or NULL on
    db.execute("ALTER TABLE subscribers ADD COLUMN recap_week TEXT")  # ISO date of a Monday
    db.execute("ALTER TABLE subscribers ADD COLUMN liked_tip INTEGER")  # `tip_numbers.number`
    db.execute("ALTER TABLE subscribers ADD COLUMN liked_at INTEGER")  # UTC epoch seconds
