"""Tips that learn from taps: a 👎'd tip leaves the rotation, votes weigh each topic's pace."""

import random
from collections import Counter
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from tests.test_rotation import make_pool
from tips import NO_TASTE, Taste, Tip, pick_tip, taste_of, topic_weight
from tips.choice import HIGHEST, LOWEST
from tips.rotation import arrange, votes_in


def topics_of(pool: list[Tip]) -> dict[str, str]:
    return {tip.id: tip.topic for tip in pool}


def draw(pool: list[Tip], count: int, seed: int, taste: Taste = NO_TASTE) -> list[tuple[str, bool]]:
    """A subscriber's picks, kept as the store keeps them: (tip id, whether a cycle began)."""
    rng, seen, last, order = random.Random(seed), set(), None, []
    for _ in range(count):
        pick = pick_tip(pool, seen, rng, last=last, taste=taste)
        if pick.new_cycle:
            seen = set()
        seen.add(pick.tip.id)
        last = pick.tip.id
        order.append((last, pick.new_cycle))
    return order


def ids(order: list[tuple[str, bool]]) -> list[str]:
    return [tip_id for tip_id, _ in order]


pools = st.dictionaries(
    st.sampled_from(["fiber", "avoid", "k2", "fermented"]), st.integers(1, 10), min_size=1
)


@st.composite
def pools_and_votes(draw_from):
    """A pool and a chat's votes on some of its tips (and on a tip outside it)."""
    pool = make_pool(draw_from(pools))
    voted = draw_from(st.lists(st.sampled_from([tip.id for tip in pool]), unique=True))
    votes = {tip_id: draw_from(st.sampled_from([1, -1])) for tip_id in voted}
    return pool, {**votes, "retired-tip": -1}


@given(up=st.integers(0, 10_000), down=st.integers(0, 10_000))
def test_a_topics_weight_stays_between_half_and_double(up, down):
    weight = topic_weight(up, down)
    assert LOWEST <= weight <= HIGHEST == 2.0 and LOWEST == 0.5
    assert (weight * 4).is_integer()  # shares divide to equal floats when equal (rotation)
    assert topic_weight(up + 1, down) >= weight >= topic_weight(up, down + 1)


def test_the_weight_rule_step_by_step():
    assert [topic_weight(0, down) for down in range(4)] == [1.0, 0.75, 0.5, 0.5]
    assert [topic_weight(up, 0) for up in (1, 4, 9)] == [1.25, 2.0, 2.0]
    assert topic_weight(3, 3) == 1.0


def test_taste_leaves_out_the_pools_down_voted_tips_and_weighs_its_topics():
    pool = make_pool({"fiber": 3, "k2": 2})
    votes = {"fiber-0": -1, "fiber-1": 1, "k2-0": 1, "k2-1": 1, "gone-7": -1}
    taste = taste_of(votes, topics_of(pool))
    assert taste.excluded == {"fiber-0"}  # a 👍 never leaves a tip out; gone-7 is not here
    assert taste.weights == {"k2": 1.5}  # fiber nets 0: weight 1, not stored
    assert taste.weight("fiber") == 1.0 and not taste.neutral
    assert taste_of({}, topics_of(pool)).neutral


def test_when_every_tip_is_down_voted_none_is_left_out():
    pool = make_pool({"k2": 2})
    taste = taste_of({"k2-0": -1, "k2-1": -1}, topics_of(pool))
    assert taste.excluded == frozenset() and taste.weights == {"k2": 0.5}
    assert {pick for pick in ids(draw(pool, 10, seed=3, taste=taste))} == {"k2-0", "k2-1"}


@given(case=pools_and_votes(), seed=st.integers(0, 2**32))
def test_a_down_voted_tip_never_comes_up_again(case, seed):
    pool, votes = case
    taste = taste_of(votes, topics_of(pool))
    picked = set(ids(draw(pool, len(pool) * 4, seed, taste)))
    disliked = {tip.id for tip in pool if votes.get(tip.id) == -1}
    if disliked == {tip.id for tip in pool}:
        assert picked == disliked  # all 👎'd: they still come, rather than nothing
    else:
        assert not picked & disliked
        assert taste.excluded == disliked


