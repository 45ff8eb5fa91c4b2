"""What the delivery loop reads from and writes to storage, as plain values and one Protocol.

The loop depends on this small interface, not on SQLite: `storage.Store` implements it, and
tests can run the loop against the real store or anything else with the same methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from scheduler.due import Schedule
from scheduler.lifecycle import TAKEN, DeliveryStatus

__all__ = [
    "TAKEN",
    "Claim",
    "DeliveryStatus",
    "DeliveryStore",
    "PendingDelivery",
    "Subscriber",
]


@dataclass(frozen=True)
class Subscriber:
    """A chat's subscription state and delivery preferences.

    `last_delivery` is the local day, in the current timezone, of the last tip delivered.
    `problem` says why a stored row could not be read (a timezone that does not load, a time
    that does not parse); such a subscriber is reported inactive with fallback settings until
    a command stores good ones, so nothing promises a tip that will not come.
    `topics` are the topic ids daily tips come from (None: the whole library).
    `quiet`: the daily tip arrives without a sound (Telegram's `disable_notification`).
    """

    chat_id: int
    chat_type: str
    active: bool
    schedule: Schedule
    last_delivery: date | None
    problem: str | None = None
    topics: frozenset[str] | None = None
    quiet: bool = False


@dataclass(frozen=True)
class Claim:
    """A daily tip that this process has taken responsibility for sending: the chat's local
    `day`, its tip, and the token (`claim`) that alone may finish it. `quiet` is the chat's
    choice of a silent tip, read with the claim so the send asks the store nothing more."""

    chat_id: int
    day: date
    tip_id: str
    claim: str
    quiet: bool = False


@dataclass(frozen=True)
class PendingDelivery:
    """A daily tip that was claimed but whose sending has not finished.

    `claim` names the claim (its process and a number): only that claim may finish the row,
    so a process that lost the lease cannot overwrite what its successor did.
    `touched_at` is when it was claimed or last resumed.
    """

    chat_id: int
    local_date: date
    tip_id: str
    claim: str
    touched_at: datetime


class DeliveryStore(Protocol):
    """The storage operations the delivery loop needs."""

    def transaction(self) -> AbstractContextManager[None]: ...

    def due_subscribers(self, now: datetime, limit: int) -> list[Subscriber]: ...

    def earliest_due(self) -> datetime | None: ...

    def may_send(self, chat_id: int, day: date, claim: str, now: datetime) -> bool: ...

    def subscriber(self, chat_id: int) -> Subscriber | None: ...

    def refresh(self, chat_id: int, now: datetime) -> Subscriber: ...

    def claim_all(self, claims: Sequence[tuple[Subscriber, Claim]], now: datetime) -> set[int]: ...

    def finish_delivery(
        self,
        chat_id: int,
        day: date,
        status: DeliveryStatus,
        now: datetime,
        retry_at: datetime | None,
        *,
        claim: str,
    ) -> None: ...

    def pending_deliveries(self) -> list[PendingDelivery]: ...

    def resume_delivery(self, pending: PendingDelivery, claim: str, now: datetime) -> bool: ...

    def migrate_claim(
        self, old_chat_id: int, new_chat_id: int, day: date, claim: str, now: datetime
    ) -> bool: ...

    def prune_deliveries(self, before: datetime, limit: int) -> int: ...
