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
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import sqlite3
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from scheduler.due import is_due, local_date
from scheduler.lifecycle import ClaimLost, DeliveryStatus, IllegalTransition
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
from scheduler.records import DeliveryStore, PendingDelivery, Subscriber

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Sleep = Callable[[float], Awaitable[None]]
ChooseTips = Callable[[Sequence[Subscriber], datetime], Mapping[int, str]]
Send = Callable[[int, str, Callable[[], bool]], Awaitable[Outcome]]

RETRY_LATER = timedelta(minutes=10)  # a failed day is claimed again this much later
KEEP_DELIVERIES = timedelta(days=14)  # delivery records kept; older ones are pruned
PRUNE_BATCH = 5_000  # records deleted per safety sweep: small, so no sweep waits on it
TAKEOVER_AFTER = timedelta(seconds=60)  # the lease's TTL: a live holder's claims are its own
# After taking the lease from a holder that is not known dead, wait this long before resuming
# its claims: long enough for it, if it is alive, to write the outcomes it had to keep in
# memory (a full disk), which it tries every time it looks at the lease.
TAKEOVER_GRACE = timedelta(seconds=5)
# In flight = rate x Telegram's latency (about 0.1-0.2 s); more only costs CPU and widens what
# a `kill -9` can double. At least 16, so a slow Telegram (0.5 s) still fills the free 30/s.
SECONDS_OF_SENDS_IN_FLIGHT = 0.2
MIN_WORKERS = 16
CLAIM_BATCH = 50  # claims per transaction: each holds the event loop, so a few ms at most


def workers_for(rate: float) -> int:
    """Sends kept in flight for `rate` per second: 16 at the free rate, 200 at 1000/s."""
    return max(MIN_WORKERS, math.ceil(rate * SECONDS_OF_SENDS_IN_FLIGHT))


@dataclass(frozen=True)
class Claim:
    """A daily tip that this process has taken responsibility for sending."""

    chat_id: int
    day: date
    tip_id: str
    claim: str


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


