"""Giving a chat its next tip: its rotation history in, the choice and the new history out."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from tips.model import Tip
from tips.rotation import pick_tip


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
