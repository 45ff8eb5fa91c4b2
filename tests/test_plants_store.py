"""The plant tally in a real SQLite file: once per plant per week, weeks kept apart."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage import Store
from storage.schema import LATEST, schema_version
from tests.databases import database_at

CHAT, OTHER = 7070, 7071
WEEK, NEXT_WEEK = date(2026, 3, 2), date(2026, 3, 9)
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def test_plants_are_added_once_a_week_in_order(store):
    assert store.add_plants(CHAT, WEEK, ["oats", "kale"], NOW) == ["oats", "kale"]
    later = NOW + timedelta(minutes=1)
    assert store.add_plants(CHAT, WEEK, ["kale", "lentils"], later) == ["lentils"]
    assert store.plants_of(CHAT, WEEK) == ["oats", "kale", "lentils"]


def test_weeks_and_chats_are_kept_apart(store):
    store.add_plants(CHAT, WEEK, ["oats"], NOW)
    store.add_plants(OTHER, WEEK, ["kale"], NOW)
    assert store.add_plants(CHAT, NEXT_WEEK, ["oats"], NOW + timedelta(days=7)) == ["oats"]
    assert store.plants_of(CHAT, WEEK) == ["oats"]
    assert store.plants_of(CHAT, NEXT_WEEK) == ["oats"]
    assert store.plants_of(OTHER, WEEK) == ["kale"]
    assert store.plants_of(OTHER, NEXT_WEEK) == []


def test_the_tally_survives_reopening_the_file(db_path):
    first = Store.open(db_path)
    first.add_plants(CHAT, WEEK, ["oats"], NOW)
    first.close()
    again = Store.open(db_path)
    try:
        assert again.plants_of(CHAT, WEEK) == ["oats"]
    finally:
        again.close()


def test_erase_and_export_include_the_plants(store):
    store.add_plants(CHAT, WEEK, ["oats", "kale"], NOW)
    store.add_plants(OTHER, WEEK, ["kale"], NOW)
    exported = store.export_chat(CHAT, NOW)["tables"]["plants"]
    assert sorted(row["plant"] for row in exported) == ["kale", "oats"]
    assert exported[0] == {
        "chat_id": CHAT,
        "week": "2026-03-02",
        "plant": exported[0]["plant"],
        "added_at": "2026-03-03T12:00:00+00:00",
    }
    assert store.erase_chat(CHAT, NOW)["plants"] == 2
    assert store.plants_of(CHAT, WEEK) == []
    assert store.plants_of(OTHER, WEEK) == ["kale"]


def test_a_version_7_database_gains_the_plants_table(tmp_path):
    path = tmp_path / "v7.db"
    db = database_at(path, 7)
    assert "plants" not in db.table_names()
    db.close()
    store = Store.open(path)
    try:
        assert schema_version(store.db) == LATEST >= 8
        assert store.add_plants(CHAT, WEEK, ["oats"], NOW) == ["oats"]
    finally:
        store.close()


def test_a_groups_plants_move_to_its_supergroup(store):
    group, supergroup = -4040, -1004040
    store.add_plants(group, WEEK, ["oats", "kale"], NOW)
    store.add_plants(supergroup, WEEK, ["kale", "figs"], NOW)
    store.migrate(group, supergroup, NOW)
    assert sorted(store.plants_of(supergroup, WEEK)) == ["figs", "kale", "oats"]
    assert store.plants_of(group, WEEK) == []
