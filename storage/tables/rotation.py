"""The seen_tips table: each chat's rotation history, the tips it has had in this cycle.

A daily tip enters it when its delivery is closed as sent (or maybe sent), never at the
claim, so a tip that did not go out comes round again; a tip asked for enters it as it is
chosen and leaves again if the reply fails. The rotation (`tips.choosing`) picks the next
tip from it and starts a new cycle by forgetting the pool's tips.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlite_utils import Database

from storage.columns import day_number, first_row, iso

_BATCH = 500  # SQLite's bound-parameter limit, with room to spare


def seen(db: Database, chat_id: int) -> set[str]:
    rows = db.query("SELECT tip_id FROM seen_tips WHERE chat_id = ?", [chat_id])
    return {row["tip_id"] for row in rows}


def histories(db: Database, chat_ids: Sequence[int]) -> dict[int, tuple[set[str], str | None]]:
    """Each chat's seen tips and its latest one, in one query per 500 chats."""
    found: dict[int, tuple[set[str], str | None]] = {}
    latest: dict[int, int] = {}
    for start in range(0, len(chat_ids), _BATCH):
        batch = chat_ids[start : start + _BATCH]
        marks = ", ".join("?" * len(batch))
        for chat_id, tip_id, rowid in db.execute(
            f"SELECT chat_id, tip_id, rowid FROM seen_tips WHERE chat_id IN ({marks})", batch
        ):
            tips, _ = found.setdefault(chat_id, (set(), None))
            tips.add(tip_id)
            if rowid > latest.get(chat_id, -1):
                latest[chat_id] = rowid
                found[chat_id] = (tips, tip_id)
    return found


def last_seen(db: Database, chat_id: int) -> str | None:
    row = first_row(
        db,
        "SELECT tip_id FROM seen_tips WHERE chat_id = ? ORDER BY rowid DESC LIMIT 1",
        [chat_id],
    )
    return row["tip_id"] if row else None


def mark_seen(db: Database, chat_id: int, tip_id: str, now: datetime) -> None:
    db.execute(
        "INSERT OR REPLACE INTO seen_tips (chat_id, tip_id, seen_at) VALUES (?, ?, ?)",
        [chat_id, tip_id, iso(now)],
    )


def mark_delivered(db: Database, chat_id: int, day: date, now: datetime) -> None:
    """The tip of the chat's delivery for local `day` has gone out: it is seen now."""
    db.execute(
        "INSERT OR REPLACE INTO seen_tips (chat_id, tip_id, seen_at) SELECT d.chat_id,"
        " n.tip_id, :now FROM deliveries d JOIN tip_numbers n ON n.number = d.tip"
        " WHERE d.chat_id = :chat_id AND d.local_day = :day",
        {"chat_id": chat_id, "day": day_number(day), "now": iso(now)},
    )


def forget(db: Database, chat_id: int, tip_ids: Iterable[str]) -> None:
    """Start a new rotation cycle for these tips."""
    for tip_id in tip_ids:
        db.execute("DELETE FROM seen_tips WHERE chat_id = ? AND tip_id = ?", [chat_id, tip_id])
