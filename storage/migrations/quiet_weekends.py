"""Migration 17: quiet delivery, a weekend time, and when a chat last left.

`quiet` (1: the daily tip arrives without a sound, Telegram's `disable_notification`) and
`weekend_time` (`HH:MM`, the local time on Saturdays and Sundays; NULL: the weekday time) are
preferences: NULL or garbage reads as "not chosen" (`storage.rows`). `left_at` is when an
active chat last stopped (or blocked the bot): a later /start is then a return, greeted as
such, not the onboarding again. A row inactive before this version has no such instant; its
last change (`updated_at`) stands in, the nearest thing the row kept.
"""

from __future__ import annotations

from sqlite_utils import Database

__all__ = ["v17_quiet_weekends"]


def v17_quiet_weekends(db: Database) -> None:
    """Three nullable columns on subscribers; inactive rows get their `left_at`."""
    db.execute("ALTER TABLE subscribers ADD COLUMN quiet INTEGER")  # 1: no sound; else off
    db.execute("ALTER TABLE subscribers ADD COLUMN weekend_time TEXT")  # HH:MM; NULL: weekday's
    db.execute("ALTER TABLE subscribers ADD COLUMN left_at INTEGER")  # UTC epoch seconds
    db.execute(
        "UPDATE subscribers SET left_at = CAST(strftime('%s', updated_at) AS INTEGER)"
        " WHERE active = 0"
    )
