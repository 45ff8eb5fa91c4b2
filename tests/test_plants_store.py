"""The plant tally in a real SQLite file: once per plant per week, weeks kept apart, only
the current and the previous week kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from storage import Store
from storage.schema import LATEST, schema_version
from tests.databases import database_at

CHAT, OTHER = 7070, 7071
WEEK, NEXT_WEEK = date(2026, 3, 2), date(2026, 3, 9)
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)


def test_plants_are_added_once_a_week_in_order(store):
    assert store.add_plants(CHAT, WEEK, ["oats", "kale"]) == ["oats", "kale"]
    assert store.add_plants(CHAT, WEEK, ["kale", "lentils"]) == ["lentils"]
    assert store.plants_of(CHAT, WEEK) == ["oats", "kale", "lentils"]


def test_weeks_and_chats_are_kept_apart(store):
    store.add_plants(CHAT, WEEK, ["oats"])
    store.add_plants(OTHER, WEEK, ["kale"])
    assert store.add_plants(CHAT, NEXT_WEEK, ["oats"]) == ["oats"]
    assert store.plants_of(CHAT, WEEK) == ["oats"]
    assert store.plants_of(CHAT, NEXT_WEEK) == ["oats"]
    assert store.plants_of(OTHER, WEEK) == ["kale"]
    assert store.plants_of(OTHER, NEXT_WEEK) == []


def test_the_tally_survives_reopening_the_file(db_path):
    first = Store.open(db_path)
    first.add_plants(CHAT, WEEK, ["oats"])
    first.close()
    again = Store.open(db_path)
    try:
        assert again.plants_of(CHAT, WEEK) == ["oats"]
    finally:
        again.close()


def test_erase_and_export_include_the_plants(store):
    store.add_plants(CHAT, WEEK, ["oats", "kale"])
    store.add_plants(OTHER, WEEK, ["kale"])
    exported = store.export_chat(CHAT, NOW)["tables"]["plants"]
    assert exported == [{"chat_id": CHAT, "week": "2026-03-02", "names": "oats\nkale"}]
    assert store.erase_chat(CHAT, NOW)["plants"] == 1  # the one week
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
        assert store.add_plants(CHAT, WEEK, ["oats"]) == ["oats"]
    finally:
        store.close()


def test_a_groups_plants_move_to_its_supergroup(store):
    group, supergroup = -4040, -1004040
    store.add_plants(group, WEEK, ["oats", "kale"])
    store.add_plants(supergroup, WEEK, ["kale", "figs"])
    store.migrate(group, supergroup, NOW)
    assert sorted(store.plants_of(supergroup, WEEK)) == ["figs", "kale", "oats"]
    assert store.plants_of(group, WEEK) == []
    assert store.plants_of(supergroup, WEEK) == ["oats", "kale", "figs"]  # the group's first


def weeks_of(store, chat_id) -> list[str]:
    rows = store.db.execute("SELECT week FROM plants WHERE chat_id = ? ORDER BY week", [chat_id])
    return [week for (week,) in rows]


def test_a_new_week_drops_the_weeks_before_the_previous_one(store):
    for n in range(3):
        week = WEEK + timedelta(weeks=n)
        store.add_plants(CHAT, week, ["oats", "kale"])
    store.add_plants(OTHER, WEEK, ["figs"])
    assert weeks_of(store, CHAT) == ["2026-03-09", "2026-03-16"]  # this one and the last
    assert store.plants_of(CHAT, NEXT_WEEK) == ["oats", "kale"]
    assert store.plants_of(OTHER, WEEK) == ["figs"]  # another chat's weeks wait for the sweep
    store.add_plants(CHAT, WEEK + timedelta(weeks=2), ["figs"])
    assert weeks_of(store, CHAT) == ["2026-03-09", "2026-03-16"]  # the same week: nothing goes


def test_naming_nothing_new_writes_nothing(store):
    store.add_plants(CHAT, WEEK, ["oats", "oats", "kale"])
    assert store.plants_of(CHAT, WEEK) == ["oats", "kale"]
    assert store.add_plants(CHAT, WEEK, ["kale"]) == []
    assert store.add_plants(CHAT, NEXT_WEEK, []) == [] and weeks_of(store, CHAT) == ["2026-03-02"]


def test_the_sweep_prunes_old_weeks_in_bounded_steps(store):
    for chat_id in range(1, 6):
        store.add_plants(chat_id, WEEK, ["oats"])
    store.add_plants(1, NEXT_WEEK, ["kale"])
    assert store.prune_plants(NEXT_WEEK, 2) == 2
    assert store.prune_plants(NEXT_WEEK, 2) == 2
    assert store.prune_plants(NEXT_WEEK, 2) == 1
    assert store.prune_plants(NEXT_WEEK, 2) == 0
    assert store.plants_of(1, NEXT_WEEK) == ["kale"]
    assert store.db.execute("SELECT count(*) FROM plants").fetchone()[0] == 1


def test_a_version_11_database_keeps_the_recent_weeks_in_order(tmp_path):
    path = tmp_path / "v11.db"
    db = database_at(path, 11)
    old = [  # chat, week, plant, added_at: out of order on purpose
        (CHAT, "2026-03-02", "kale", 20),
        (CHAT, "2026-03-02", "oats", 10),
        (CHAT, "2026-03-09", "figs", 30),
        (CHAT, "2026-02-23", "leek", 5),  # 14 days before the latest week: kept
        (CHAT, "2026-02-16", "rice", 1),  # older: dropped
        (OTHER, "2026-03-02", "oats", 15),
    ]
    db.conn.executemany("INSERT INTO plants VALUES (?, ?, ?, ?)", old)
    db.conn.commit()
    db.close()
    store = Store.open(path)
    try:
        assert store.plants_of(CHAT, WEEK) == ["oats", "kale"]
        assert store.plants_of(CHAT, NEXT_WEEK) == ["figs"]
        assert store.plants_of(CHAT, date(2026, 2, 23)) == ["leek"]
        assert store.plants_of(CHAT, date(2026, 2, 16)) == []
        assert store.plants_of(OTHER, WEEK) == ["oats"]
        assert "plants_v8" not in store.db.table_names()
    finally:
        store.close()
