"""Writing each daily tip's final status, once, by the claim that may finish it.

A status the disk refuses (a full disk) is kept in memory and written later: before each
sweep, and each time the loop looks at the lease. Until then its claim stays pending, and this
process does not resume it; a successor first waits out `scheduler.claiming.TAKEOVER_GRACE`.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from scheduler.claiming import Claim
from scheduler.lifecycle import ClaimLost, DeliveryStatus, IllegalTransition
from scheduler.records import DeliveryStore

# The sweep's lines keep one logger name, whichever module of the delivery writes them.
logger = logging.getLogger("scheduler.delivery")

RETRY_LATER = timedelta(minutes=10)  # a failed day is claimed again this much later


@dataclass
class Recorder:
    """Writes final statuses and tells `outcome_listeners` each one written; keeps those the
    disk refused, by (chat, day), until `record_unrecorded` gets them written."""

    store: DeliveryStore
    clock: Callable[[], datetime]
    outcome_listeners: list[Callable[[DeliveryStatus], None]]
    sent_listeners: list[Callable[[int, date], None]] = field(default_factory=list)
    _unrecorded: dict[tuple[int, date], tuple[str, DeliveryStatus]] = field(
        default_factory=dict, init=False
    )

    @property
    def unrecorded(self) -> int:
        """Final statuses the disk refused so far, kept to be written later."""
        return len(self._unrecorded)

    def keeps(self, key: tuple[int, date]) -> bool:
        """Whether the final status of this (chat, day) is waiting here to be written."""
        return key in self._unrecorded

    def finish(
        self, claim: Claim, chat_id: int, status: DeliveryStatus, *, quiet: bool = False
    ) -> None:
        """Write a final status; if the disk refuses, keep it and write it on the next sweep."""
        now = self.clock()
        retry_at = now + RETRY_LATER if status is DeliveryStatus.FAILED else None
        try:
            self.store.finish_delivery(chat_id, claim.day, status, now, retry_at, claim=claim.claim)
        except ClaimLost as exc:
            logger.info("Not recording chat %s's tip as %s: %s", chat_id, status, exc)
            return
        except IllegalTransition as exc:
            logger.error("Chat %s's tip: %s", chat_id, exc, extra={"chat_id": chat_id})
            return
        except sqlite3.Error as exc:
            self._unrecorded[(chat_id, claim.day)] = (claim.claim, status)
            if not quiet:
                logger.error(
                    "Could not record chat %s's tip as %s (%s); kept in memory, will retry",
                    chat_id,
                    status,
                    exc,
                )
            return
        for listener in self.outcome_listeners:
            listener(status)
        if status is DeliveryStatus.SENT:
            self._tell_sent(chat_id, claim.day)

    def _tell_sent(self, chat_id: int, day: date) -> None:
        """A tip recorded as sent, told to what follows it (the weekly recap): best effort,
        after the record, so a listener's failure is one log line and never the tip's."""
        for listener in self.sent_listeners:
            try:
                listener(chat_id, day)
            except Exception as exc:
                logger.error("After chat %s's tip: %s: %s", chat_id, type(exc).__name__, exc)

    def record_unrecorded(self) -> None:
        """Write the outcomes the disk refused before; one log line for the lot. Called before
        each sweep, and each time the loop looks at the lease, delivering or not."""
        waiting, self._unrecorded = self._unrecorded, {}
        for (chat_id, day), (token, status) in waiting.items():
            self.finish(Claim(chat_id, day, "", token), chat_id, status, quiet=True)
        if waiting and self._unrecorded and len(self._unrecorded) != len(waiting):
            logger.error("Still cannot record %d delivery outcome(s)", len(self._unrecorded))
        elif waiting and not self._unrecorded:
            logger.info("Recorded %d delivery outcome(s) that had to wait", len(waiting))
