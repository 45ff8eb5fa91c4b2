"""Which tip a subscriber gets next: no repeats within a cycle, topics kept at their pace.

A chat's history is a set of tips, held as a bitmask over tip numbers (bit n: tip number n
seen), the form the store keeps it in. A pick is then a few integer operations per topic
rather than set arithmetic on text ids: it runs once per daily tip, on the event loop. A
chat's votes (`tips.choice.Taste`) leave its 👎'd tips out and set each topic's pace.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from tips.choice import LOWEST, NO_TASTE, Taste, topic_weight
from tips.model import Tip


@dataclass(frozen=True)
class Pick:
    """The chosen tip; `new_cycle` means the cycle is over (the pool used up, or, with a
    chat's topic weights, the topics due next) and history should restart."""

    tip: Tip
    new_cycle: bool


@dataclass(frozen=True)
class Arranged:
    """A pool arranged for many picks: its topics in order, each topic's tips as a bitmask
    over tip numbers, the tip each number stands for, and each tip's topic (to weigh a chat's
    votes: `tips.choice`). `columns` holds (topic, mask, its size) in topic order, as each
    pick walks them."""

    topics: tuple[str, ...]
    masks: Mapping[str, int]
    tips: Mapping[int, Tip]
    numbers: Mapping[str, int]
    topic_of: Mapping[str, str]
    columns: tuple[tuple[str, int, int], ...]


def arrange(pool: Sequence[Tip], numbers: Mapping[str, int] | None = None) -> Arranged:
    """Arrange `pool` by topic. `numbers` gives each tip id its number (the store's stable
    numbering); a tip it does not number, or every tip without it, gets one past the rest,
    which no stored history can hold yet."""
    given = numbers or {}
    spare = max(given.values(), default=-1) + 1
    masks: dict[str, int] = {}
    by_number: dict[int, Tip] = {}
    own: dict[str, int] = {}
    for tip in pool:
        number = given.get(tip.id)
        if number is None:
            number, spare = spare, spare + 1
        own[tip.id], by_number[number] = number, tip
        masks[tip.topic] = masks.get(tip.topic, 0) | 1 << number
    topic_of = {tip.id: tip.topic for tip in pool}
    topics = tuple(sorted(masks))
    columns = tuple((topic, masks[topic], masks[topic].bit_count()) for topic in topics)
    return Arranged(topics, masks, by_number, own, topic_of, columns)


class Shelves:
    """Arranged pools kept from one claim batch to the next: arranging the whole library
    costs more than a small batch's picks (at the free rate, a batch is a few chats). Keyed
    by the pool object (held here, so its id is never reused) and valid while the numbering
    is the same mapping object; callers keep their pools, one per choice of topics."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Sequence[Tip], Mapping[str, int], Arranged]] = {}

    def arranged(self, pool: Sequence[Tip], numbers: Mapping[str, int]) -> Arranged:
        kept = self._kept.get(id(pool))
        if kept is not None and kept[0] is pool and kept[1] is numbers:
            return kept[2]
        shelf = arrange(pool, numbers)
        self._kept[id(pool)] = (pool, numbers, shelf)
        return shelf


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
    new cycle never starts with (so nobody gets the same tip twice in a row). `taste`, the
    chat's votes applied to this pool (`tips.choice`), leaves its 👎'd tips out and sets the
    pace of each topic (`_due_topics`).
    """
    if not pool:
        raise ValueError("cannot pick from an empty pool")
    shelf = arranged if arranged is not None else arrange(pool)
    last_number = None if last is None else shelf.numbers.get(last)
    out = _mask(shelf, taste.excluded)
    return pick_from(shelf, _mask(shelf, seen), last_number, rng, taste.weights, out)


def pick_from(
    shelf: Arranged,
    seen: int,
    last: int | None,
    rng: random.Random,
    weights: Mapping[str, float] = NO_TASTE.weights,
    out: int = 0,
) -> Pick:
    """`pick_tip` on an arranged pool, the history as a bitmask of tip numbers and `last`
    as a number (bits of tips outside the pool are ignored); a chat's votes as its topics'
    `weights` and the tips they leave `out` (a bitmask: `votes_in`)."""
    if not shelf.topics:
        raise ValueError("cannot pick from an empty pool")
    if out and not any(mask & ~out for mask in shelf.masks.values()):
        out = 0  # `taste_of` never leaves nothing; a tip beats none
    left = _due_topics(shelf, seen, out, weights)
    if left:
        topic = rng.choice(left)
        return Pick(shelf.tips[_any_bit(shelf.masks[topic] & ~seen & ~out, rng)], False)
    return Pick(_opener(shelf, rng, last, out), new_cycle=True)


def votes_in(shelf: Arranged, likes: int, dislikes: int) -> tuple[Mapping[str, float], int]:
    """A chat's votes, as bitmasks over tip numbers (👍'd, 👎'd), applied to an arranged pool:
    its topics' weights (those not 1) and the tips left out, as `pick_from` takes them. The
    rule is `tips.choice.taste_of`'s, in a few integer operations per topic rather than a
    lookup per vote: a claim batch's chats have up to a year of votes each."""
    weights: dict[str, float] = {}
    pool = 0
    for topic, mask, _ in shelf.columns:
        pool |= mask
        up, down = (likes & mask).bit_count(), (dislikes & mask).bit_count()
        if up or down:
            weight = topic_weight(up, down)
            if weight != 1.0:
                weights[topic] = weight
    out = dislikes & pool
    return weights, 0 if out == pool else out


def _opener(shelf: Arranged, rng: random.Random, last: int | None, out: int) -> Tip:
    """A new cycle's first tip: nothing is seen in it yet, so every topic is as far behind
    as the others; never `last`, unless the pool (less `out`) is `last` alone."""
    kept = {topic: shelf.masks[topic] & ~out for topic in shelf.topics}
    not_last = ~(0 if last is None else 1 << last)
    fresh = [topic for topic in shelf.topics if kept[topic] & not_last]
    if not fresh:  # the pool is only `last`: it comes again
        topic = rng.choice([topic for topic in shelf.topics if kept[topic]])
        return shelf.tips[_any_bit(kept[topic], rng)]
    topic = rng.choice(fresh)
    return shelf.tips[_any_bit(kept[topic] & not_last, rng)]


def _due_topics(shelf: Arranged, seen: int, out: int, weights: Mapping[str, float]) -> list[str]:
    """The topics furthest behind that have unseen tips left, in topic order; none when a
    new cycle is due.

    How far a topic is is its share of tips seen this cycle over its weight: topics keep
    pace with each other, a topic of weight 2 twice as fast as one of weight 1. When the
    topics furthest behind have nothing left, the cycle ends, even though slower topics
    have tips left: so a liked topic comes round again sooner and a disliked one later,
    and every topic, being furthest behind at a cycle's start, comes up in every cycle.
    Weights are multiples of 0.25, so equal shares divide to equal floats.
    """
    lowest, found = 2.0 / LOWEST, []  # above any share: the first topic is lower
    for topic, mask, size in shelf.columns:
        if out:
            mask &= ~out
            size = mask.bit_count()
            if not size:  # every tip of it 👎'd
                continue
        seen_here = (mask & seen).bit_count()
        share = seen_here / size
        if weights:
            share /= weights.get(topic, 1.0)
        if share < lowest:
            lowest, found = share, [topic] if seen_here < size else []
        elif share == lowest and seen_here < size:
            found.append(topic)
    return found


def _mask(shelf: Arranged, tip_ids: Iterable[str]) -> int:
    """The bitmask of these tips (ids the pool does not number are left out)."""
    mask = 0
    for tip_id in tip_ids:
        number = shelf.numbers.get(tip_id)
        mask |= 0 if number is None else 1 << number
    return mask


def _any_bit(mask: int, rng: random.Random) -> int:
    """One of the set bits of `mask` (> 0), each as likely: the k-th lowest for a random k
    (clearing the lowest bit k times; ~1.4 µs for 20 bits, listing them all took ~3.3)."""
    for _ in range(rng.randrange(mask.bit_count())):
        mask &= mask - 1
    return (mask & -mask).bit_length() - 1
