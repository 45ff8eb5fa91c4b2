"""One-tap feedback: 👍/👎 votes per (chat, tip) and ✅ check-ins per (chat, local day).

A vote can be changed (the latest press wins) and a check-in happens once a local day, so
pressing again, or after a restart, changes nothing. Votes are stored by tip number
(`storage.tables.tip_numbers`), one row of three integers per (chat, tip); when a vote was
pressed is not kept, as nothing shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlite_utils import Database

from storage.tables.tip_numbers import TipNumbers


@dataclass(frozen=True)
class Votes:
    """How many chats voted 👍 and 👎 on one tip."""

    up: int = 0
    down: int = 0


def vote(db: Database, tips: TipNumbers, chat_id: int, tip_id: str, value: int) -> int | None:
    """Record the chat's vote (1 or -1) on a tip; return the vote it replaced, if any."""
    before = vote_of(db, tips, chat_id, tip_id)
    db.execute(
        "INSERT INTO votes (chat_id, tip, vote) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id, tip) DO UPDATE SET vote = excluded.vote",
        [chat_id, tips.number(tip_id), value],
    )
    return before


def vote_of(db: Database, tips: TipNumbers, chat_id: int, tip_id: str) -> int | None:
    number = tips.known(tip_id)
    if number is None:
        return None  # a tip nobody has stored yet: no vote on it either
    row = db.execute(
        "SELECT vote FROM votes WHERE chat_id = ? AND tip = ?", [chat_id, number]
    ).fetchone()
    return None if row is None else int(row[0])


def check_in(db: Database, chat_id: int, day: date, tip_id: str, now: datetime) -> bool:
    """Record local `day`'s check-in; False if the chat had already checked in that day."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO checkins (chat_id, local_date, tip_id, checked_at)"
        " VALUES (?, ?, ?, ?)",
        [chat_id, day.isoformat(), tip_id, int(now.timestamp())],
    )
    return cursor.rowcount == 1


def checked_in(db: Database, chat_id: int, day: date) -> bool:
    row = db.execute(
        "SELECT 1 FROM checkins WHERE chat_id = ? AND local_date = ?", [chat_id, day.isoformat()]
    ).fetchone()
    return row is not None


def check_in_days(db: Database, chat_id: int) -> list[date]:
    """The local days the chat checked in on, oldest first."""
    rows = db.execute(
        "SELECT local_date FROM checkins WHERE chat_id = ? ORDER BY local_date", [chat_id]
    ).fetchall()
    return [date.fromisoformat(row[0]) for row in rows]


def counts(db: Database) -> dict[str, Votes]:
    """👍 and 👎 per tip id, for every tip that has a vote: one row a tip, kept by the
    votes table's triggers (`storage.migrations.rotation_votes`)."""
    rows = db.execute(
        "SELECT n.tip_id, t.up, t.down FROM tip_votes AS t"
        " JOIN tip_numbers AS n ON n.number = t.tip WHERE t.up > 0 OR t.down > 0"
    ).fetchall()
    return {tip_id: Votes(int(up), int(down)) for tip_id, up, down in rows}
