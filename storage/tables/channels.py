"""Channels people subscribed from their private chat, and who did.

A channel's daily tip is its own `subscribers` row; this table only remembers which person
(by their private chat) added which channel, so `/channel` can list and remove them.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database


def add(db: Database, chat_id: int, channel_id: int, name: str, now: datetime) -> None:
    """Remember that the person of `chat_id` subscribed `channel_id` (its name refreshed)."""
    db.execute(
        "INSERT INTO channel_owners (chat_id, channel_id, channel_name, added_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT (chat_id, channel_id)"
        " DO UPDATE SET channel_name = excluded.channel_name",
        [chat_id, channel_id, name, int(now.timestamp())],
    )


def of_owner(db: Database, chat_id: int) -> list[tuple[int, str]]:
    """(channel id, name) of the channels the person added, oldest first."""
    rows = db.execute(
        "SELECT channel_id, channel_name FROM channel_owners WHERE chat_id = ?"
        " ORDER BY added_at, channel_id",
        [chat_id],
    ).fetchall()
    return [(int(row[0]), str(row[1])) for row in rows]


def forget(db: Database, channel_id: int) -> int:
    """Forget the channel for everyone who added it; how many rows went."""
    return db.execute("DELETE FROM channel_owners WHERE channel_id = ?", [channel_id]).rowcount
