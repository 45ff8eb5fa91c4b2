"""Giving a chat its next tip: its rotation history in, the choice and the new history out."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence, Set
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from tips.model import Tip
from tips.rotation import arrange, pick_from, pick_tip


class SeenHistory(Protocol):
    """Where a chat's rotation history lives (the store, in the running bot)."""

    def transaction(self) -> AbstractContextManager[None]: ...

    def seen_tips(self, chat_id: int) -> set[str]: ...

    def last_seen_tip(self, chat_id: int) -> str | None: ...

    def forget_seen(self, chat_id: int, tip_ids: Iterable[str]) -> None: ...

    def mark_seen(self, chat_id: int, tip_id: str, now: datetime) -> None: ...


def next_tip(
    history: SeenHistory, pool: Sequence[Tip], chat_id: int, rng: random.Random, now: datetime
) -> Tip:
    """Pick the chat's next tip from `pool` and remember that it has been seen."""
    seen, last = history.seen_tips(chat_id), history.last_seen_tip(chat_id)
    pick = pick_tip(pool, seen, rng, last=last)
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

    def forget_seen(self, chat_id: int, tip_ids: Iterable[str]) -> None: ...


def daily_tips(
    history: SeenHistories, pools: Mapping[int, Sequence[Tip]], rng: random.Random
) -> dict[int, Tip]:
    """Each chat's next daily tip from its pool, reading all histories in one go.

    The tips are not marked seen here: a daily tip enters the history when it is delivered
    (the store does that as it records the delivery), so a send that fails uses nothing up.
    A used-up pool starts its new cycle now, as `next_tip` does.
    """
    histories = history.seen_histories(list(pools))
    shared = {id(pool): pool for pool in pools.values()}  # chats with the same topics
    numbers = history.tip_numbers({tip.id for pool in shared.values() for tip in pool})
    arranged = {key: arrange(pool, numbers) for key, pool in shared.items()}
    chosen: dict[int, Tip] = {}
    for chat_id, pool in pools.items():
        seen, last = histories.get(chat_id, (0, None))
        pick = pick_from(arranged[id(pool)], seen, last, rng)
        if pick.new_cycle:
            history.forget_seen(chat_id, (tip.id for tip in pool))
        chosen[chat_id] = pick.tip
    return chosen
