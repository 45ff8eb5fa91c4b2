"""What one attempt to send a message can end in, as the sender reports it.

The sender (a thin adapter over Telegram) maps Telegram's answers onto these; the delivery
loop decides what to do with each. Keeping them as plain values lets the loop be tested by
recording calls, without Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass

from scheduler.backoff import Backoff
from scheduler.lifecycle import DeliveryStatus


@dataclass(frozen=True)
class Sent:
    """Telegram accepted the message."""


@dataclass(frozen=True)
class Gone:
    """The chat cannot receive messages (bot blocked, user deactivated, chat not found)."""

    reason: str


@dataclass(frozen=True)
class Migrated:
    """The group became a supergroup with a new chat id."""

    new_chat_id: int


@dataclass(frozen=True)
class Uncertain:
    """The request went out but no answer came back (a read timeout, a dropped connection):
    Telegram may have delivered it. Retried at most once, soon; then final."""

    reason: str


@dataclass(frozen=True)
class NotSent:
    """It never left: the subscriber stopped meanwhile, or the bot is shutting down."""

    reason: str


@dataclass(frozen=True)
class Transient:
    """It certainly did not go out (no connection, or a 5xx answer): worth trying again."""

    reason: str


@dataclass(frozen=True)
class Rejected:
    """Telegram refused this message for good (a bad request that retrying will not fix)."""

    reason: str


Outcome = Sent | Gone | Migrated | Transient | Uncertain | NotSent | Rejected


# What the delivery loop does next, decided from one attempt's outcome (pure) ----------------

MAX_ATTEMPTS = 5  # attempts at a send that certainly did not go out (connect errors, 5xx)
SEND_BACKOFF = Backoff(first=2.0, cap=30.0, attempts=MAX_ATTEMPTS)  # 2, 4, 8, 16 s; then failed
UNCERTAIN_RETRY_AFTER = 10.0  # seconds before the one retry of a send whose answer was lost


@dataclass(frozen=True)
class Finish:
    """The day's tip ends in this status."""

    status: DeliveryStatus


@dataclass(frozen=True)
class RetryAfter:
    """Try the same send again after `seconds`."""

    seconds: float


@dataclass(frozen=True)
class Follow:
    """The group moved: claim the day for `new_chat_id` and send there."""

    new_chat_id: int


Decision = Finish | RetryAfter | Follow


def decide(outcome: Outcome, attempt: int, maybe_delivered: bool) -> Decision:
    """The next step after attempt number `attempt` (from 1) ended in `outcome`.

    `maybe_delivered` says an earlier attempt's answer was lost: from then on the day can only
    end as sent or maybe sent (never failed or released, which would send it again later).
    A lost answer is retried once, soon; a send that certainly did not leave as
    `SEND_BACKOFF` says (up to `MAX_ATTEMPTS` times in all).
    """
    match outcome:
        case Sent():
            return Finish(DeliveryStatus.SENT)
        case Migrated(new_chat_id=new_chat_id):
            return Follow(new_chat_id)
        case Gone():
            return Finish(DeliveryStatus.BLOCKED)
        case Uncertain() if maybe_delivered:
            return Finish(DeliveryStatus.MAYBE_SENT)
        case Uncertain():
            return RetryAfter(UNCERTAIN_RETRY_AFTER)
        case Transient() if not SEND_BACKOFF.gives_up(attempt):
            return RetryAfter(SEND_BACKOFF.delay(attempt))
        case NotSent():
            unsent = DeliveryStatus.RELEASED
        case Transient() | Rejected():
            unsent = DeliveryStatus.FAILED
    return Finish(DeliveryStatus.MAYBE_SENT if maybe_delivered else unsent)