@dataclass
class _Attempts:
    """What one claim's sends have done so far, and where the claim now stands."""

    chat_id: int  # the claim's chat: a group's supergroup once the move was followed
    answer_lost: bool = False  # a request went out and its answer never came: maybe delivered


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
    _sweeping: asyncio.Lock = field(default_factory=asyncio.Lock, init=False)
    _in_flight: set[tuple[int, date]] = field(default_factory=set, init=False)
    _unrecorded: dict[tuple[int, date], tuple[str, DeliveryStatus]] = field(
        default_factory=dict, init=False
    )
    _numbers: itertools.count[int] = field(default_factory=itertools.count, init=False)
    _stopping: bool = field(default=False, init=False)
    next_resume_at: datetime | None = field(default=None, init=False)

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

    def tidy(self) -> int:
        """Prune one small batch of old delivery records (off the hot path: safety sweeps)."""
        before = (self.clock() - KEEP_DELIVERIES).date()
        try:
            pruned = self.store.prune_deliveries(before, PRUNE_BATCH)
        except sqlite3.Error as exc:
            logger.warning("Could not prune old delivery records: %s", exc)
            return 0
        if pruned:
            logger.debug("Pruned %d delivery records before %s", pruned, before)
        return pruned

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
        return len(self._unrecorded)

    def claim_due(self, now: datetime, limit: int) -> list[Claim]:
        """Claim up to `limit` (at most `CLAIM_BATCH`) due subscribers, choosing their tips
        as one batch, in one write transaction: a few milliseconds of the event loop."""
        claims = []
        with self.store.transaction():
            due = []
            for subscriber in self.store.due_subscribers(now, min(limit, CLAIM_BATCH)):
                if is_due(subscriber.schedule, subscriber.last_delivery, now):
                    due.append(subscriber)
                else:  # the stored due time was stale: put it right
                    self.store.refresh(subscriber.chat_id, now)
            tips = self.choose_tips(due, now) if due else {}
            for subscriber in due:
                day = local_date(subscriber.schedule, now)
                claim = Claim(subscriber.chat_id, day, tips[subscriber.chat_id], self._token())
                if self.store.claim_for(subscriber, day, claim.tip_id, now, claim.claim):
                    claims.append(claim)
                else:  # the day was taken meanwhile: re-derive the row so it leaves the queue
                    self.store.refresh(subscriber.chat_id, now)
        return claims

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
            if key in self._in_flight or key in self._unrecorded:
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
                self._finish(claim, claim.chat_id, DeliveryStatus.RELEASED)
                logger.info(
                    "Closed chat %s's tip for %s unsent: that day is over",
                    *key,
                    extra={"chat_id": pending.chat_id},
                )
                continue
            claims.append(claim)
        self.next_resume_at = min(waiting, default=None)
        if claims:
            logger.info("Resuming %d daily tip(s) left pending", len(claims))
        return claims

    async def _deliver(self, claim: Claim) -> DeliveryStatus | None:
        """Send one claim to its end and record it; never raises but for cancellation."""
        key = (claim.chat_id, claim.day)
        self._in_flight.add(key)
        attempts = _Attempts(claim.chat_id)
        try:
            status = await self._attempt_until_final(claim, attempts)
        except asyncio.CancelledError:
            self._finish(claim, attempts.chat_id, self._unfinished(attempts))
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
            self._finish(claim, attempts.chat_id, status)
        return status

    @staticmethod
    def _unfinished(attempts: _Attempts) -> DeliveryStatus:
        """How a send cut short (a stop, a lost lease) ends. A request on the wire counts as
        one whose answer was lost: the first such is handed back, so the next process makes
        the one retry; after an earlier lost answer it is final."""
        return DeliveryStatus.MAYBE_SENT if attempts.answer_lost else DeliveryStatus.RELEASED

    async def _attempt_until_final(
        self, claim: Claim, attempts: _Attempts
    ) -> DeliveryStatus | None:
        """Send, following a group's move, retrying as `scheduler.outcomes.decide` says.
        None: nothing left to record (the claim moved to a supergroup whose day was taken)."""
        attempt = 0
        while True:
            if not self._may_start():
                return self._unfinished(attempts)
            attempt += 1
            chat_id = attempts.chat_id
            outcome = await self.send(chat_id, claim.tip_id, self._still_wanted(chat_id, claim))
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

    def _still_wanted(self, chat_id: int, claim: Claim) -> Callable[[], bool]:
        """Asked just before each request goes out (the fence): this process still holds the
        lease and is not stopping, the claim is still its own (a process whose lease lapsed
        and came back finds its old claims resumed by another), and the chat still wants
        tips (a /stop or /pause meanwhile: none)."""

        def check() -> bool:
            if not self._may_start():
                return False
            try:
                return self.store.may_send(chat_id, claim.day, claim.claim, self.clock())
            except sqlite3.Error as exc:
                logger.warning("Could not check chat %s before sending: %s", chat_id, exc)
                return False

        return check

    def _finish(
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

    def record_unrecorded(self) -> None:
        """Write the outcomes the disk refused before; one log line for the lot. Called before
        each sweep, and each time the loop looks at the lease, delivering or not."""
        waiting, self._unrecorded = self._unrecorded, {}
        for (chat_id, day), (token, status) in waiting.items():
            self._finish(Claim(chat_id, day, "", token), chat_id, status, quiet=True)
        if waiting and self._unrecorded and len(self._unrecorded) != len(waiting):
            logger.error("Still cannot record %d delivery outcome(s)", len(self._unrecorded))
        elif waiting and not self._unrecorded:
            logger.info("Recorded %d delivery outcome(s) that had to wait", len(waiting))


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


def _summary(report: Counter[DeliveryStatus]) -> str:
    return ", ".join(f"{status} {count}" for status, count in sorted(report.items())) or "nothing"
