"""Rotation: no repeats until the pool is used up, topics balanced, no back-to-back repeat."""

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tips import Kind, Tip, daily_chooser, daily_tips, next_tip, pick_tip
from tips.rotation import Shelves


def make_pool(sizes: dict[str, int]) -> list[Tip]:
    return [
        Tip(
            id=f"{topic}-{n}",
            topic=topic,
            title="t",
            text="x",
            refs=("r",),
            kind=Kind.ACTION,
            finding=f"r/{topic}-{n}",
            evidence="y",
        )
        for topic, size in sizes.items()
        for n in range(size)
    ]


def draw(pool: list[Tip], count: int, seed: int) -> list[str]:
    """Simulate a subscriber's history the way the store keeps it."""
    rng, seen, last, order = random.Random(seed), set(), None, []
    for _ in range(count):
        pick = pick_tip(pool, seen, rng, last=last)
        if pick.new_cycle:
            seen = set()
        seen.add(pick.tip.id)
        last = pick.tip.id
        order.append(last)
    return order


pools = st.dictionaries(
    st.sampled_from(["fiber", "avoid", "k2", "fermented"]), st.integers(1, 12), min_size=1
)


@given(sizes=pools, seed=st.integers(0, 2**32), cycles=st.integers(1, 3))
def test_no_tip_repeats_before_the_whole_pool_is_seen(sizes, seed, cycles):
    pool = make_pool(sizes)
    order = draw(pool, len(pool) * cycles, seed)
    for cycle in range(cycles):
        chunk = order[cycle * len(pool) : (cycle + 1) * len(pool)]
        assert sorted(chunk) == sorted(tip.id for tip in pool)


@given(sizes=pools, seed=st.integers(0, 2**32))
def test_never_the_same_tip_twice_in_a_row(sizes, seed):
    pool = make_pool(sizes)
    order = draw(pool, len(pool) * 3, seed)
    if len(pool) > 1:
        assert all(a != b for a, b in pairwise(order))


def test_topics_stay_in_balance_through_a_cycle():
    pool = make_pool({"fiber": 20, "avoid": 10, "k2": 10})
    first_half = Counter(tip_id.split("-")[0] for tip_id in draw(pool, 20, seed=7))
    assert first_half == {"fiber": 10, "avoid": 5, "k2": 5}


def test_new_cycle_is_flagged_only_when_the_pool_is_used_up():
    pool = make_pool({"fiber": 2})
    partly = pick_tip(pool, {"fiber-0"}, random.Random(1))
    assert (partly.new_cycle, partly.tip.id) == (False, "fiber-1")
    for seed in range(20):  # whatever the rng says, a used-up pool restarts, never with `last`
        again = pick_tip(pool, {"fiber-0", "fiber-1"}, random.Random(seed), last="fiber-1")
        assert (again.new_cycle, again.tip.id) == (True, "fiber-0")


def test_next_tip_restarts_the_stored_history_when_the_pool_is_used_up(store):
    pool, now, rng = (
        make_pool({"fiber": 2, "k2": 1}),
        datetime(2026, 3, 2, tzinfo=UTC),
        random.Random(4),
    )
    first_cycle = [next_tip(store, pool, 9, rng, now).id for _ in pool]
    assert sorted(first_cycle) == ["fiber-0", "fiber-1", "k2-0"]
    assert store.seen_tips(9) == set(first_cycle)
    opener = next_tip(store, pool, 9, rng, now).id
    assert opener != first_cycle[-1]
    assert store.seen_tips(9) == {opener}  # a new cycle: only its first tip counts as seen


def test_an_empty_pool_is_an_error_that_says_so():
    with pytest.raises(ValueError, match=r"^cannot pick from an empty pool$"):
        pick_tip([], set(), random.Random(1))


def test_a_topic_not_seen_yet_comes_first_however_small():
    pool = make_pool({"fiber": 10, "k2": 2})
    for seed in range(20):  # fiber: 1 of 10 seen; k2: none of 2 seen
        assert pick_tip(pool, {"fiber-0"}, random.Random(seed)).tip.topic == "k2"


def test_daily_tips_read_each_chats_history_and_restart_a_used_up_one(store):
    now = datetime(2026, 3, 2, tzinfo=UTC)
    fiber, k2 = make_pool({"fiber": 2}), make_pool({"k2": 3})
    store.mark_seen(1, "fiber-0", now)  # chat 1: one fiber tip left
    for seed in range(10):
        for day, tip in enumerate(k2):  # chat 2: k2 used up, k2-2 the last it got
            store.mark_seen(2, tip.id, now + timedelta(days=day))
        tips = daily_tips(store, {1: fiber, 2: k2}, random.Random(seed))
        assert tips[1].id == "fiber-1"
        assert tips[2].id in {"k2-0", "k2-1"}  # a new cycle, never the last tip again
        assert store.seen_tips(1) == {"fiber-0"} and store.seen_tips(2) == set()  # restarted


def test_shelves_arrange_a_pool_once_until_the_numbering_changes():
    pool, numbers = make_pool({"fiber": 3, "k2": 2}), {"fiber-0": 7}
    shelves = Shelves()
    first = shelves.arranged(pool, numbers)
    assert shelves.arranged(pool, numbers) is first
    assert first.numbers["fiber-0"] == 7 and len(set(first.numbers.values())) == 5
    renumbered = shelves.arranged(pool, {"fiber-0": 7, "k2-1": 9})
    assert renumbered is not first and renumbered.numbers["k2-1"] == 9
    assert shelves.arranged(list(pool), numbers) is not first  # another pool object


def test_a_daily_chooser_keeps_each_rotation_over_many_batches(store, library):
    """Batches of different chats, the pools and their arrangement kept between them: each
    chat still sees every tip of its pool once before any comes again."""
    store.number_tips(tip.id for tip in library.tips)
    choose = daily_chooser(store, library, random.Random(3))
    chats = [
        SimpleNamespace(chat_id=n, topics=None if n % 2 else frozenset({"k2"})) for n in (1, 2)
    ]
    now = datetime(2026, 3, 2, tzinfo=UTC)
    seen: dict[int, list[str]] = {1: [], 2: []}
    for day in range(len(library.tips_for({"k2"}))):
        for chat in chats:  # one chat a batch, as at the free rate
            tip_id = choose([chat])[chat.chat_id]
            store.mark_seen(chat.chat_id, tip_id, now + timedelta(days=day))
            seen[chat.chat_id].append(tip_id)
    assert len(set(seen[2])) == len(seen[2]) == len(library.tips_for({"k2"}))
    assert len(set(seen[1])) == len(seen[1])
