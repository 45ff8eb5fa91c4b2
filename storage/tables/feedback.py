"""One-tap feedback: 👍/👎 votes per (chat, tip) (✅ check-ins: `storage.tables.streaks`).

A vote can be changed: the latest press wins. A chat's votes are one row, two sets of tip
numbers (`storage.tip_sets`): `liked` and `disliked`, a tip in at most one of them
(`storage.migrations.votes_by_chat`). When a vote was pressed is not kept, as nothing shows
it. The rotation reads a chat's votes to leave its 👎'd tips out and weigh its topics
(`of_chats` for one chat's /tip, `masks_of_chats` for a claim batch; `tips.choice`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from storage.columns import rows_of_chats
from storage.tables.tip_numbers import TipNumbers
from storage.tip_sets import as_mask, from_mask


@dataclass(frozen=True)
class Votes:
    """How many chats voted 👍 and 👎 on one tip."""

    up: int = 0
    down: int = 0


def vote(db: Database, tips: TipNumbers, chat_id: int, tip_id: str, value: int) -> int | None:
    """Record the chat's vote (1 or -1) on a tip; return the vote it replaced, if any."""
    if value not in (1, -1):
        raise ValueError(f"a vote is 1 or -1, not {value!r}")
    number = tips.number(tip_id)
    liked, disliked = _masks(db, chat_id)
    before = _vote_in(liked, disliked, number)
    if before == value:
        return before  # nothing changes: no write, the counts stay
    bit = 1 << number
    if value > 0:
        liked, disliked = liked | bit, disliked & ~bit
    else:
        liked, disliked = liked & ~bit, disliked | bit
    db.execute(
        "INSERT INTO votes (chat_id, liked, disliked) VALUES (?, ?, ?) ON CONFLICT (chat_id)"
        " DO UPDATE SET liked = excluded.liked, disliked = excluded.disliked",
        [chat_id, from_mask(liked), from_mask(disliked)],
    )
    return before


def vote_of(db: Database, tips: TipNumbers, chat_id: int, tip_id: str) -> int | None:
    number = tips.known(tip_id)
    if number is None:
        return None  # a tip nobody has stored yet: no vote on it either
    return _vote_in(*_masks(db, chat_id), number)


def of_chats(db: Database, tips: TipNumbers, chat_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """The votes (tip id → 1 or -1) of each of these chats that has any, for the rotation
    (`tips.choice`). A number no tip id is known for here (another process's newer tip) is
    left out."""
    found: dict[int, dict[str, int]] = {}
    for chat_id, liked, disliked in rows_of_chats(db, "liked, disliked", "votes", chat_ids):
        votes = dict.fromkeys(tips.tip_ids_in(liked), 1)
        votes |= dict.fromkeys(tips.tip_ids_in(disliked), -1)
        if votes:
            found[chat_id] = votes
    return found


def masks_of_chats(db: Database, chat_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """The votes of each of these chats that has any, as two bitmasks over tip numbers
    (👍'd, 👎'd), the form the rotation's masks take (`tips.rotation.votes_in`): one row a
    chat, so a chat with a year of votes costs what a chat with one does."""
    return {
        chat_id: (as_mask(liked), as_mask(disliked))
        for chat_id, liked, disliked in rows_of_chats(db, "liked, disliked", "votes", chat_ids)
    }


def merge(db: Database, old: int, new: int) -> None:
    """Move the old chat's votes to the new one; where both voted on a tip, the new chat's
    vote stays (in an upsert, a bare column name is the row already stored)."""
    db.execute(
        "INSERT INTO votes (chat_id, liked, disliked) SELECT ?, liked, disliked FROM votes"
        " WHERE chat_id = ? ON CONFLICT (chat_id) DO UPDATE SET"
        " liked = tip_set_union(liked, tip_set_minus(excluded.liked, disliked)),"
        " disliked = tip_set_union(disliked, tip_set_minus(excluded.disliked, liked))",
        [new, old],
    )
    db.execute("DELETE FROM votes WHERE chat_id = ?", [old])


def counts(db: Database) -> dict[str, Votes]:
    """👍 and 👎 per tip id, for every tip that has a vote: one row a tip, kept by the
    votes table's triggers (`storage.migrations.votes_by_chat`)."""
    rows = db.execute(
        "SELECT n.tip_id, t.up, t.down FROM tip_votes AS t"
        " JOIN tip_numbers AS n ON n.number = t.tip WHERE t.up > 0 OR t.down > 0"
    ).fetchall()
    return {tip_id: Votes(int(up), int(down)) for tip_id, up, down in rows}


def _vote_in(liked: int, disliked: int, number: int) -> int | None:
    """The vote a chat's two sets hold on tip `number`: 1, -1 or None."""
    return 1 if liked >> number & 1 else -1 if disliked >> number & 1 else None


def _masks(db: Database, chat_id: int) -> tuple[int, int]:
    row = db.execute("SELECT liked, disliked FROM votes WHERE chat_id = ?", [chat_id]).fetchone()
    return (0, 0) if row is None else (as_mask(row[0]), as_mask(row[1]))
