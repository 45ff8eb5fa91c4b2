"""Which tip a subscriber gets next: no repeats within a cycle, topics kept at their pace."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence, Set
from dataclasses import dataclass

from tips.choice import LOWEST, NO_TASTE, Taste
from tips.model import Tip


@dataclass(frozen=True)
class Pick:
    """The chosen tip; `new_cycle` means the cycle is over (the pool used up, or, with a
    chat's topic weights, the topics due next) and history should restart."""

    tip: Tip
    new_cycle: bool


def pick_tip(
    pool: Sequence[Tip],
    seen: Collection[str],
    rng: random.Random,
    last: str | None = None,
    arranged: Arranged | None = None,
    taste: Taste = NO_TASTE,
) -> Pick:
    """Choose an unseen tip from `pool`, from the topic the subscriber is furthest behind on.

    `seen` holds the ids seen in the current cycle; `last` is the most recent tip, which a
    new cycle never starts with (so nobody gets the same tip twice in a row). `arranged`,
    the pool arranged by topic (`arrange`), may be given when many chats share one pool: a
    pick then costs the chat's history and one topic, not the whole pool. `taste`, the
    chat's votes applied to this pool (`tips.choice`), leaves its 👎'd tips out and sets the
    pace of each topic (`_due_topics`).
    """
    if not pool:
        raise ValueError("cannot pick from an empty pool")
    shelf = arranged if arranged is not None else arrange(pool)
    seen_ids = seen if isinstance(seen, set | frozenset) else set(seen)
    out = taste.excluded
    if out and shelf.topic_of.keys() <= out:  # `taste_of` never does this; a tip beats none
        out, taste = frozenset(), Taste(weights=taste.weights)
    left = _due_topics(shelf, seen_ids, taste)
    if left:
        topic = rng.choice(left)
        unseen = [
            tip for tip in shelf.by_topic[topic] if tip.id not in seen_ids and tip.id not in out
        ]
        return Pick(tip=rng.choice(unseen), new_cycle=False)
    return Pick(tip=_opener(shelf, rng, last, out), new_cycle=True)


def _opener(shelf: Arranged, rng: random.Random, last: str | None, out: Set[str]) -> Tip:
    """A new cycle's first tip: nothing is seen in it yet, so every topic is as far behind
    as the others; never `last`, unless the pool (less `out`) is `last` alone."""
    kept = {topic: shelf.ids[topic] - out for topic in shelf.topics} if out else shelf.ids
    fresh = [topic for topic in shelf.topics if kept[topic] - {last}]
    if not fresh:  # the pool is only `last`: it comes again
        topic = rng.choice([topic for topic in shelf.topics if kept[topic]])
        return rng.choice([tip for tip in shelf.by_topic[topic] if tip.id not in out])
    topic = rng.choice(fresh)
    return rng.choice(
        [tip for tip in shelf.by_topic[topic] if tip.id != last and tip.id not in out]
    )


@dataclass(frozen=True)
class Arranged:
    """A pool arranged for many picks: its topics in order, each topic's tips (in pool
    order) and their ids, and each tip's topic (to weigh a chat's votes: `tips.choice`)."""

    topics: tuple[str, ...]
    by_topic: Mapping[str, tuple[Tip, ...]]
    ids: Mapping[str, frozenset[str]]
    topic_of: Mapping[str, str]


def arrange(pool: Sequence[Tip]) -> Arranged:
    by_topic: dict[str, list[Tip]] = {}
    for tip in pool:
        by_topic.setdefault(tip.topic, []).append(tip)
    return Arranged(
        topics=tuple(sorted(by_topic)),
        by_topic={topic: tuple(tips) for topic, tips in by_topic.items()},
        ids={topic: frozenset(tip.id for tip in tips) for topic, tips in by_topic.items()},
        topic_of={tip.id: tip.topic for tip in pool},
    )


def _due_topics(shelf: Arranged, seen: Set[str], taste: Taste) -> list[str]:
    """The topics furthest behind that have unseen tips left, in topic order; none when a
    new cycle is due (one pass, set intersections in C: this runs once per daily tip).

    How far a topic is is its share of tips seen this cycle over its weight: topics keep
    pace with each other, a topic of weight 2 twice as fast as one of weight 1. When the
    topics furthest behind have nothing left, the cycle ends, even though slower topics
    have tips left: so a liked topic comes round again sooner and a disliked one later,
    and every topic, being furthest behind at a cycle's start, comes up in every cycle.
    Weights are multiples of 0.25, so equal shares divide to equal floats.
    """
    out, weights = taste.excluded, taste.weights
    lowest, found = 2.0 / LOWEST, []  # above any share: the first topic is lower
    for topic in shelf.topics:
        ids = shelf.ids[topic] - out if out else shelf.ids[topic]
        if not ids:  # every tip of it 👎'd
            continue
        seen_here = len(ids & seen)
        share = seen_here / len(ids)
        if weights:
            share /= weights.get(topic, 1.0)
        if share < lowest:
            lowest, found = share, [topic] if seen_here < len(ids) else []
        elif share == lowest and seen_here < len(ids):
            found.append(topic)
    return found
