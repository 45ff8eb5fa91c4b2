"""Channels and who added them, in a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.due import Schedule
from storage import Store
from storage.schema import LATEST, schema_version
from tests.databases import database_at

OWNER, OTHER_OWNER, CHANNEL = 6060, 6061, -1006060000001
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC)
DEFAULT = Schedule(time(8, 0), ZoneInfo("UTC"))


def test_a_channel_is_a_subscriber_listed_for_each_admin_who_added_it(store):
    subscriber, newly = store.add_channel(OWNER, CHANNEL, "@gutnews", DEFAULT, NOW)
    assert newly and subscriber.active and subscriber.chat_type == "channel"
    _, newly = store.add_channel(OTHER_OWNER, CHANNEL, "@GutNews", DEFAULT, NOW)
    assert not newly
    assert store.channels_of(OWNER) == [(CHANNEL, "@gutnews")]
    assert store.channels_of(OTHER_OWNER) == [(CHANNEL, "@GutNews")]
    assert store.due_subscribers(NOW + timedelta(days=1), 10)[0].chat_id == CHANNEL


def test_removing_stops_the_channel_and_forgets_it_for_everyone(store):
    store.add_channel(OWNER, CHANNEL, "@gutnews", DEFAULT, NOW)
    store.add_channel(OTHER_OWNER, CHANNEL, "@gutnews", DEFAULT, NOW)
    assert store.remove_channel(CHANNEL, NOW) is True
    assert store.channels_of(OWNER) == store.channels_of(OTHER_OWNER) == []
    assert not store.subscriber(CHANNEL).active
    assert store.due_subscribers(NOW + timedelta(days=1), 10) == []
    assert store.remove_channel(CHANNEL, NOW) is False


def test_an_owners_export_and_erase_cover_their_channels_only(store):
    store.add_channel(OWNER, CHANNEL, "@gutnews", DEFAULT, NOW)
    store.add_channel(OTHER_OWNER, CHANNEL, "@gutnews", DEFAULT, NOW)
    [row] = store.export_chat(OWNER, NOW)["tables"]["channel_owners"]
    assert row == {
        "chat_id": OWNER,
        "channel_id": CHANNEL,
        "channel_name": "@gutnews",
        "added_at": "2026-03-03T12:00:00+00:00",
    }
    assert store.erase_chat(OWNER, NOW)["channel_owners"] == 1
    assert store.channels_of(OWNER) == []
    assert store.channels_of(OTHER_OWNER) == [(CHANNEL, "@gutnews")]
    assert store.subscriber(CHANNEL).active  # the channel's own tip is the channel's


def test_a_version_8_database_gains_the_channel_owners_table(tmp_path):
    path = tmp_path / "v8.db"
    db = database_at(path, 8)
    assert "channel_owners" not in db.table_names()
    db.close()
    store = Store.open(path)
    try:
        assert schema_version(store.db) == LATEST
        store.add_channel(OWNER, CHANNEL, "@gutnews", DEFAULT, NOW)
        assert store.channels_of(OWNER) == [(CHANNEL, "@gutnews")]
    finally:
        store.close()
