"""Giving a chat its next tip: its rotation history and votes in, the choice and the new
history out."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from tips.choice import NO_TASTE, taste_of
from tips.model import Library, Tip
from tips.rotation import Shelves, arrange, pick_from, pick_tip, votes_in


class SeenHistory(Protocol):
    """Where a chat's rotation history lives (the store, in the running bot)."""

    def transaction(self) -> AbstractContextManager[None]: ...

    def seen_tips(self, chat_id: int) -> set[str]: ...

    def last_seen_tip(self, chat_id: int) -> str | None: ...

    def forget_seen(self, chat_id: int, tip_ids: Iterable[str]) -> None: ...

    def mark_seen(self, chat_id: int, tip_id: str, now: datetime) -> None: ...

    def chat_votes(self, chat_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """The votes (tip id → 1 or -1) of those of these chats that have any."""
        ...


def next_tip(
    history: SeenHistory, pool: Sequence[Tip], chat_id: int, rng: random.Random, now: datetime
) -> Tip:
    """Pick the chat's next tip from `pool`, as its votes shape it (`tips.choice`), and
    remember that it has been seen."""
    seen, last = history.seen_tips(chat_id), history.last_seen_tip(chat_id)
    shelf, votes = arrange(pool), history.chat_votes([chat_id]).get(chat_id)
    taste = taste_of(votes, shelf.topic_of) if votes else NO_TASTE
    pick = pick_tip(pool, seen, rng, last=last, arranged=shelf, taste=taste)
    with history.transaction():
        if pick.new_cycle:
            history.forget_seen(chat_id, (tip.id for tip in pool))
        history.mark_seen(chat_id, pick.tip.id, now)
    return pick.tip


class SeenHistories(Protocol):
    """The rotation histories of many chats at once (the store, in the running bot)."""

    def seen_histories(self, chat_ids: Sequence[int]) -> dict[int, tuple[int, int | None]]:
        """Each chat's seen tips as a bitmask of tip numbers, and its latest tip's number."""
        ...

    def tip_numbers(self, tip_ids: Set[str]) -> Mapping[str, int]:
        """The stable numbers the histories use, for these tips (any that have one)."""
        ...

    def vote_masks(self, chat_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
        """The votes of those of these chats that have any, as bitmasks over tip numbers
        (👍'd, 👎'd)."""
        ...

    def forget_seen(self, chat_id: int, tip_ids: Iterable[str]) -> None: ...


def daily_tips(
    history: SeenHistories,
    pools: Mapping[int, Sequence[Tip]],
    rng: random.Random,
    shelves: Shelves | None = None,
) -> dict[int, Tip]:
    """Each chat's next daily tip from its pool, reading all histories in one go.

    The tips are not marked seen here: a daily tip enters the history when it is delivered
    (the store does that as it records the delivery), so a send that fails uses nothing up.
    A used-up pool starts its new cycle now, as `next_tip` does. The votes are read for the
    whole batch too, one query that finds rows only for the chats that voted: a chat that
    never voted costs an index probe, and its pick is the plain rotation. `shelves` keeps
    the pools arranged between calls (pass the same pool objects each time).
    """
    chat_ids = list(pools)
    histories, votes = history.seen_histories(chat_ids), history.vote_masks(chat_ids)
    shared = {id(pool): pool for pool in pools.values()}  # chats with the same topics
    numbers = history.tip_numbers({tip.id for pool in shared.values() for tip in pool})
    shelf = shelves if shelves is not None else Shelves()
    arranged = {key: shelf.arranged(pool, numbers) for key, pool in shared.items()}
    chosen: dict[int, Tip] = {}
    for chat_id, pool in pools.items():
        seen, last = histories.get(chat_id, (0, None))
        here = arranged[id(pool)]
        weights, out = votes_in(here, *votes[chat_id]) if chat_id in votes else ({}, 0)
        pick = pick_from(here, seen, last, rng, weights, out)
        if pick.new_cycle:
            history.forget_seen(chat_id, (tip.id for tip in pool))
        chosen[chat_id] = pick.tip
    return chosen


class Chat(Protocol):
    """A chat to choose for: its id and the topics it chose (None: all of them)."""

    @property
    def chat_id(self) -> int: ...

    @property
    def topics(self) -> frozenset[str] | None: ...


def daily_chooser(
    history: SeenHistories, library: Library, rng: random.Random
) -> Callable[[Sequence[Chat]], dict[int, str]]:
    """`daily_tips` for batch after batch of chats: each its next tip id from its topics'
    pool, the pools (one per choice of topics) and their arrangement kept between batches."""
    pools: dict[frozenset[str] | None, Sequence[Tip]] = {}
    shelves = Shelves()

    def choose(chats: Sequence[Chat]) -> dict[int, str]:
        for chat in chats:
            if chat.topics not in pools:
                pools[chat.topics] = library.tips_for(chat.topics)
        chosen = daily_tips(history, {c.chat_id: pools[c.topics] for c in chats}, rng, shelves)
        return {chat_id: tip.id for chat_id, tip in chosen.items()}

    return choose
