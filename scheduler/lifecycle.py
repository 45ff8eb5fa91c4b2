"""The whole life of one daily tip, (chat, local day), as one table of states and transitions.

    (none) ──claim──▶ pending ──▶ sent         Telegram accepted it
                         │   ──▶ maybe_sent   the answer was lost after the request went out
                         │   ──▶ blocked      the chat is gone (blocked the bot, deleted)
                         │   ──▶ failed       not sent after every retry; claimed again later
                         │   ──▶ released     handed back unsent (a stop, a lost lease, /stop)
                         └─resume (another claim token, same state)
    failed, blocked, released ──claim──▶ pending

`sent` and `maybe_sent` are final for the day: nothing claims that day again, so a tip whose
answer was lost is never sent a second time later. The store's claim and finish statements are
written from this table (`claimable_from`, `TAKEN`), and `check` turns any other move into an
`IllegalTransition`, so a bug shows as an error rather than as a second tip.
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    """Where one (chat, local date) daily tip stands; stored as text, checked by the schema."""

    PENDING = "pending"  # claimed: about to be sent, or interrupted while sending
    SENT = "sent"  # Telegram accepted it
    MAYBE_SENT = "maybe_sent"  # the request went out but its answer was lost: final
    FAILED = "failed"  # given up for now; the day may be claimed again
    BLOCKED = "blocked"  # the chat is gone; the day may be claimed again after /start
    RELEASED = "released"  # handed back unsent; may be claimed again


Status = DeliveryStatus

#: Every allowed move, from the state a row is in (None: no row for that day yet).
TRANSITIONS: dict[DeliveryStatus | None, frozenset[DeliveryStatus]] = {
    None: frozenset({Status.PENDING}),
    Status.PENDING: frozenset(
        {Status.SENT, Status.MAYBE_SENT, Status.FAILED, Status.BLOCKED, Status.RELEASED}
    ),
    Status.SENT: frozenset(),
    Status.MAYBE_SENT: frozenset(),
    Status.FAILED: frozenset({Status.PENDING}),
    Status.BLOCKED: frozenset({Status.PENDING}),
    Status.RELEASED: frozenset({Status.PENDING}),
}

#: Statuses that count as "this day's tip has gone out, or is going out".
TAKEN = frozenset(status for status in Status if Status.PENDING not in TRANSITIONS[status])
#: Final statuses a send can end in (what `finish` may write).
FINAL = TRANSITIONS[Status.PENDING]


class IllegalTransition(Exception):
    """A move the table does not allow: a bug, never a reason to send."""

    def __init__(self, old: DeliveryStatus | None, new: DeliveryStatus) -> None:
        super().__init__(f"a daily tip cannot go from {old or 'nothing'} to {new}")


def allowed(old: DeliveryStatus | None, new: DeliveryStatus) -> bool:
    return new in TRANSITIONS[old]


def check(old: DeliveryStatus | None, new: DeliveryStatus) -> None:
    """Raise `IllegalTransition` unless the table allows `old` → `new`."""
    if not allowed(old, new):
        raise IllegalTransition(old, new)


def claimable_from() -> frozenset[DeliveryStatus]:
    """The stored states a day may be claimed from (besides having no row at all)."""
    return frozenset(old for old, news in TRANSITIONS.items() if old and Status.PENDING in news)


def sql_list(statuses: frozenset[DeliveryStatus]) -> str:
    """`'a', 'b'`: a status set for an SQL `IN (...)`, in a stable order."""
    return ", ".join(f"'{status}'" for status in sorted(statuses))


class ClaimLost(Exception):
    """The row is no longer this claim's: another process resumed it (this one lost the
    lease), or a group's move merged it away. Its new owner decides; this one does nothing."""
