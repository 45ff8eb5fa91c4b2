"""Votes in a real SQLite file: one vote per (chat, tip), a chat's votes one row of two tip
sets, the per-tip counts kept by triggers (check-ins: test_streaks_store.py)."""

from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from storage import Store
from storage.schema import LATEST, schema_version
from storage.tables.feedback import Votes
from storage.tip_sets import tip_set
from tests.databases import database_at

DAY = date(2026, 3, 2)


def test_a_vote_is_stored_by_tip_number_and_can_be_changed(store, clock):
    assert store.vote(1, "k2-a", 1, clock()) is None
    clock.advance(minutes=5)
    assert store.vote(1, "k2-a", -1, clock()) == 1  # the vote it replaced
    assert store.vote_of(1, "k2-a") == -1
    store.vote(1, "k2-b", 1, clock())
    rows = store.db.execute("SELECT chat_id, liked, disliked FROM votes").fetchall()
    assert rows == [(1, tip_set([store.tips.known("k2-b")]), tip_set([store.tips.known("k2-a")]))]


def test_no_vote_on_a_tip_nobody_has_stored(store):
    assert store.vote_of(1, "never-stored") is None
    assert store.tips.known("never-stored") is None  # the read numbered nothing


def test_votes_are_counted_per_tip_one_per_chat(store, clock):
    for chat_id, tip_id, vote in [(1, "a", 1), (2, "a", 1), (3, "a", -1), (1, "b", -1)]:
        store.vote(chat_id, tip_id, vote, clock())
    store.vote(1, "a", 1, clock())  # again: still one vote
    assert store.feedback_counts() == {"a": Votes(2, 1), "b": Votes(0, 1)}


def test_a_vote_other_than_up_or_down_is_refused_and_changes_nothing(store, clock):
    store.vote(1, "a", 1, clock())
    with pytest.raises(ValueError):
        store.vote(1, "a", 2, clock())
    assert store.vote_of(1, "a") == 1 and store.feedback_counts() == {"a": Votes(1, 0)}


def test_the_counts_follow_every_change_erase_and_merge(store, clock):
    """The triggers move a tip's count by one for each set a write added it to or took it
    from, whatever the statement: a changed vote, /delete_me, a group's move."""
    for chat_id, tip_id, vote in [(1, "a", 1), (1, "b", 1), (2, "a", -1), (3, "c", 1)]:
        store.vote(chat_id, tip_id, vote, clock())
    store.vote(1, "b", -1, clock())
    assert store.feedback_counts() == {"a": Votes(1, 1), "b": Votes(0, 1), "c": Votes(1, 0)}
    store.erase_chat(3, clock())
    assert store.feedback_counts() == {"a": Votes(1, 1), "b": Votes(0, 1)}
    store.vote(-5, "a", 1, clock())  # a group's votes; its supergroup voted 👎 on a already
    store.vote(-5, "c", -1, clock())
    store.vote(-1005, "a", -1, clock())
    store.migrate(-5, -1005, clock())
    assert [store.vote_of(-1005, tip) for tip in "abc"] == [-1, None, -1]  # its own vote stays
    assert store.feedback_counts() == {"a": Votes(1, 2), "b": Votes(0, 1), "c": Votes(0, 1)}


def test_a_group_upgrade_moves_votes_and_check_ins(store, clock):
    store.subscribe(-5, "group", Schedule(time(8), ZoneInfo("UTC")), clock())
    store.vote(-5, "a", 1, clock())
    store.check_in(-5, DAY)
    store.migrate(-5, -1005, clock())
    assert store.vote_of(-1005, "a") == 1 and store.checked_in(-1005, DAY)
    assert store.vote_of(-5, "a") is None and not store.checked_in(-5, DAY)


def test_a_version_5_database_gains_the_feedback_tables_and_keeps_its_rows(tmp_path, clock):
    path = tmp_path / "v5.db"
    db = database_at(path, 5)
    db.close()
    store = Store.open(path)
    try:
        assert schema_version(store.db) == LATEST >= 6
        assert {"votes", "streaks"} <= set(store.db.table_names())
        assert store.check_in(1, DAY) and store.checked_in(1, DAY)
    finally:
        store.close()
