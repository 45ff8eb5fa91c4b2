"""Migrations 12 and 13 on a version 11 file: every chat keeps its seen tips, latest tip and
votes, including tips the version 11 bot stored without numbering them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scheduler.records import DeliveryStatus
from storage import Store, Votes
from storage.schema import LATEST
from tests.databases import database_at

NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
# chat, tip id, in the order stored: the latest is the highest rowid, not the largest id
SEEN = [(1, "k2-b"), (1, "fiber-a"), (2, "zinc"), (1, "brine"), (2, "fiber-a"), (-100, "tea")]
RESEEN = (1, "k2-b")  # INSERT OR REPLACE gave it a new rowid: chat 1's latest now
VOTES = [(1, "k2-b", 1, 100), (1, "tea", -1, 101), (2, "k2-b", -1, 102), (-100, "zinc", 1, 103)]
PENDING = (3, "2026-03-02", "pending-tip")  # claimed by the version 11 bot, not finished


def version_11_file(path) -> None:
    db = database_at(path, 11)
    db.execute("INSERT INTO tip_numbers (tip_id) VALUES ('tea')")  # numbered by migration 11
    for chat_id, tip_id in [*SEEN, RESEEN]:
        db.execute("INSERT OR REPLACE INTO seen_tips VALUES (?, ?, '')", [chat_id, tip_id])
    db.conn.executemany("INSERT INTO feedback VALUES (?, ?, ?, ?)", VOTES)
    db.execute(
        "INSERT INTO deliveries (chat_id, local_date, tip_id, status, delivered_at, updated_at,"
        " claim) VALUES (?, ?, ?, 'pending', 0, '', 'old-claim')",
        list(PENDING),
    )
    db.conn.commit()
    db.close()


def test_every_chat_keeps_its_seen_tips_latest_tip_and_votes(tmp_path):
    path = tmp_path / "v11.db"
    version_11_file(path)
    store = Store.open(path)
    assert LATEST >= 13
    assert store.tips.known("tea") == 1  # a number once given is kept
    assert store.seen_tips(1) == {"k2-b", "fiber-a", "brine"}
    assert store.seen_tips(2) == {"zinc", "fiber-a"} and store.seen_tips(-100) == {"tea"}
    assert [store.last_seen_tip(chat) for chat in (1, 2, -100, 4)] == [
        "k2-b",
        "fiber-a",
        "tea",
        None,
    ]
    assert [store.vote_of(chat, tip) for chat, tip, _, _ in VOTES] == [1, -1, -1, 1]
    assert store.feedback_counts() == {"k2-b": Votes(1, 1), "tea": Votes(0, 1), "zinc": Votes(1, 0)}
    tables = set(store.db.table_names())
    assert {"rotation", "votes"} <= tables and not {"seen_tips", "feedback"} & tables
    store.close()


def test_a_delivery_claimed_before_the_upgrade_is_seen_when_it_finishes(tmp_path):
    path = tmp_path / "v11.db"
    version_11_file(path)
    store = Store.open(path)
    chat_id, day, tip_id = PENDING
    store.finish_delivery(
        chat_id, date.fromisoformat(day), DeliveryStatus.SENT, NOW, None, claim="old-claim"
    )
    assert store.seen_tips(chat_id) == {tip_id} and store.last_seen_tip(chat_id) == tip_id
    store.close()
