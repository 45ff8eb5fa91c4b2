"""Stored preferences (topics, a pause) and a chat's own data: erased and exported whole."""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule, pause_end
from scheduler.lifecycle import ClaimLost
from scheduler.records import DeliveryStatus
from storage import Store
from storage.privacy import chat_tables
from storage.schema import LATEST, schema_version

BERLIN_EIGHT = Schedule(time(8, 0), ZoneInfo("Europe/Berlin"))
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # Monday 10:00 in Berlin
CHAT, OTHER = 42, 43


def subscribed(store: Store, chat_id: int = CHAT) -> None:
    store.subscribe(chat_id, "private", BERLIN_EIGHT, NOW - timedelta(days=3))


def test_a_pause_takes_the_chat_out_of_the_queue_until_it_ends(store):
    subscribed(store)
    until = pause_end(BERLIN_EIGHT, 3, NOW)
    paused = store.pause(CHAT, 3, NOW)
    assert paused.schedule.paused_until == until
    assert store.due_subscribers(NOW + timedelta(days=3), 10) == []
    assert store.earliest_due() == datetime(2026, 3, 6, 7, 0, tzinfo=UTC)  # Friday 08:00
    assert [
        s.chat_id for s in store.due_subscribers(datetime(2026, 3, 6, 7, 0, tzinfo=UTC), 10)
    ] == [CHAT]
    assert store.stats(NOW).paused == 1
    assert store.stats(until).paused == 0  # the pause ended by itself


def test_resume_ends_the_pause_and_owes_only_what_is_ahead_today(store):
    subscribed(store)
    store.pause(CHAT, 7, NOW)
    resumed, was_paused = store.resume(CHAT, NOW)
    assert was_paused and resumed.schedule.paused_until is None
    assert store.earliest_due() == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # tomorrow, not now
    assert store.resume(CHAT, NOW) == (store.subscriber(CHAT), False)


def test_pause_and_resume_need_an_active_subscription(store):
    assert store.pause(CHAT, 2, NOW) is None
    assert store.resume(CHAT, NOW) == (None, False)
    subscribed(store)
    store.unsubscribe(CHAT, NOW)
    assert store.pause(CHAT, 2, NOW) is None


def test_subscribing_again_ends_a_pause_left_from_before(store):
    subscribed(store)
    store.pause(CHAT, 30, NOW)
    store.unsubscribe(CHAT, NOW)
    again, newly = store.subscribe(CHAT, "private", BERLIN_EIGHT, NOW)
    assert newly and again.schedule.paused_until is None
    assert store.earliest_due() == datetime(2026, 3, 3, 7, 0, tzinfo=UTC)


def test_topics_are_stored_and_none_means_all(store):
    subscribed(store)
    assert store.subscriber(CHAT).topics is None
    chosen = store.set_topics(
        CHAT, frozenset({"fiber", "k2"}), NOW, chat_type="private", default=BERLIN_EIGHT
    )
    assert chosen.topics == frozenset({"fiber", "k2"}) and chosen.active
    assert store.subscriber(CHAT).topics == frozenset({"fiber", "k2"})
    store.set_topics(CHAT, None, NOW, chat_type="private", default=BERLIN_EIGHT)
    assert store.subscriber(CHAT).topics is None


def test_topics_for_a_chat_not_yet_subscribed_store_it_inactive(store):
    chosen = store.set_topics(
        CHAT, frozenset({"fiber"}), NOW, chat_type="private", default=BERLIN_EIGHT
    )
    assert not chosen.active and store.subscriber(CHAT).topics == frozenset({"fiber"})


def test_unreadable_preferences_read_as_not_chosen_and_keep_the_row_usable(store):
    subscribed(store)
    store.db.execute("UPDATE subscribers SET topics = x'00', paused_until = 'soon'")
    subscriber = store.subscriber(CHAT)
    assert subscriber.active and subscriber.problem is None
    assert subscriber.topics is None and subscriber.schedule.paused_until is None


