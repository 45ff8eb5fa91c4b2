"""Claims: the batch that takes due subscribers on, and whose pending claim may be resumed.

A claim is one (chat, local date) daily tip that a process has taken responsibility for,
written *before* sending. Its token, `holder#number`, names the process that made it, so a
successor can tell its own leftovers, a dead process's and a live one's apart.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta

from scheduler.due import is_due, local_date
from scheduler.records import Claim, DeliveryStore, PendingDelivery, Subscriber

__all__ = ["CLAIM_BATCH", "ChooseTips", "Claim", "claim_batch", "claimant", "resumable_at"]

ChooseTips = Callable[[Sequence[Subscriber], datetime], Mapping[int, str]]

TAKEOVER_AFTER = timedelta(seconds=60)  # the lease's TTL: a live holder's claims are its own
# After taking the lease from a holder that is not known dead, wait this long before resuming
# its claims: long enough for it, if it is alive, to write the outcomes it had to keep in
# memory (a full disk), which it tries every time it looks at the lease.
TAKEOVER_GRACE = timedelta(seconds=5)
CLAIM_BATCH = 50  # claims per transaction: each holds the event loop, so a few ms at most


def claimant(claim: str) -> str:
    """The process (lease holder id) that made a claim token `holder#number`."""
    return claim.rpartition("#")[0]


def resumable_at(
    pending: PendingDelivery,
    me: str,
    dead: Collection[str],
    held_since: datetime | None,
    takeover_after: timedelta = TAKEOVER_AFTER,
    grace: timedelta = TAKEOVER_GRACE,
) -> datetime | None:
    """When process `me` may resume this pending claim (None: at once). Its own (left by an
    error), one made by hand or an older version (no token), a dead process's: at once. A
    live or unknown process's: once it is older than the lease's TTL, by when that process
    has lost its lease and its fence stops it sending, and `grace` after we took the lease
    (`held_since`), so a live predecessor first writes what it knows."""
    owner = claimant(pending.claim)
    if not pending.claim or owner == me or owner in dead:
        return None
    after = pending.touched_at + takeover_after
    return after if held_since is None else max(after, held_since + grace)


def claim_batch(
    store: DeliveryStore,
    choose_tips: ChooseTips,
    now: datetime,
    limit: int,
    token: Callable[[], str],
) -> list[Claim]:
    """Claim up to `limit` (at most `CLAIM_BATCH`) due subscribers, choosing their tips
    as one batch, in one write transaction: a few milliseconds of the event loop. `token`
    names each new claim. The claims are written together (`claim_all`); a chat whose day
    was taken meanwhile, or whose stored due time was stale, is re-derived (`refresh`) so
    it leaves the queue."""
    with store.transaction():
        due = []
        for subscriber in store.due_subscribers(now, min(limit, CLAIM_BATCH)):
            if is_due(subscriber.schedule, subscriber.last_delivery, now):
                due.append(subscriber)
            else:  # the stored due time was stale: put it right
                store.refresh(subscriber.chat_id, now)
        if not due:
            return []
        tips = choose_tips(due, now)
        wanted = [
            (
                sub,
                Claim(
                    sub.chat_id,
                    local_date(sub.schedule, now),
                    tips[sub.chat_id],
                    token(),
                    quiet=sub.quiet,
                ),
            )
            for sub in due
        ]
        claimed = store.claim_all(wanted, now)
        for subscriber, claim in wanted:
            if claim.chat_id not in claimed:
                store.refresh(subscriber.chat_id, now)
    return [claim for _, claim in wanted if claim.chat_id in claimed]
