"""The rotation history stored as one bitset a chat: cycles, library editions, group moves."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from scheduler.due import Schedule
from scheduler.records import DeliveryStatus
from storage import Store
from storage.tip_sets import numbers_in, tip_set, tip_set_add, tip_set_minus, tip_set_union
from tests.test_rotation import make_pool
from tips import next_tip

NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
OLD, NEW = -100, -1001234567890123
numbers = st.sets(st.integers(0, 600), max_size=60)


@given(first=numbers, second=numbers, extra=st.integers(0, 600))
def test_a_tip_set_holds_exactly_its_numbers_and_has_one_encoding(first, second, extra):
    encoded = tip_set(first)
    assert numbers_in(encoded) == first
    assert not encoded.endswith(b"\0")  # canonical: the empty set is b""
    assert numbers_in(tip_set_add(encoded, extra)) == first | {extra}
    assert numbers_in(tip_set_union(encoded, tip_set(second))) == first | second
    assert tip_set_minus(encoded, tip_set(second)) == tip_set(first - second)


def test_a_null_set_reads_as_empty():
    assert numbers_in(None) == set() and tip_set_add(None, 3) == bytes([0b1000])


def cycle_numbers(store: Store, chat_id: int) -> set[int]:
    row = store.db.execute("SELECT cycle FROM rotation WHERE chat_id = ?", [chat_id]).fetchone()
    return numbers_in(row[0])


def test_a_cycle_end_in_a_topic_subset_clears_only_the_pools_bits(store):
    library = make_pool({"fiber": 2, "k2": 2})
    fiber = [tip for tip in library if tip.topic == "fiber"]
    for tip_id in ("k2-0", "fiber-0", "fiber-1"):  # the chat then ticked fiber only
        store.mark_seen(7, tip_id, NOW)
    k2_zero = store.tips.known("k2-0")
    opener = next_tip(store, fiber, 7, random.Random(1), NOW).id
    assert opener == "fiber-0"  # a new fiber cycle, never starting with fiber-1, the last
    assert store.seen_tips(7) == {"k2-0", "fiber-0"}  # k2's cycle goes on where it was
    assert cycle_numbers(store, 7) == {k2_zero, store.tips.known("fiber-0")}
    assert store.last_seen_tip(7) == "fiber-0"


def test_forgetting_keeps_the_latest_tip_and_numbers_nothing(store):
    store.mark_seen(7, "a", NOW)
    store.forget_seen(7, ["a", "never-stored"])
    assert store.seen_tips(7) == set() and store.last_seen_tip(7) == "a"
    assert store.tips.known("never-stored") is None
    store.forget_seen(8, ["a"])  # a chat with no history: nothing to do, no row made
    assert store.db.execute("SELECT count(*) FROM rotation").fetchone()[0] == 1


def test_library_editions_keep_numbers_a_removed_tip_stays_seen_a_new_one_comes_next(db_path):
    store = Store.open(db_path)
    for tip_id in ("a-0", "a-1", "a-2"):
        store.mark_seen(7, tip_id, NOW)
    before = {tip_id: store.tips.known(tip_id) for tip_id in ("a-0", "a-1", "a-2")}
    store.close()
    store = Store.open(db_path)  # the next edition: a-1 removed, a-3 new
    edition = [tip for tip in make_pool({"a": 4}) if tip.id != "a-1"]
    assert next_tip(store, edition, 7, random.Random(2), NOW).id == "a-3"
    assert {tip_id: store.tips.known(tip_id) for tip_id in before} == before
    assert store.tips.known("a-3") == max(before.values()) + 1
    assert store.seen_tips(7) == {"a-0", "a-1", "a-2", "a-3"}  # a-1 keeps its bit
    opener = next_tip(store, edition, 7, random.Random(2), NOW).id  # this edition is used up
    assert store.seen_tips(7) == {"a-1", opener} and opener != "a-3"
    store.close()


def test_a_delivered_tip_enters_the_cycle_at_its_finish_only(store):
    store.subscribe(7, "private", Schedule(time(8), ZoneInfo("UTC")), NOW)
    assert store.claim_delivery(7, date(2026, 3, 2), "first-ever", NOW)
    assert store.seen_tips(7) == set()  # claimed is not seen
    store.finish_delivery(7, date(2026, 3, 2), DeliveryStatus.SENT, NOW, None)
    assert store.seen_tips(7) == {"first-ever"} and store.last_seen_tip(7) == "first-ever"


def test_a_group_move_joins_both_cycles_and_keeps_the_supergroups_latest(store):
    for chat_id, tip_ids in ((OLD, ("a", "b")), (NEW, ("b", "c"))):
        for tip_id in tip_ids:
            store.mark_seen(chat_id, tip_id, NOW)
    store.migrate(OLD, NEW, NOW)
    assert store.seen_tips(NEW) == {"a", "b", "c"} and store.last_seen_tip(NEW) == "c"
    assert store.seen_tips(OLD) == set() and store.last_seen_tip(OLD) is None
    store.mark_seen(OLD - 1, "d", NOW)  # a group whose supergroup has no history yet
    store.migrate(OLD - 1, NEW - 1, NOW)
    assert store.seen_tips(NEW - 1) == {"d"} and store.last_seen_tip(NEW - 1) == "d"


def test_histories_read_many_chats_at_once(store):
    store.mark_seen(1, "a", NOW)
    store.mark_seen(1, "b", NOW)
    store.mark_seen(2, "a", NOW)
    chats = list(range(-600, 3))  # more than one batch of 500
    numbers = store.tip_numbers({"a", "b"})
    a, b = numbers["a"], numbers["b"]
    assert store.seen_histories(chats) == {1: (1 << a | 1 << b, b), 2: (1 << a, a)}