def with_history(store: Store, chat_id: int) -> None:
    subscribed(store, chat_id)
    day = date(2026, 3, 2)
    assert store.claim_delivery(chat_id, day, "fiber-1", NOW)
    store.finish_delivery(chat_id, day, DeliveryStatus.SENT, NOW, None)
    store.mark_seen(chat_id, "fiber-1", NOW)


def test_erase_deletes_every_row_about_the_chat_and_nothing_else(store):
    for chat_id in (CHAT, OTHER):
        with_history(store, chat_id)
        store.vote(chat_id, "fiber-1", 1, NOW)
        store.check_in(chat_id, NOW.date())
        store.add_plants(chat_id, NOW.date(), ["oats"])
        store.add_channel(chat_id, -1009999000001, "@gutnews", BERLIN_EIGHT, NOW)
    erased = store.erase_chat(CHAT, NOW)
    assert erased == {
        "channel_owners": 1,
        "deliveries": 1,
        "plants": 1,
        "rotation": 1,
        "streaks": 1,
        "subscribers": 1,
        "votes": 1,
    }
    for table in chat_tables(store.db):
        assert (
            store.db.execute(f"SELECT count(*) FROM {table} WHERE chat_id = ?", [CHAT]).fetchone()[
                0
            ]
            == 0
        )
        assert (
            store.db.execute(f"SELECT count(*) FROM {table} WHERE chat_id = ?", [OTHER]).fetchone()[
                0
            ]
            == 1
        )
    assert store.stats(NOW).left_7d == 1  # an erased subscriber has left


def test_chat_tables_are_found_from_the_schema(store):
    assert schema_version(store.db) == LATEST
    assert chat_tables(store.db) == [
        "channel_owners",
        "deliveries",
        "plants",
        "rotation",
        "streaks",
        "subscribers",
        "votes",
    ]
    store.db.execute("CREATE TABLE later (chat_id INTEGER, at TEXT)")  # a later feature's
    assert "later" in chat_tables(store.db)


def test_export_has_every_table_with_iso_instants_and_is_json(store):
    with_history(store, CHAT)
    with_history(store, OTHER)
    store.set_topics(CHAT, frozenset({"fiber"}), NOW, chat_type="private", default=BERLIN_EIGHT)
    store.pause(CHAT, 3, NOW)
    document = json.loads(json.dumps(store.export_chat(CHAT, NOW)))
    assert document["chat_id"] == CHAT and document["exported_at"] == "2026-03-02T09:00:00+00:00"
    assert set(document["tables"]) == {
        "channel_owners",
        "deliveries",
        "plants",
        "rotation",
        "streaks",
        "subscribers",
        "votes",
    }
    [subscriber] = document["tables"]["subscribers"]
    assert subscriber["topics"] == "fiber" and subscriber["timezone"] == "Europe/Berlin"
    assert subscriber["paused_until"] == "2026-03-05T23:00:00+00:00"
    [delivery] = document["tables"]["deliveries"]
    assert delivery["delivered_at"] == "2026-03-02T09:00:00+00:00" and delivery["status"] == "sent"
    assert document["tables"]["rotation"] == [  # tip ids, not the stored numbers
        {"chat_id": CHAT, "cycle": ["fiber-1"], "last": "fiber-1"}
    ]


def test_a_delivery_finishing_after_the_chat_was_erased_is_harmless(store):
    subscribed(store)
    day = date(2026, 3, 2)
    assert store.claim_delivery(CHAT, day, "fiber-1", NOW)
    store.erase_chat(CHAT, NOW)
    with pytest.raises(ClaimLost):  # the sender logs it and moves on
        store.finish_delivery(CHAT, day, DeliveryStatus.RELEASED, NOW, None)
    assert store.subscriber(CHAT) is None


def test_stored_since_is_when_the_row_was_made(store):
    assert store.stored_since(CHAT) is None
    subscribed(store)
    assert store.stored_since(CHAT) == NOW - timedelta(days=3)
