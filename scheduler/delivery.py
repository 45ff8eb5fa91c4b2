"""The daily sweep: ask the store who is due now, claim their tip, send it within the limits.

One claim per (chat, local date) is written *before* sending, so a restart never sends a
second daily tip. Claims left open by a crash are sent again at start-up, so none is lost
(a message in flight at the instant of a `kill -9` is the one that can arrive twice).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiolimiter import AsyncLimiter

from scheduler.due import is_due, local_date
from scheduler.outcomes import Gone, Migrated, Outcome, RateLimited, Rejected, Sent, Transient
from scheduler.pause import Pause, Sleep
from scheduler.records import DeliveryStatus, DeliveryStore

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
ChooseTip = Callable[[int, datetime], str]
Send = Callable[[int, str], Awaitable[Outcome]]

MAX_ATTEMPTS = 5
RETRY_LATER = timedelta(minutes=10)
SWEEP_EVERY_SECONDS = 15


@dataclass(frozen=True)
class Claim:
    """A daily tip that this process has taken responsibility for sending."""

    chat_id: int
    day: date
    tip_id: str


class Delivery:
    """Sends due daily tips at a bounded rate, with bounded retries, without duplicates."""

    def __init__(
        self,
        store: DeliveryStore,
        choose_tip: ChooseTip,
        send: Send,
        clock: Clock,
        *,
        rate: float = 25,
        workers: int = 16,
        batch_size: int = 500,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._store = store
        self._choose_tip = choose_tip
        self._send = send
        self._clock = clock
        self._limiter = AsyncLimiter(rate, 1)
        self._workers = asyncio.Semaphore(workers)
        self._batch_size = batch_size
        self._sleep = sleep
        self._pause = Pause(sleep)
        self._stopping = False
        self._resumed = False
        self._idle = asyncio.Event()
        self._idle.set()

    async def sweep(self) -> Counter[DeliveryStatus]:
        """Deliver to everyone due, batch by batch, until nobody is due (or we are stopping)."""
        report: Counter[DeliveryStatus] = Counter()
        self._idle.clear()
        try:
            if not self._resumed:  # first sweep of this process: finish what a crash left
                self._resumed = True
                report.update(await self.resume_pending())
            while not self._stopping and (claims := self.claim_due(self._clock())):
                report.update(await self._send_all(claims))
        finally:
            self._idle.set()
        if report:
            logger.info("Daily sweep: %s", _summary(report))
        logger.debug("Sweep finished: %s", _summary(report))
        return report

    async def resume_pending(self) -> Counter[DeliveryStatus]:
        """Send the claims a crash left open (the first sweep does this by itself)."""
        pending = self._store.pending_deliveries()
        claims = [Claim(p.chat_id, p.local_date, p.tip_id) for p in pending]
        if claims:
            logger.info("Resuming %d daily tip(s) left pending by the last run", len(claims))
        return await self._send_all(claims)

    async def shutdown(self, timeout: float) -> None:
        """Start nothing new; give sends in flight up to `timeout` seconds to finish."""
        self._stopping = True
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            logger.warning("Stopped with daily tips still sending; they resume at next start")

    def claim_due(self, now: datetime) -> list[Claim]:
        """Claim the next batch of due subscribers in one transaction."""
        claims = []
        with self._store.transaction():
            for subscriber in self._store.due_subscribers(now, self._batch_size):
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

    async def _send_all(self, claims: list[Claim]) -> Counter[DeliveryStatus]:
        statuses = await asyncio.gather(*(self._deliver(claim) for claim in claims))
        return Counter(statuses)

    async def _deliver(self, claim: Claim) -> DeliveryStatus:
        async with self._workers:
            status, chat_id = await self._attempt_until_final(claim)
        now = self._clock()
        retry_at = now + RETRY_LATER if status is DeliveryStatus.FAILED else None
        self._store.finish_delivery(chat_id, claim.day, status, now, retry_at)
        return status

    async def _attempt_until_final(self, claim: Claim) -> tuple[DeliveryStatus, int]:
        """Send, honouring 429s and migrations, retrying transient errors with backoff."""
        chat_id = claim.chat_id
        for attempt in range(1, MAX_ATTEMPTS + 1):
            if self._stopping:
                return DeliveryStatus.RELEASED, chat_id
            await self._pause.wait()
            async with self._limiter:
                outcome = await self._send(chat_id, claim.tip_id)
            match outcome:
                case Sent():
                    return DeliveryStatus.SENT, chat_id
                case Gone(reason=reason):
                    logger.info("Chat %s is gone (%s); deactivating", chat_id, reason)
                    return DeliveryStatus.BLOCKED, chat_id
                case Rejected(reason=reason):
                    logger.error("Telegram rejected tip %s: %s", claim.tip_id, reason)
                    return DeliveryStatus.FAILED, chat_id
                case Migrated(new_chat_id=new_chat_id):
                    self._store.migrate(chat_id, new_chat_id)
                    chat_id = new_chat_id
                case RateLimited(retry_after=seconds):
                    logger.warning("Flood limit hit: pausing delivery for %s s", seconds)
                    await self._pause.hold(seconds)
                case Transient(reason=reason):
                    logger.warning(
                        "Sending to %s failed (%s), attempt %d", chat_id, reason, attempt
                    )
                    await self._sleep(min(2**attempt, 30))
        return DeliveryStatus.FAILED, chat_id


def _summary(report: Counter[DeliveryStatus]) -> str:
    return ", ".join(f"{status} {count}" for status, count in sorted(report.items())) or "nothing"
