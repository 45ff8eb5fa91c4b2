"""Which tip a subscriber gets next: no repeats until a pool is used up, topics kept in balance."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
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
    sizes: Mapping[str, int] | None = None,
) -> Pick:
    """Choose an unseen tip from `pool`, from the topic the subscriber has seen least of.

    `seen` holds the ids seen in the current cycle; `last` is the most recent tip, which a
    new cycle never starts with (so nobody gets the same tip twice in a row). `sizes`, the
    tips per topic in `pool`, may be given when many chats share one pool.
    """
    if not pool:
        raise ValueError("cannot pick from an empty pool")
    sizes = sizes if sizes is not None else topic_sizes(pool)
    unseen, seen_counts = [], Counter[str]()
    for tip in pool:
        if tip.id in seen:
            seen_counts[tip.topic] += 1
        else:
            unseen.append(tip)
    new_cycle = not unseen
    if new_cycle:
        unseen = [tip for tip in pool if tip.id != last] or list(pool)
        seen_counts.clear()
    return Pick(tip=_balanced_choice(sizes, unseen, seen_counts, rng), new_cycle=new_cycle)


def topic_sizes(pool: Sequence[Tip]) -> Counter[str]:
    return Counter(tip.topic for tip in pool)


def _balanced_choice(
    sizes: Mapping[str, int], unseen: Sequence[Tip], seen: Mapping[str, int], rng: random.Random
) -> Tip:
    """Pick from the topic with the smallest share seen, so topics run out together."""
    topics = sorted({tip.topic for tip in unseen})
    share = {topic: seen.get(topic, 0) / sizes[topic] for topic in topics}
    lowest = min(share.values())
    topic = rng.choice([topic for topic in topics if share[topic] == lowest])
    return rng.choice([tip for tip in unseen if tip.topic == topic])
