"""Which tip a subscriber gets next: no repeats until a pool is used up, topics kept in balance.

A chat's history is a set of tips, held as a bitmask over tip numbers (bit n: tip number n
seen), the form the store keeps it in. A pick is then a few integer operations per topic
rather than set arithmetic on text ids: it runs once per daily tip, on the event loop.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from tips.model import Tip


@dataclass(frozen=True)
class Pick:
    """The chosen tip; `new_cycle` means the pool was used up and history should restart."""

    tip: Tip
    new_cycle: bool


@dataclass(frozen=True)
class Arranged:
    """A pool arranged for many picks: its topics in order, each topic's tips as a bitmask
    over tip numbers with its size, and the tip each number stands for."""

    topics: tuple[str, ...]
    masks: Mapping[str, int]
    sizes: Mapping[str, int]
    tips: Mapping[int, Tip]
    numbers: Mapping[str, int]


def arrange(pool: Sequence[Tip], numbers: Mapping[str, int] | None = None) -> Arranged:
    """Arrange `pool` by topic. `numbers` gives each tip id its number (the store's stable
    numbering); a tip it does not number, or every tip without it, gets one past the rest,
    which no stored history can hold yet."""
    given = numbers or {}
    spare = max(given.values(), default=-1) + 1
    masks: dict[str, int] = {}
    sizes: dict[str, int] = {}
    by_number: dict[int, Tip] = {}
    own: dict[str, int] = {}
    for tip in pool:
        number = given.get(tip.id)
        if number is None:
            number, spare = spare, spare + 1
        own[tip.id], by_number[number] = number, tip
        masks[tip.topic] = masks.get(tip.topic, 0) | 1 << number
        sizes[tip.topic] = sizes.get(tip.topic, 0) + 1
    return Arranged(tuple(sorted(masks)), masks, sizes, by_number, own)


def pick_tip(
    pool: Sequence[Tip],
    seen: Collection[str],
    rng: random.Random,
    last: str | None = None,
    arranged: Arranged | None = None,
) -> Pick:
    """Choose an unseen tip from `pool`, from the topic the subscriber has seen least of.

    `seen` holds the ids seen in the current cycle; `last` is the most recent tip, which a
    new cycle never starts with (so nobody gets the same tip twice in a row).
    """
    if not pool:
        raise ValueError("cannot pick from an empty pool")
    shelf = arranged if arranged is not None else arrange(pool)
    mask = 0
    for tip_id in seen:
        number = shelf.numbers.get(tip_id)
        mask |= 0 if number is None else 1 << number
    return pick_from(shelf, mask, None if last is None else shelf.numbers.get(last), rng)


def pick_from(shelf: Arranged, seen: int, last: int | None, rng: random.Random) -> Pick:
    """`pick_tip` on an arranged pool, the history as a bitmask of tip numbers and `last`
    as a number (bits of tips outside the pool are ignored)."""
    if not shelf.topics:
        raise ValueError("cannot pick from an empty pool")
    left = _least_seen_left(shelf, seen)
    if left:
        topic = rng.choice(left)
        return Pick(shelf.tips[_any_bit(shelf.masks[topic] & ~seen, rng)], new_cycle=False)
    # A new cycle: nothing is seen in it yet, so every topic is least seen.
    not_last = ~(0 if last is None else 1 << last)
    fresh = [topic for topic in shelf.topics if shelf.masks[topic] & not_last]
    if not fresh:  # the pool is only `last`: it comes again
        topic = rng.choice(shelf.topics)
        return Pick(shelf.tips[_any_bit(shelf.masks[topic], rng)], new_cycle=True)
    topic = rng.choice(fresh)
    return Pick(shelf.tips[_any_bit(shelf.masks[topic] & not_last, rng)], new_cycle=True)


def _least_seen_left(shelf: Arranged, seen: int) -> list[str]:
    """The topics with unseen tips left that have the smallest share seen, in topic order."""
    lowest, found = 1.0, []
    for topic in shelf.topics:
        share = (shelf.masks[topic] & seen).bit_count() / shelf.sizes[topic]
        if share < lowest:
            lowest, found = share, [topic]
        elif share == lowest < 1.0:
            found.append(topic)
    return found


def _any_bit(mask: int, rng: random.Random) -> int:
    """One of the set bits of `mask` (> 0), each as likely, lowest first as drawn."""
    bits = []
    while mask:
        low = mask & -mask
        bits.append(low.bit_length() - 1)
        mask ^= low
    return rng.choice(bits)
