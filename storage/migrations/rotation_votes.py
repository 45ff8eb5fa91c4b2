"""Migrations 12 and 13: the rotation history and the votes stored by tip number.

12: `seen_tips` (a row per tip a chat has seen, ~2.5 KB a chat) becomes `rotation`, a row per
chat: the cycle's tips as a bitset (`storage.tip_sets`) and the latest tip's number.
13: `feedback` becomes `votes`, keyed by (chat, tip number), WITHOUT ROWID and with no second
index; the per-tip counts operators read (`/stats`, `tips stats`) are kept up to date by
triggers in `tip_votes`, one row per tip, so reading them never scans every vote. When a vote was
pressed (`voted_at`) is dropped: nothing showed it but the raw `/export`.

A version 11 bot stored tips it had not numbered, so each migration first numbers the tip ids
its tables name, as migration 11 did, new ones taking the next numbers in text order.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlite_utils import Database

from storage.tip_sets import tip_set

__all__ = ["v12_rotation", "v13_votes"]

_NUMBER_NEW = "INSERT OR IGNORE INTO tip_numbers (tip_id) SELECT tip_id FROM ({}) ORDER BY tip_id"


def v12_rotation(db: Database) -> None:
    """Each chat's seen tips as one set; its latest is the one stored last (highest rowid).
    Pending deliveries' tips are numbered too, so their finish can mark them seen."""
    db.execute(
        _NUMBER_NEW.format("SELECT tip_id FROM seen_tips UNION SELECT tip_id FROM deliveries")
    )
    db.execute(
        """CREATE TABLE rotation (
            chat_id INTEGER PRIMARY KEY,
            cycle BLOB NOT NULL,              -- tip numbers seen this cycle (storage.tip_sets)
            last INTEGER                      -- the number of the latest tip the chat had
        )"""
    )
    db.conn.executemany(
        "INSERT INTO rotation (chat_id, cycle, last) VALUES (?, ?, ?)", _rotations(db)
    )
    db.execute("DROP TABLE seen_tips")


def _rotations(db: Database) -> Iterator[tuple[int, bytes, int]]:
    """Per chat: its seen numbers and, beside max(rowid), the latest one (SQLite gives a bare
    column from the row holding the max)."""
    rows = db.execute(
        "SELECT s.chat_id, group_concat(n.number), n.number, max(s.rowid) FROM seen_tips AS s"
        " JOIN tip_numbers AS n ON n.tip_id = s.tip_id GROUP BY s.chat_id"
    )
    for chat_id, seen, latest, _ in rows:
        yield chat_id, tip_set(map(int, seen.split(","))), latest


def v13_votes(db: Database) -> None:
    """Votes by tip number, three integers a row; the `feedback_by_tip` index goes with its
    table."""
    db.execute(_NUMBER_NEW.format("SELECT tip_id FROM feedback"))
    db.execute(
        """CREATE TABLE votes (
            chat_id INTEGER NOT NULL,
            tip INTEGER NOT NULL,             -- the tip's number (storage.tables.tip_numbers)
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            PRIMARY KEY (chat_id, tip)
        ) WITHOUT ROWID"""
    )
    for statement in _TIP_VOTES:
        db.execute(statement)
    db.execute(
        "INSERT INTO votes (chat_id, tip, vote) SELECT f.chat_id, n.number, f.vote"
        " FROM feedback AS f JOIN tip_numbers AS n ON n.tip_id = f.tip_id"
    )
    db.execute("DROP TABLE feedback")


# 👍 and 👎 per tip, kept by the votes table's own triggers: a press adds one small update,
# and the operator's per-tip figures are a read of ~200 rows at any number of subscribers.
# (No INSERT OR IGNORE: inside a trigger the outer statement's conflict policy overrides it.)
_TIP_VOTES = (
    """CREATE TABLE tip_votes (
        tip INTEGER PRIMARY KEY,              -- the tip's number
        up INTEGER NOT NULL DEFAULT 0,        -- chats whose vote on it is 👍
        down INTEGER NOT NULL DEFAULT 0       -- … and 👎
    )""",
    """CREATE TRIGGER votes_added AFTER INSERT ON votes BEGIN
        INSERT INTO tip_votes (tip) SELECT new.tip
            WHERE NOT EXISTS (SELECT 1 FROM tip_votes WHERE tip = new.tip);
        UPDATE tip_votes SET up = up + (new.vote = 1), down = down + (new.vote = -1)
            WHERE tip = new.tip;
    END""",
    """CREATE TRIGGER votes_removed AFTER DELETE ON votes BEGIN
        UPDATE tip_votes SET up = up - (old.vote = 1), down = down - (old.vote = -1)
            WHERE tip = old.tip;
    END""",
    """CREATE TRIGGER votes_changed AFTER UPDATE ON votes BEGIN
        UPDATE tip_votes SET up = up - (old.vote = 1), down = down - (old.vote = -1)
            WHERE tip = old.tip;
        INSERT INTO tip_votes (tip) SELECT new.tip
            WHERE NOT EXISTS (SELECT 1 FROM tip_votes WHERE tip = new.tip);
        UPDATE tip_votes SET up = up + (new.vote = 1), down = down + (new.vote = -1)
            WHERE tip = new.tip;
    END""",
)
