"""One-tap feedback: 👍/👎 votes per (chat, tip) (✅ check-ins: `storage.tables.streaks`).

A vote can be changed: the latest press wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database


@dataclass(frozen=True)
class Votes:
    """How many chats voted 👍 and 👎 on one tip."""

    up: int = 0
    down: int = 0


def vote(db: Database, chat_id: int, tip_id: str, value: int, now: datetime) -> int | None:
    """Record the chat's vote (1 or -1) on a tip; return the vote it replaced, if any."""
    before = vote_of(db, chat_id, tip_id)
    db.execute(
        "INSERT INTO feedback (chat_id, tip_id, vote, voted_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (chat_id, tip_id) DO UPDATE SET vote = excluded.vote,"
        " voted_at = excluded.voted_at",
        [chat_id, tip_id, value, int(now.timestamp())],
    )
    return before


def vote_of(db: Database, chat_id: int, tip_id: str) -> int | None:
    row = db.execute(
        "SELECT vote FROM feedback WHERE chat_id = ? AND tip_id = ?", [chat_id, tip_id]
    ).fetchone()
    return None if row is None else int(row[0])


def counts(db: Database) -> dict[str, Votes]:
    """👍 and 👎 per tip id, for every tip that has a vote."""
    rows = db.execute(
        "SELECT tip_id, sum(vote = 1), sum(vote = -1) FROM feedback GROUP BY tip_id"
    ).fetchall()
    return {tip_id: Votes(int(up), int(down)) for tip_id, up, down in rows}