@given(case=pools_and_votes(), seed=st.integers(0, 2**32))
def test_no_topic_disappears_every_topic_comes_in_every_cycle(case, seed):
    pool, votes = case
    taste = taste_of(votes, topics_of(pool))
    order = draw(pool, len(pool) * 4, seed, taste)
    kept_topics = {tip.topic for tip in pool if tip.id not in taste.excluded}
    starts = [at for at, (_, new_cycle) in enumerate(order) if new_cycle]
    for start, end in pairwise(starts):  # each whole cycle
        cycle = ids(order[start:end])
        assert len(set(cycle)) == len(cycle)  # no repeats within a cycle
        assert {tip_id.split("-")[0] for tip_id in cycle} == kept_topics


@given(case=pools_and_votes(), seed=st.integers(0, 2**32))
def test_never_the_same_tip_twice_in_a_row_and_the_same_picks_for_the_same_seed(case, seed):
    pool, votes = case
    taste = taste_of(votes, topics_of(pool))
    order = ids(draw(pool, len(pool) * 3, seed, taste))
    if len({tip.id for tip in pool} - taste.excluded) > 1:
        assert all(a != b for a, b in pairwise(order))
    assert ids(draw(pool, len(pool) * 3, seed, taste)) == order


def test_a_liked_topic_comes_up_more_often_and_a_disliked_one_less():
    pool = make_pool({"fiber": 12, "k2": 12, "avoid": 12})
    liked_k2 = {f"k2-{n}": 1 for n in range(4)}  # weight 2
    disliked_avoid = {"avoid-0": -1, "avoid-1": -1}  # weight 0.5
    taste = taste_of(liked_k2 | disliked_avoid, topics_of(pool))
    assert taste.weights == {"k2": 2.0, "avoid": 0.5}
    counts = Counter(tip_id.split("-")[0] for tip_id in ids(draw(pool, 600, 11, taste)))
    assert counts["k2"] > 1.5 * counts["fiber"] > 3 * counts["avoid"] > 0
    neutral = Counter(tip_id.split("-")[0] for tip_id in ids(draw(pool, 600, 11)))
    assert neutral == {"fiber": 200, "k2": 200, "avoid": 200}


def test_topics_of_equal_weight_keep_the_plain_rotation():
    pool = make_pool({"fiber": 5, "k2": 5})
    weighted = taste_of({"fiber-0": 1, "fiber-1": 1, "k2-0": 1, "k2-1": 1}, topics_of(pool))
    assert weighted == Taste(weights={"fiber": 1.5, "k2": 1.5})
    same_pace = Taste(weights={"fiber": 1.5, "k2": 1.5})  # both faster: the same pace
    for seed in range(20):
        assert ids(draw(pool, 30, seed, same_pace)) == ids(draw(pool, 30, seed))


def test_a_taste_that_leaves_out_the_whole_pool_still_picks_from_it():
    pool = make_pool({"k2": 2})
    everything = Taste(excluded=frozenset({"k2-0", "k2-1", "fiber-0"}))
    assert {tip_id for tip_id in ids(draw(pool, 6, seed=1, taste=everything))} == {"k2-0", "k2-1"}


@given(case=pools_and_votes(), order=st.randoms(use_true_random=False))
def test_votes_as_bitmasks_weigh_and_leave_out_as_the_rule_does(case, order):
    """A claim batch reads votes as bitmasks over the store's tip numbers (`votes_in`); they
    must come to what `taste_of` says of the same votes, whatever the numbering."""
    pool, votes = case
    numbers = {tip.id: n for n, tip in enumerate(order.sample(pool, len(pool)))}
    numbered = {**numbers, "retired-tip": len(pool) + order.randrange(3)}  # not in the pool
    likes = sum(1 << numbered[tip_id] for tip_id, vote in votes.items() if vote > 0)
    dislikes = sum(1 << numbered[tip_id] for tip_id, vote in votes.items() if vote < 0)
    weights, out = votes_in(arrange(pool, numbers), likes, dislikes)
    taste = taste_of(votes, topics_of(pool))
    assert weights == taste.weights
    assert out == sum(1 << numbers[tip_id] for tip_id in taste.excluded)
