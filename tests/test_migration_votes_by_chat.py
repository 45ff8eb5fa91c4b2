"""Migration 19 on a version 18 file: every chat keeps each vote, the per-tip counts stay
right, and the triggers that keep them work on the new rows."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import Store, Votes
from storage.schema import schema_version
from tests.databases import database_at

NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
TIPS = ["k2-a", "fiber-b", "tea", "far-tip"]
VOTES = [(1, "k2-a", 1), (1, "tea", -1), (1, "far-tip", 1), (2, "k2-a", -1), (-100, "tea", 1)]


def version_18_file(path) -> None:
    db = database_at(path, 18)
    db.conn.executemany("INSERT INTO tip_numbers (tip_id) VALUES (?)", [[tip] for tip in TIPS])
    db.execute("UPDATE tip_numbers SET number = 200 WHERE tip_id = 'far-tip'")  # past 64 bits
    db.conn.executemany(
        "INSERT INTO votes (chat_id, tip, vote)"
        " SELECT ?, number, ? FROM tip_numbers WHERE tip_id = ?",
        [(chat_id, vote, tip_id) for chat_id, tip_id, vote in VOTES],
    )  # version 13's triggers count them, as the running bot did
    db.conn.commit()
    db.close()


def test_every_vote_and_count_is_kept_and_counting_goes_on(tmp_path):
    path = tmp_path / "v18.db"
    version_18_file(path)
    store = Store.open(path)
    try:
        assert schema_version(store.db) >= 19
        assert [store.vote_of(chat, tip) for chat, tip, _ in VOTES] == [1, -1, 1, -1, 1]
        assert store.vote_of(2, "tea") is None and store.vote_of(3, "k2-a") is None
        assert store.chat_votes([1]) == {1: {"k2-a": 1, "tea": -1, "far-tip": 1}}
        counts = {"k2-a": Votes(1, 1), "tea": Votes(1, 1), "far-tip": Votes(1, 0)}
        assert store.feedback_counts() == counts
        assert store.db.execute("SELECT count(*) FROM votes").fetchone() == (3,)  # one a chat
        store.vote(2, "k2-a", 1, NOW)
        store.vote(2, "fiber-b", -1, NOW)
        counts |= {"k2-a": Votes(2, 0), "fiber-b": Votes(0, 1)}
        assert store.feedback_counts() == counts
    finally:
        store.close()


def test_rotation_and_votes_are_keyed_by_the_chat_id_itself_with_no_index(store):
    indexes = store.db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('rotation', 'votes')"
    ).fetchall()
    assert indexes == []
    for table in ("rotation", "votes"):
        sql = store.db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()
        assert "chat_id INTEGER PRIMARY KEY," in sql[0]  # SQLite's rowid: no second key
