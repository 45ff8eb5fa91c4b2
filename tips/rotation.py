"""Which tip a subscriber gets next: no repeats until a pool is used up, topics kept in balance."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence, Set
from dataclasses import dataclass

from tips.model import Tip


@dataclass(frozen=True)
class Pick:
    """The chosen tip; `new_cycle` means the pool was used up and history should restart."""

    tip: Tip
    new_cycle: bool


def pick_tip(
    pool: Sequence[Tip],
    seen: Collection[str],
    rng: random.Random,
    last: str | None = None,
    arranged: Arranged | None = None,
) -> Pick:
    """Choose an unseen tip from `pool`, from the topic the subscriber has seen least of.

    `seen` holds the ids seen in the current cycle; `last` is the most recent tip, which a
    new cycle never starts with (so nobody gets the same tip twice in a row). `arranged`,
    the pool arranged by topic (`arrange`), may be given when many chats share one pool: a
    pick then costs the chat's history and one topic, not the whole pool.
    """
    if not pool:
        raise ValueError("cannot pick from an empty pool")
    shelf = arranged if arranged is not None else arrange(pool)
    seen_ids = seen if isinstance(seen, set | frozenset) else set(seen)
    left = _least_seen_left(shelf, seen_ids)
    if left:
        topic = rng.choice(left)
        unseen = [tip for tip in shelf.by_topic[topic] if tip.id not in seen_ids]
        return Pick(tip=rng.choice(unseen), new_cycle=False)
    # A new cycle: nothing is seen in it yet, so every topic is least seen.
    fresh = [topic for topic in shelf.topics if shelf.ids[topic] != {last}]
    if not fresh:  # the pool is only `last`: it comes again
        topic = rng.choice(shelf.topics)
        return Pick(tip=rng.choice(shelf.by_topic[topic]), new_cycle=True)
    topic = rng.choice(fresh)
    tips = [tip for tip in shelf.by_topic[topic] if tip.id != last]
    return Pick(tip=rng.choice(tips), new_cycle=True)


@dataclass(frozen=True)
class Arranged:
    """A pool arranged for many picks: its topics in order, and each topic's tips (in pool
    order) and their ids."""

    topics: tuple[str, ...]
    by_topic: Mapping[str, tuple[Tip, ...]]
    ids: Mapping[str, frozenset[str]]


def arrange(pool: Sequence[Tip]) -> Arranged:
    by_topic: dict[str, list[Tip]] = {}
    for tip in pool:
        by_topic.setdefault(tip.topic, []).append(tip)
    return Arranged(
        topics=tuple(sorted(by_topic)),
        by_topic={topic: tuple(tips) for topic, tips in by_topic.items()},
        ids={topic: frozenset(tip.id for tip in tips) for topic, tips in by_topic.items()},
    )


def _least_seen_left(shelf: Arranged, seen: Set[str]) -> list[str]:
    """The topics with unseen tips left that have the smallest share seen, in topic order
    (one pass, set intersections in C: this runs once per daily tip)."""
    lowest, found = 1.0, []
    for topic in shelf.topics:
        ids = shelf.ids[topic]
        share = len(ids & seen) / len(ids)
        if share < lowest:
            lowest, found = share, [topic]
        elif share == lowest < 1.0:
            found.append(topic)
    return found
