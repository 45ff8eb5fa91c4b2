"""Migration 19: a chat's votes as one row of two tip sets, 👍'd and 👎'd.

Stored one row per (chat, tip), votes grew with every tip a chat voted on (about 11 bytes a
vote; after the storage benchmark's year, 18 a chat and a quarter of the file), and a claim
batch read a row per vote. As two sets (`storage.tip_sets`) they are one row a chat, a few
dozen bytes however many tips it voted on, read in one probe of the primary key.

`tip_votes` (👍 and 👎 per tip) keeps its counts and stays up to date through triggers, as
before: each lists the numbers a write added to or took from a set (`tip_set_json`, which
every `Store` connection registers) and moves those tips' counts by one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from operator import itemgetter

from sqlite_utils import Database

from storage.tip_sets import from_mask

__all__ = ["v19_votes_by_chat"]


def v19_votes_by_chat(db: Database) -> None:
    """One row a chat: `liked` and `disliked`, sets of tip numbers; the counts carried over."""
    for trigger in ("votes_added", "votes_removed", "votes_changed"):
        db.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    db.execute(
        """CREATE TABLE votes_by_chat (
            chat_id INTEGER PRIMARY KEY,
            liked BLOB NOT NULL,              -- tips voted 👍, a set of numbers (storage.tip_sets)
            disliked BLOB NOT NULL            -- … and 👎
        )"""
    )
    db.conn.executemany(
        "INSERT INTO votes_by_chat (chat_id, liked, disliked) VALUES (?, ?, ?)", _by_chat(db)
    )
    db.execute("DROP TABLE votes")
    db.execute("ALTER TABLE votes_by_chat RENAME TO votes")
    for statement in _TRIGGERS:
        db.execute(statement)


def _by_chat(db: Database) -> Iterator[tuple[int, bytes, bytes]]:
    """Each chat's rows folded into its two sets (read in the primary key's order)."""
    rows = db.conn.execute("SELECT chat_id, tip, vote FROM votes ORDER BY chat_id, tip")
    for chat_id, votes in itertools.groupby(rows, key=itemgetter(0)):
        liked = disliked = 0
        for _, number, vote in votes:
            if vote > 0:
                liked |= 1 << number
            else:
                disliked |= 1 << number
        yield chat_id, from_mask(liked), from_mask(disliked)


def _counted(change: str, column: str, numbers: str) -> str:
    return (
        f"UPDATE tip_votes SET {column} = {column} {change} 1"
        f" WHERE tip IN (SELECT value FROM json_each(tip_set_json({numbers})));"
    )


# A tip's first vote adds its row (no INSERT OR IGNORE: inside a trigger the outer
# statement's conflict policy would override it).
_NEW_ROWS = """INSERT INTO tip_votes (tip)
    SELECT value FROM json_each(tip_set_json(tip_set_union(new.liked, new.disliked)))
    WHERE value NOT IN (SELECT tip FROM tip_votes);"""

_TRIGGERS = (
    f"""CREATE TRIGGER votes_added AFTER INSERT ON votes BEGIN
        {_NEW_ROWS}
        {_counted("+", "up", "new.liked")}
        {_counted("+", "down", "new.disliked")}
    END""",
    f"""CREATE TRIGGER votes_removed AFTER DELETE ON votes BEGIN
        {_counted("-", "up", "old.liked")}
        {_counted("-", "down", "old.disliked")}
    END""",
    f"""CREATE TRIGGER votes_changed AFTER UPDATE ON votes BEGIN
        {_NEW_ROWS}
        {_counted("-", "up", "tip_set_minus(old.liked, new.liked)")}
        {_counted("-", "down", "tip_set_minus(old.disliked, new.disliked)")}
        {_counted("+", "up", "tip_set_minus(new.liked, old.liked)")}
        {_counted("+", "down", "tip_set_minus(new.disliked, old.disliked)")}
    END""",
)
