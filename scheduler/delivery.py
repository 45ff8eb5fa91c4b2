"""The daily sweep: ask the store who is due now, claim their tip, hand it to the sender.

One claim per (chat, local date) is written *before* sending, so a restart never sends a
second daily tip. Claims left open (a crash, an unexpected error, a send whose outcome could not
be written) are sent again later, so none is lost; a claim whose local day is already over is
closed instead, so nobody gets yesterday's tip next to today's. Only the messages in flight at
the instant of a `kill -9` can arrive twice: at most `workers` of them.

Pacing is not done here: the sender's gateway keeps Telegram's limits and waits out 429s, so
this loop keeps just enough sends in flight to fill the rate it was given.
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from scheduler.due import is_due, local_date
from scheduler.outcomes import (
    Gone,
    Migrated,
    NotSent,
    Outcome,
    Rejected,
    Sent,
    Transient,
    Uncertain,
)
from scheduler.records import DeliveryStatus, DeliveryStore

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
ChooseTip = Callable[[int, datetime], str]
Send = Callable[[int, str, Callable[[], bool]], Awaitable[Outcome]]

MAX_ATTEMPTS = 5
RETRY_LATER = timedelta(minutes=10)
UNCERTAIN_RETRY_AFTER = 60.0  # seconds before the one retry of a send that timed out
STALE_CLAIM = timedelta(minutes=5)  # a pending claim older than this, not ours, is picked up
SAFETY_SWEEP_SECONDS = 300  # a sweep at least this often, whatever the wake-ups say
KEEP_DELIVERIES = timedelta(days=14)  # delivery records kept; older ones are pruned
PRUNE_BATCH = 5_000  # records deleted per safety sweep: small, so no sweep waits on it
# In flight = rate x Telegram's latency (about 0.1-0.2 s); more only costs CPU and widens what
# a `kill -9` can double. At least 16, so a slow Telegram (0.5 s) still fills the free 30/s.
SECONDS_OF_SENDS_IN_FLIGHT = 0.2
MIN_WORKERS = 16


def workers_for(rate: float) -> int:
    """Sends kept in flight for `rate` per second: 16 at the free rate, 200 at 1000/s."""
    return max(MIN_WORKERS, math.ceil(rate * SECONDS_OF_SENDS_IN_FLIGHT))


@dataclass(frozen=True)
class Claim:
    """A daily tip that this process has taken responsibility for sending."""

    chat_id: int
    day: date
    tip_id: str


@dataclass(frozen=True)
class Unrecorded:
    """A final status that could not be written yet (the disk was full): kept, retried."""

    chat_id: int
    day: date
    status: DeliveryStatus
    retry_at: datetime | None


class Delivery:
    """Sends due daily tips, with bounded retries, without duplicates, one sweep at a time."""

    def __init__(
        self,
        store: DeliveryStore,
        choose_tip: ChooseTip,
        send: Send,
        clock: Clock,
        *,
        workers: int = 30,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._store = store
        self._choose_tip = choose_tip
        self._send = send
        self._clock = clock
        self._workers = workers
        self._sleep = sleep
        self._sweeping = asyncio.Lock()
        self._in_flight: set[tuple[int, date]] = set()
        self._unrecorded: list[Unrecorded] = []
        self._stopping = False
        self._resumed = False
        self.may_deliver: Callable[[], bool] = lambda: True  # False: another process delivers
        # Told each daily tip's final status as it is written (metrics, the sweep's heartbeat).
        self.outcome_listeners: list[Callable[[DeliveryStatus], None]] = []

    async def sweep(self) -> Counter[DeliveryStatus]:
        """Deliver to everyone due, and to claims left open, until nobody is left."""
        async with self._sweeping:
            report: Counter[DeliveryStatus] = Counter()
            self._record_unrecorded()
            await self._deliver_all(self._stale_claims(), report)
            await self._deliver_all(None, report)
        if report:
            logger.info("Daily sweep: %s", _summary(report))
        logger.debug("Sweep finished: %s", _summary(report))
        return report

    def tidy(self) -> int:
        """Prune one small batch of old delivery records (off the hot path: safety sweeps)."""
        before = (self._clock() - KEEP_DELIVERIES).date()
        try:
            pruned = self._store.prune_deliveries(before, PRUNE_BATCH)
        except sqlite3.OperationalError as exc:
            logger.warning("Could not prune old delivery records: %s", exc)
            return 0
        if pruned:
            logger.debug("Pruned %d delivery records before %s", pruned, before)
        return pruned

    def stop_starting(self) -> None:
        """Claim and send nothing new from now on (sends already on the wire finish)."""
        self._stopping = True

    async def shutdown(self, timeout: float) -> None:
        """Start nothing new; give sends in flight up to `timeout` seconds to finish."""
        self.stop_starting()
        try:
            await asyncio.wait_for(self._sweeping.acquire(), timeout)
        except TimeoutError:
            logger.warning("Stopped with daily tips still sending; they resume at next start")
        else:
            self._sweeping.release()
        if self._unrecorded:
            logger.error(
                "Stopped with %d delivery outcome(s) not written: those tips may be sent again",
                len(self._unrecorded),
            )

    def claim_due(self, now: datetime, limit: int) -> list[Claim]:
        """Claim up to `limit` due subscribers in one transaction."""
        claims = []
        with self._store.transaction():
            for subscriber in self._store.due_subscribers(now, limit):
                if not is_due(subscriber.schedule, subscriber.last_delivery, now):
                    self._store.refresh(subscriber.chat_id, now)
                    continue
                day = local_date(subscriber.schedule, now)
                tip_id = self._choose_tip(subscriber.chat_id, now)
                if self._store.claim_delivery(subscriber.chat_id, day, tip_id, now):
                    claims.append(Claim(subscriber.chat_id, day, tip_id))
                else:  # the day was taken meanwhile: re-derive the row so it leaves the queue
                    self._store.refresh(subscriber.chat_id, now)
        return claims

    async def _deliver_all(
        self, claims: list[Claim] | None, report: Counter[DeliveryStatus]
    ) -> None:
        """Keep up to `workers` sends going: `claims` if given, else whoever is due, refilled
        as sends finish (so a large audience never waits for a whole batch)."""
        queued = list(claims) if claims is not None else []
        running: set[asyncio.Task[DeliveryStatus]] = set()
        while True:
            free = self._workers - len(running)
            starting = not self._stopping and self.may_deliver()
            if starting and free >= max(1, self._workers // 4):
                if claims is None:
                    queued = self.claim_due(self._clock(), free)
                for claim in queued[:free]:
                    running.add(asyncio.create_task(self._deliver(claim)))
                queued = queued[free:]
            if not running:
                return
            done, running = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            report.update(task.result() for task in done)

    def _stale_claims(self) -> list[Claim]:
        """Claims left pending by a crash, an error, or an outcome that could not be written;
        at start-up all of them, later those pending longer than `STALE_CLAIM`. A claim whose
        local day is over is closed unsent: yesterday's tip never arrives next to today's."""
        now = self._clock()
        older_than = None if not self._resumed else now - STALE_CLAIM
        self._resumed = True
        unrecorded = {(u.chat_id, u.day) for u in self._unrecorded}
        claims = []
        for pending in self._store.pending_deliveries(older_than):
            key = (pending.chat_id, pending.local_date)
            if key in self._in_flight or key in unrecorded:
                continue
            subscriber = self._store.subscriber(pending.chat_id)
            if subscriber is None or local_date(subscriber.schedule, now) > pending.local_date:
                self._finish(pending.chat_id, pending.local_date, DeliveryStatus.RELEASED, None)
                logger.info(
                    "Closed chat %s's tip for %s unsent: that day is over",
                    *key,
                    extra={"chat_id": pending.chat_id},
                )
                continue
            claims.append(Claim(pending.chat_id, pending.local_date, pending.tip_id))
        if claims:
            logger.info("Resuming %d daily tip(s) left pending", len(claims))
        return claims

    async def _deliver(self, claim: Claim) -> DeliveryStatus:
        key = (claim.chat_id, claim.day)
        self._in_flight.add(key)
        try:
            status, chat_id = await self._attempt_until_final(claim)
        finally:
            self._in_flight.discard(key)
        retry_at = self._clock() + RETRY_LATER if status is DeliveryStatus.FAILED else None
        self._finish(chat_id, claim.day, status, retry_at)
        for listener in self.outcome_listeners:
            listener(status)
        return status

    async def _attempt_until_final(self, claim: Claim) -> tuple[DeliveryStatus, int]:
        """Send, following migrations, retrying transient errors with backoff; a send that
        timed out (maybe delivered) is retried once, a minute later, and no more."""
        chat_id, uncertain = claim.chat_id, 0
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if self._stopping:
                return DeliveryStatus.RELEASED, chat_id
            outcome = await self._send(chat_id, claim.tip_id, self._still_wanted(chat_id))
            match outcome:
                case Sent():
                    return DeliveryStatus.SENT, chat_id
                case NotSent(reason=reason):
                    logger.debug(
                        "Tip for chat %s not sent: %s", chat_id, reason, extra={"chat_id": chat_id}
                    )
                    return DeliveryStatus.RELEASED, chat_id
                case Gone(reason=reason):
                    logger.info(
                        "Chat %s is gone (%s); deactivating",
                        chat_id,
                        reason,
                        extra={"chat_id": chat_id},
                    )
                    return DeliveryStatus.BLOCKED, chat_id
                case Rejected(reason=reason):
                    logger.error(
                        "Telegram rejected tip %s: %s",
                        claim.tip_id,
                        reason,
                        extra={"chat_id": chat_id},
                    )
                    return DeliveryStatus.FAILED, chat_id
                case Migrated(new_chat_id=new_chat_id):
                    self._store.migrate(chat_id, new_chat_id, self._clock())
                    chat_id = new_chat_id
                case Uncertain(reason=reason):
                    uncertain += 1
                    logger.warning(
                        "Tip to chat %s timed out (%s): it may have arrived%s",
                        chat_id,
                        reason,
                        "; not retrying again" if uncertain > 1 else "; one retry in a minute",
                        extra={"chat_id": chat_id},
                    )
                    if uncertain > 1:
                        return DeliveryStatus.SENT, chat_id
                    await self._sleep(UNCERTAIN_RETRY_AFTER)
                case Transient(reason=reason):
                    logger.warning(
                        "Sending to %s failed (%s), attempt %d",
                        chat_id,
                        reason,
                        attempt,
                        extra={"chat_id": chat_id},
                    )
                    await self._sleep(min(2**attempt, 30))
        return DeliveryStatus.FAILED, chat_id

    def _still_wanted(self, chat_id: int) -> Callable[[], bool]:
        """Asked when the send's turn comes: a /stop meanwhile means no tip."""

        def check() -> bool:
            return not self._stopping and self._store.is_active(chat_id)

        return check

    def _finish(
        self,
        chat_id: int,
        day: date,
        status: DeliveryStatus,
        retry_at: datetime | None,
        *,
        quiet: bool = False,
    ) -> None:
        """Write a final status; if the disk refuses, keep it and write it on the next sweep."""
        try:
            self._store.finish_delivery(chat_id, day, status, self._clock(), retry_at)
        except sqlite3.OperationalError as exc:
            self._unrecorded.append(Unrecorded(chat_id, day, status, retry_at))
            if not quiet:
                logger.error(
                    "Could not record chat %s's tip as %s (%s); kept in memory, will retry",
                    chat_id,
                    status,
                    exc,
                )

    def _record_unrecorded(self) -> None:
        """Write the outcomes the disk refused before; one log line for the lot."""
        waiting, self._unrecorded = self._unrecorded, []
        for item in waiting:
            self._finish(item.chat_id, item.day, item.status, item.retry_at, quiet=True)
        if waiting and self._unrecorded:
            logger.error("Still cannot record %d delivery outcome(s)", len(self._unrecorded))
        elif waiting:
            logger.info("Recorded %d delivery outcome(s) that had to wait", len(waiting))


def _summary(report: Counter[DeliveryStatus]) -> str:
    return ", ".join(f"{status} {count}" for status, count in sorted(report.items())) or "nothing"
