"""Votes in a real SQLite file: one vote per (chat, tip) (check-ins: test_streaks_store.py)."""

import sqlite3
from datetime import date, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from storage import Store
from storage.schema import LATEST, schema_version
from storage.tables.feedback import Votes
from tests.databases import database_at

DAY = date(2026, 3, 2)


def test_a_vote_is_stored_by_tip_number_and_can_be_changed(store, clock):
    assert store.vote(1, "k2-a", 1, clock()) is None
    clock.advance(minutes=5)
    assert store.vote(1, "k2-a", -1, clock()) == 1  # the vote it replaced
    assert store.vote_of(1, "k2-a") == -1
    rows = store.db.execute("SELECT chat_id, tip, vote FROM votes").fetchall()
    assert rows == [(1, store.tips.known("k2-a"), -1)]


def test_no_vote_on_a_tip_nobody_has_stored(store):
    assert store.vote_of(1, "never-stored") is None
    assert store.tips.known("never-stored") is None  # the read numbered nothing


def test_votes_are_counted_per_tip_one_per_chat(store, clock):
    for chat_id, tip_id, vote in [(1, "a", 1), (2, "a", 1), (3, "a", -1), (1, "b", -1)]:
        store.vote(chat_id, tip_id, vote, clock())
    store.vote(1, "a", 1, clock())  # again: still one vote
    assert store.feedback_counts() == {"a": Votes(2, 1), "b": Votes(0, 1)}


def test_the_schema_refuses_a_vote_other_than_up_or_down(store, clock):
    with pytest.raises(sqlite3.IntegrityError):
        store.vote(1, "a", 2, clock())


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
