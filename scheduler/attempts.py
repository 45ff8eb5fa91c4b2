"""One claimed daily tip's sends, until its status is final.

Each request is fenced (`AttemptLoop.still_wanted`, asked just before it goes out); a group
that became a supergroup is followed, its claim moved along; what comes after each outcome
is `scheduler.outcomes.decide`'s rule. A claim cut short (a stop, a lost lease) ends as
`unfinished` says.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from scheduler.claiming import Claim
from scheduler.lifecycle import DeliveryStatus
from scheduler.outcomes import (
    Finish,
    Follow,
    Gone,
    NotSent,
    Outcome,
    Rejected,
    RetryAfter,
    Transient,
    Uncertain,
    decide,
)
from scheduler.records import DeliveryStore

# The sweep's lines keep one logger name, whichever module of the delivery writes them.
logger = logging.getLogger("scheduler.delivery")

#: One attempt at a claim's tip: (the chat now, after a group's move; the claim; the fence).
Send = Callable[[int, Claim, Callable[[], bool]], Awaitable[Outcome]]


@dataclass
class Attempts:
    """What one claim's sends have done so far, and where the claim now stands."""

    chat_id: int  # the claim's chat: a group's supergroup once the move was followed
    answer_lost: bool = False  # a request went out and its answer never came: maybe delivered


def unfinished(attempts: Attempts) -> DeliveryStatus:
    """How a send cut short (a stop, a lost lease) ends. A request on the wire counts as
    one whose answer was lost: the first such is handed back, so the next process makes
    the one retry; after an earlier lost answer it is final."""
    return DeliveryStatus.MAYBE_SENT if attempts.answer_lost else DeliveryStatus.RELEASED


@dataclass
class AttemptLoop:
    """Sends claims through `send` until each one's status is final.

    `may_start` says whether this process may still start a request: it holds the lease
    and is not stopping.
    """

    store: DeliveryStore
    send: Send
    clock: Callable[[], datetime]
    sleep: Callable[[float], Awaitable[None]]
    may_start: Callable[[], bool]

    async def until_final(self, claim: Claim, attempts: Attempts) -> DeliveryStatus | None:
        """Send, following a group's move, retrying as `scheduler.outcomes.decide` says.
        None: nothing left to record (the claim moved to a supergroup whose day was taken)."""
        attempt = 0
        while True:
            if not self.may_start():
                return unfinished(attempts)
            attempt += 1
            chat_id = attempts.chat_id
            outcome = await self.send(chat_id, claim, self.still_wanted(chat_id, claim))
            decision = decide(outcome, attempt, attempts.answer_lost)
            _log(outcome, chat_id, claim.tip_id, decision)
            match decision:
                case Finish(status=status):
                    return status
                case Follow(new_chat_id=new_chat_id):
                    moved = self.store.migrate_claim(
                        chat_id, new_chat_id, claim.day, claim.claim, self.clock()
                    )
                    attempts.chat_id, attempt = new_chat_id, 0
                    if not moved:
                        return None
                case RetryAfter(seconds=seconds):
                    attempts.answer_lost = attempts.answer_lost or isinstance(outcome, Uncertain)
                    await self.sleep(seconds)

    def still_wanted(self, chat_id: int, claim: Claim) -> Callable[[], bool]:
        """Asked just before each request goes out (the fence): this process still holds the
        lease and is not stopping, the claim is still its own (a process whose lease lapsed
        and came back finds its old claims resumed by another), and the chat still wants
        tips (a /stop or /pause meanwhile: none)."""

        def check() -> bool:
            if not self.may_start():
                return False
            try:
                return self.store.may_send(chat_id, claim.day, claim.claim, self.clock())
            except sqlite3.Error as exc:
                logger.warning("Could not check chat %s before sending: %s", chat_id, exc)
                return False

        return check


def _log(outcome: Outcome, chat_id: int, tip_id: str, decision: object) -> None:
    """One line for each outcome worth an operator's attention."""
    extra = {"chat_id": chat_id}
    match outcome:
        case Gone(reason=reason):
            logger.info("Chat %s is gone (%s); deactivating", chat_id, reason, extra=extra)
        case Rejected(reason=reason):
            logger.error("Telegram rejected tip %s: %s", tip_id, reason, extra=extra)
        case Uncertain(reason=reason):
            then = "one retry soon" if isinstance(decision, RetryAfter) else "not sent again"
            logger.warning(
                "Tip to chat %s: no answer (%s); it may have arrived: %s",
                chat_id,
                reason,
                then,
                extra=extra,
            )
        case Transient(reason=reason):
            then = "giving up for now" if isinstance(decision, Finish) else "retrying"
            logger.warning("Sending to %s failed (%s); %s", chat_id, reason, then, extra=extra)
        case NotSent(reason=reason):
            logger.debug("Tip for chat %s not sent: %s", chat_id, reason, extra=extra)
