"""One-tap feedback: 👍/👎 votes per (chat, tip) (✅ check-ins: `storage.tables.streaks`).

A vote can be changed: the latest press wins. Votes are stored by tip number
(`storage.tables.tip_numbers`), one row of three integers per (chat, tip); when a vote was
pressed is not kept, as nothing shows it. The rotation reads a chat's votes to leave its 👎'd
tips out and weigh its topics (`of_chats` for one chat's /tip, `masks_of_chats` for a claim
batch; `tips.choice`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from storage.tables.tip_numbers import TipNumbers

_BATCH = 500  # SQLite's bound-parameter limit, with room to spare


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


def of_chats(db: Database, tips: TipNumbers, chat_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """The votes (tip id → 1 or -1) of each of these chats that has any, for the rotation
    (`tips.choice`): one query per 500 chats on the primary key, so a chat that never voted
    costs one index probe and appears nowhere in the answer. A number no tip id is known
    for here (another process's newer tip) is left out."""
    found: dict[int, dict[str, int]] = {}
    for start in range(0, len(chat_ids), _BATCH):
        batch = chat_ids[start : start + _BATCH]
        marks = ", ".join("?" * len(batch))
        for chat_id, number, value in db.execute(
            f"SELECT chat_id, tip, vote FROM votes WHERE chat_id IN ({marks})", batch
        ):
            tip_id = tips.tip_id(number)
            if tip_id is not None:
                found.setdefault(chat_id, {})[tip_id] = int(value)
    return found


def masks_of_chats(db: Database, chat_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """The votes of each of these chats that has any, as two bitmasks over tip numbers (👍'd,
    👎'd), the form the rotation's masks take (`tips.rotation.votes_in`): a claim batch's
    chats with a year of votes each cost a few integer operations a vote, not a tip id's
    lookup and a dictionary entry. One query per 500 chats, as `of_chats`."""
    found: dict[int, tuple[int, int]] = {}
    for start in range(0, len(chat_ids), _BATCH):
        batch = chat_ids[start : start + _BATCH]
        marks = ", ".join("?" * len(batch))
        for chat_id, number, value in db.execute(
            f"SELECT chat_id, tip, vote FROM votes WHERE chat_id IN ({marks})", batch
        ):
            up, down = found.get(chat_id, (0, 0))
            if value > 0:
                found[chat_id] = (up | 1 << number, down)
            else:
                found[chat_id] = (up, down | 1 << number)
    return found


def counts(db: Database) -> dict[str, Votes]:
    """👍 and 👎 per tip id, for every tip that has a vote: one row a tip, kept by the
    votes table's triggers (`storage.migrations.rotation_votes`)."""
    rows = db.execute(
        "SELECT n.tip_id, t.up, t.down FROM tip_votes AS t"
        " JOIN tip_numbers AS n ON n.number = t.tip WHERE t.up > 0 OR t.down > 0"
    ).fetchall()
    return {tip_id: Votes(int(up), int(down)) for tip_id, up, down in rows}
