"""The daily sweep: claim who is due now, hand each tip to the sender, record how it ended.

One claim per (chat, local date) is written *before* sending, so a restart never sends a
second daily tip; each claim carries a token, and only that token may finish it
(`scheduler.lifecycle` holds the states). Every attempt asks, just before it goes out, whether
this process still holds the delivery lease (`may_deliver`): a process that lost it — stopped,
hung, cut off — sends nothing more. Claims left pending are resumed: our own at once, a dead
process's at once, anyone else's once they are older than the lease's TTL. A claim whose local
day is over is closed unsent, so nobody gets yesterday's tip next to today's.

Only a request already on the wire when its process dies or hangs can arrive twice: at most
`workers` of them. Pacing is the sender's gateway's job; this loop keeps just enough sends in
flight to fill the rate it was given.

This module runs the sweep; its parts live beside it: `scheduler.claiming` (the claim batch,
and whose pending claims may be resumed), `scheduler.attempts` (one claimed tip's sends) and
`scheduler.recording` (writing final statuses, keeping those a full disk refuses).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from scheduler.attempts import AttemptLoop, Attempts, Send, unfinished
from scheduler.claiming import (
    TAKEOVER_AFTER,
    TAKEOVER_GRACE,
    ChooseTips,
    Claim,
    claim_batch,
    resumable_at,
)
from scheduler.due import local_date
from scheduler.lifecycle import DeliveryStatus
from scheduler.recording import Recorder
from scheduler.records import DeliveryStore

__all__ = [
    "PRUNE_BATCH",
    "ChooseTips",
    "Clock",
    "Delivery",
    "Send",
    "Sleep",
    "workers_for",
]

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]

# Delivery records kept. Exactly-once needs the current local day's (at most 26 hours back,
# in any zone), `/stats` the UTC days today and yesterday (48 hours back): 3 days cover both.
KEEP_DELIVERIES = timedelta(days=3)
PRUNE_BATCH = 2_000  # records looked at by one `tidy()` unless told (the chores size it)
# In flight = rate x Telegram's latency (about 0.1-0.2 s); more only costs CPU and widens what
# a `kill -9` can double. At least 16, so a slow Telegram (0.5 s) still fills the free 30/s.
SECONDS_OF_SENDS_IN_FLIGHT = 0.2
MIN_WORKERS = 16


def workers_for(rate: float) -> int:
    """Sends kept in flight for `rate` per second: 16 at the free rate, 200 at 1000/s."""
    return max(MIN_WORKERS, math.ceil(rate * SECONDS_OF_SENDS_IN_FLIGHT))


@dataclass
class Delivery:
    """Sends due daily tips, with bounded retries, without duplicates, one sweep at a time.

    `may_deliver` is the fence (the lease); `dead` names processes known to have died
    (their claims are resumed at once); `me` prefixes this process's claim tokens.
    """

    store: DeliveryStore
    choose_tips: ChooseTips
    send: Send
    clock: Clock
    workers: int = 30
    sleep: Sleep = asyncio.sleep
    me: str = "local"
    may_deliver: Callable[[], bool] = lambda: True
    dead: Callable[[], Collection[str]] = frozenset
    held_since: Callable[[], datetime | None] = lambda: None
    takeover_after: timedelta = TAKEOVER_AFTER
    takeover_grace: timedelta = TAKEOVER_GRACE
    # Told each daily tip's final status as it is written (metrics, the sweep's heartbeat).
    outcome_listeners: list[Callable[[DeliveryStatus], None]] = field(default_factory=list)
    # Told (chat, local day) once a daily tip is recorded as sent (the weekly recap follows).
    sent_listeners: list[Callable[[int, date], None]] = field(default_factory=list)
    _sweeping: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _in_flight: set[tuple[int, date]] = field(default_factory=set, init=False)
    _numbers: itertools.count[int] = field(default_factory=itertools.count, init=False)
    _stopping: bool = field(default=False, init=False)
    next_resume_at: datetime | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._recorder = Recorder(
            self.store, self.clock, self.outcome_listeners, self.sent_listeners
        )
        self._attempt_loop = AttemptLoop(
            self.store, self.send, self.clock, self.sleep, self._may_start
        )

    async def sweep(self) -> Counter[DeliveryStatus]:
        """Resume claims left open, then deliver to everyone due until nobody is left.

        An error claiming stops claiming, lets the sends in flight finish, then raises; an
        error on one tip is that tip's outcome. Sends are always awaited: none is orphaned.
        """
        async with self._sweeping:
            report: Counter[DeliveryStatus] = Counter()
            self.record_unrecorded()
            await self._deliver_all(self._resumed_claims(), report)
            await self._deliver_all(None, report)
        if report:
            logger.info("Daily sweep: %s", _summary(report))
        return report

    def tidy(self, limit: int = PRUNE_BATCH) -> int:
        """One step of pruning old delivery records: the next `limit` looked at, in the
        store's key order (off the hot path: one of the safety sweep's chores,
        `storage.upkeep`, which sizes `limit` to its step's time). Returns the records looked
        at: fewer than `limit` when the walk reached the end of the table."""
        before = self.clock() - KEEP_DELIVERIES
        try:
            return self.store.prune_deliveries(before, limit)
        except sqlite3.Error as exc:
            logger.warning("Could not prune old delivery records: %s", exc)
            return 0

    def stop_starting(self) -> None:
        """Claim and send nothing new from now on (requests already on the wire finish)."""
        self._stopping = True

    def next_wake(self) -> datetime | None:
        """When a sweep is next owed: the earliest due time, or a claim to resume."""
        owed = [self.store.earliest_due(), self.next_resume_at]
        return min((moment for moment in owed if moment is not None), default=None)

    @property
    def unrecorded(self) -> int:
        """Final statuses the disk refused so far, kept to be written later."""
        return self._recorder.unrecorded

    def record_unrecorded(self) -> None:
        """Write the outcomes the disk refused before (`Recorder.record_unrecorded`)."""
        self._recorder.record_unrecorded()

    def claim_due(self, now: datetime, limit: int) -> list[Claim]:
        """Claim up to `limit` due subscribers (`scheduler.claiming.claim_batch`)."""
        return claim_batch(self.store, self.choose_tips, now, limit, self._token)

    def _token(self) -> str:
        return f"{self.me}#{next(self._numbers)}"

    def _may_start(self) -> bool:
        return not self._stopping and self.may_deliver()

    async def _deliver_all(
        self, claims: list[Claim] | None, report: Counter[DeliveryStatus]
    ) -> None:
        """Keep up to `workers` sends going: `claims` if given, else whoever is due, refilled
        as sends finish (so a large audience never waits for a whole batch)."""
        queued = list(claims) if claims is not None else []
        running: set[asyncio.Task[DeliveryStatus | None]] = set()
        failure: Exception | None = None
        try:
            while True:
                free = self.workers - len(running)
                if failure is None and self._may_start() and free >= max(1, self.workers // 4):
                    if claims is None:
                        try:
                            queued = self.claim_due(self.clock(), free)
                        except Exception as exc:  # the database: finish what runs, then say so
                            failure = exc
                            queued = []
                    for claim in queued[:free]:
                        running.add(asyncio.create_task(self._deliver(claim)))
                    queued = queued[free:]
                if not running:
                    break
                done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                report.update(status for task in done if (status := task.result()) is not None)
        finally:
            for task in running:  # cancelled ourselves (a stop): the sends end, recorded
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)
        if failure is not None:
            raise failure

    def _resumed_claims(self) -> list[Claim]:
        """Take over the pending claims this process may resume (`resumable_at`), and close
        those whose local day is over. Remembers when the next one becomes resumable."""
        now, dead, held_since = self.clock(), self.dead(), self.held_since()
        claims, waiting = [], []
        for pending in self.store.pending_deliveries():
            key = (pending.chat_id, pending.local_date)
            if key in self._in_flight or self._recorder.keeps(key):
                continue
            at = resumable_at(
                pending, self.me, dead, held_since, self.takeover_after, self.takeover_grace
            )
            if at is not None and at > now:
                waiting.append(at)
                continue
            claim = Claim(pending.chat_id, pending.local_date, pending.tip_id, self._token())
            if not self.store.resume_delivery(pending, claim.claim, now):
                continue  # finished or resumed by its owner meanwhile
            subscriber = self.store.subscriber(pending.chat_id)
            if subscriber is None or local_date(subscriber.schedule, now) > pending.local_date:
                self._recorder.finish(claim, claim.chat_id, DeliveryStatus.RELEASED)
                logger.info(
                    "Closed chat %s's tip for %s unsent: that day is over",
                    *key,
                    extra={"chat_id": pending.chat_id},
                )
                continue
            claims.append(replace(claim, quiet=subscriber.quiet))
        self.next_resume_at = min(waiting, default=None)
        if claims:
            logger.info("Resuming %d daily tip(s) left pending", len(claims))
        return claims

    async def _deliver(self, claim: Claim) -> DeliveryStatus | None:
        """Send one claim to its end and record it; never raises but for cancellation."""
        key = (claim.chat_id, claim.day)
        self._in_flight.add(key)
        attempts = Attempts(claim.chat_id)
        try:
            status = await self._attempt_loop.until_final(claim, attempts)
        except asyncio.CancelledError:
            self._recorder.finish(claim, attempts.chat_id, unfinished(attempts))
            raise
        except Exception as exc:  # a bug or the database: this tip's outcome, not the sweep's
            status = DeliveryStatus.MAYBE_SENT if attempts.answer_lost else None
            logger.error(
                "Daily tip for chat %s stopped by an error (%s: %s); %s",
                attempts.chat_id,
                type(exc).__name__,
                exc,
                "recorded as maybe sent" if status else "it will be resumed",
                extra={"chat_id": attempts.chat_id},
            )
        finally:
            self._in_flight.discard(key)
        if status is not None:
            self._recorder.finish(claim, attempts.chat_id, status)
        return status


def _summary(report: Counter[DeliveryStatus]) -> str:
    return ", ".join(f"{status} {count}" for status, count in sorted(report.items())) or "nothing"
