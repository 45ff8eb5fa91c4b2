"""Rotation: no repeats until the pool is used up, topics balanced, no back-to-back repeat."""

import random
from collections import Counter
from datetime import UTC, datetime
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from tips import Kind, Tip, next_tip, pick_tip


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
