"""Giving a chat its next tip: rotation history from the store, the choice from `tips`."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from storage import Store
from tips import Tip, pick_tip


def next_tip(
    store: Store, pool: Sequence[Tip], chat_id: int, rng: random.Random, now: datetime
) -> Tip:
    """Pick the chat's next tip from `pool` and remember that it has been seen."""
    pick = pick_tip(pool, store.seen_tips(chat_id), rng, last=store.last_seen_tip(chat_id))
    with store.transaction():
        if pick.new_cycle:
            store.forget_seen(chat_id, (tip.id for tip in pool))
        store.mark_seen(chat_id, pick.tip.id, now)
    return pick.tip
