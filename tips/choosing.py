"""Giving a chat its next tip: its rotation history and votes in, the choice and the new
history out."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from tips.choice import NO_TASTE, taste_of
from tips.model import Tip
from tips.rotation import Arranged, arrange, pick_tip


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

    def seen_histories(self, chat_ids: Sequence[int]) -> dict[int, tuple[set[str], str | None]]:
        """Each chat's seen tip ids and its latest one."""
        ...

    def chat_votes(self, chat_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """The votes (tip id → 1 or -1) of those of these chats that have any."""
        ...

    def forget_seen(self, chat_id: int, tip_ids: Iterable[str]) -> None: ...


def daily_tips(
    history: SeenHistories, pools: Mapping[int, Sequence[Tip]], rng: random.Random
) -> dict[int, Tip]:
    """Each chat's next daily tip from its pool, reading all histories in one go.

    The tips are not marked seen here: a daily tip enters the history when it is delivered
    (the store does that as it records the delivery), so a send that fails uses nothing up.
    A used-up pool starts its new cycle now, as `next_tip` does. The votes are read for the
    whole batch too, one query that finds rows only for the chats that voted: a chat that
    never voted costs an index probe, and its pick is the plain rotation.
    """
    chat_ids = list(pools)
    histories, votes = history.seen_histories(chat_ids), history.chat_votes(chat_ids)
    chosen: dict[int, Tip] = {}
    arranged: dict[int, Arranged] = {}  # chats with the same topics share one pool
    for chat_id, pool in pools.items():
        seen, last = histories.get(chat_id, (set(), None))
        if id(pool) not in arranged:
            arranged[id(pool)] = arrange(pool)
        shelf = arranged[id(pool)]
        taste = taste_of(votes[chat_id], shelf.topic_of) if chat_id in votes else NO_TASTE
        pick = pick_tip(pool, seen, rng, last=last, arranged=shelf, taste=taste)
        if pick.new_cycle:
            history.forget_seen(chat_id, (tip.id for tip in pool))
        chosen[chat_id] = pick.tip
    return chosen
