"""Tips that learn from taps, through a real SQLite file: the votes the rotation reads, /tip's
picks and a claim batch's."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from storage import Store
from tests.test_rotation import make_pool
from tips import daily_tips, next_tip

NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)


def test_the_votes_of_a_batch_come_back_only_for_the_chats_that_voted(store):
    store.vote(1, "k2-0", -1, NOW)
    store.vote(1, "fiber-2", 1, NOW)
    store.vote(1, "k2-0", 1, NOW)  # changed its mind: the latest tap wins
    store.vote(3, "fiber-2", -1, NOW)
    assert store.chat_votes([1, 2, 3, 4]) == {1: {"k2-0": 1, "fiber-2": 1}, 3: {"fiber-2": -1}}
    assert store.chat_votes([]) == {}
    assert store.chat_votes(list(range(10, 1_200))) == {}  # more chats than one query binds
    k2, fiber = (store.tip_numbers({"k2-0", "fiber-2"})[tip] for tip in ("k2-0", "fiber-2"))
    assert store.vote_masks([1, 2, 3, 4]) == {1: (1 << k2 | 1 << fiber, 0), 3: (0, 1 << fiber)}
    assert store.vote_masks(list(range(10, 1_200))) == {}


def test_votes_survive_reopening_the_file(db_path):
    store = Store.open(db_path)
    store.vote(5, "k2-1", -1, NOW)
    store.close()
    again = Store.open(db_path)
    try:
        assert again.chat_votes([5]) == {5: {"k2-1": -1}}
    finally:
        again.close()


def test_a_down_voted_tip_never_comes_from_tip_until_the_vote_turns_up(store):
    pool = make_pool({"k2": 3, "fiber": 3})
    rng = random.Random(8)
    store.vote(7, "k2-1", -1, NOW)
    picked = [next_tip(store, pool, 7, rng, NOW + timedelta(hours=h)).id for h in range(60)]
    assert "k2-1" not in picked
    assert set(picked) == {tip.id for tip in pool} - {"k2-1"}
    store.vote(7, "k2-1", 1, NOW)  # a 👍 now: back in the rotation (and k2 weighs more)
    again = [next_tip(store, pool, 7, rng, NOW).id for _ in range(20)]
    assert "k2-1" in again


def test_a_chat_that_down_voted_its_whole_pool_still_gets_tips(store):
    pool = make_pool({"k2": 2})
    for tip in pool:
        store.vote(7, tip.id, -1, NOW)
    picked = {next_tip(store, pool, 7, random.Random(2), NOW).id for _ in range(6)}
    assert picked == {"k2-0", "k2-1"}


def test_a_claim_batch_applies_each_chats_own_votes(store):
    """Chats 1 and 2 share a pool; only chat 1 voted. What each gets is marked seen as a
    delivered daily tip would be, day after day."""
    pool = make_pool({"k2": 4, "fiber": 4})
    store.vote(1, "k2-0", -1, NOW)
    for n in range(4):
        store.vote(1, f"fiber-{n}", 1, NOW)  # fiber weighs 2 for chat 1
    got: dict[int, list[str]] = {1: [], 2: []}
    rng = random.Random(3)
    for day in range(80):
        chosen = daily_tips(store, {1: pool, 2: pool}, rng)
        for chat_id, tip in chosen.items():
            store.mark_seen(chat_id, tip.id, NOW + timedelta(days=day))
            got[chat_id].append(tip.id)
    assert "k2-0" not in got[1] and "k2-0" in got[2]
    topics = {chat_id: Counter(t.split("-")[0] for t in tips) for chat_id, tips in got.items()}
    assert topics[2]["fiber"] == topics[2]["k2"] == 40  # no votes: the plain, even rotation
    assert topics[1]["fiber"] > 1.5 * topics[1]["k2"] > 0
