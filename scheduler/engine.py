"""When the daily sweep runs: the delivery loop of one process, on an injected clock.

There are no per-subscriber timers. After each sweep the loop sleeps until the earliest due
time (or a pending claim it may resume), at most `SAFETY_SWEEP_SECONDS`; a schedule change
(`wake_at`) or winning the lease wakes it early. A sweep that fails is tried again within
seconds, with backoff. A second task keeps the lease: renewed every `RENEW_EVERY` seconds by
the holder, looked at every `STANDBY_POLL` seconds by a standby, which sweeps as soon as it
wins. Both tasks sleep through the injected `sleep`, so tests walk days in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from itertools import islice

from scheduler.backoff import Backoff
from scheduler.delivery import Clock, Sleep
from scheduler.lease import RENEW_EVERY, STANDBY_POLL, Lease

logger = logging.getLogger(__name__)

SAFETY_SWEEP_SECONDS = 300  # a sweep at least this often, whatever the wake-ups say
SWEEP_BACKOFF = Backoff(first=1.0, cap=30.0)  # after 1, 2, 3... failed sweeps in a row
BACKOFF_SECONDS = tuple(islice(SWEEP_BACKOFF.delays(), 6))  # 1, 2, 4, 8, 16, 30 s, then 30
MIN_PAUSE = 1.0  # seconds between sweeps at the least, whatever is still owed


class DeliveryLoop:
    """Runs `sweep` on time for as long as this process may deliver; `stop` ends it.

    `next_wake` says when the next sweep is owed (the earliest due time, or a claim that
    becomes resumable); `lease` (None: this process always delivers) fences the sweeps;
    `housekeeping` runs each time the lease is looked at, whoever holds it.
    """

    def __init__(
        self,
        sweep: Callable[[], Awaitable[object]],
        next_wake: Callable[[], datetime | None],
        clock: Clock,
        *,
        lease: Lease | None = None,
        sleep: Sleep = asyncio.sleep,
        on_stop: Callable[[], None] = lambda: None,
        housekeeping: Callable[[], None] = lambda: None,
        renew_every: float = RENEW_EVERY,
        standby_poll: float = STANDBY_POLL,
    ) -> None:
        self._sweep = sweep
        self._next_wake = next_wake
        self._clock = clock
        self._lease = lease
        self._sleep = sleep
        self._on_stop = on_stop
        self._housekeeping = housekeeping
        self._renew_every = renew_every
        self._standby_poll = standby_poll
        self._wake: datetime | None = None  # the next sweep; None: only when woken
        self._poke = asyncio.Event()  # a wake-up moved earlier, or a stop
        self._stopped = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self.sweeps = 0  # sweeps finished, for tests and the curious
        self.failures = 0  # failed sweeps in a row

    def start(self, on_fatal: Callable[[BaseException], None] = lambda _error: None) -> None:
        """Run in the background from now: a first sweep at once (if this process delivers).
        If the loop itself ever dies (a bug: sweeps' own errors are retried), `on_fatal` is
        told, so the process can exit and be restarted rather than live on without it."""
        self._wake = self._clock()
        self._task = asyncio.create_task(self.run(), name="delivery-loop")

        def ended(task: asyncio.Task[None]) -> None:
            if not task.cancelled() and task.exception() is not None and not self._stopping:
                error = task.exception()
                assert error is not None
                logger.critical("The delivery loop stopped: %s: %s", type(error).__name__, error)
                on_fatal(error)

        self._task.add_done_callback(ended)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as tasks:
            if self._lease is not None:
                tasks.create_task(self._keep_lease(), name="delivery-lease")
            tasks.create_task(self._sweep_on_time(), name="delivery-sweeps")

    def wake_at(self, moment: datetime | None) -> None:
        """Sweep at `moment` (a schedule changed), unless a sweep is set for no later."""
        if moment is not None and (self._wake is None or moment < self._wake):
            self._wake = moment
            self._poke.set()

    def look_again(self) -> None:
        """The clock jumped (the sandbox's `:tomorrow`): the loop napped on the old time, so it
        looks at the clock now, and sweeps if that made a sweep due."""
        self._poke.set()

    def holds_lease(self) -> bool:
        """True while this process holds the delivery lease (False for one without a lease)."""
        return self._lease is not None and self._lease.held()

    def delivering(self) -> bool:
        """True while this process may deliver: it holds the lease, and is not stopping."""
        return not self._stopping and (self._lease is None or self._lease.held())

    async def stop(self, timeout: float) -> None:
        """Stop at once: claim nothing more, give sends up to `timeout` seconds, then cancel
        them (each is recorded as it ended: released, or maybe sent) and let the lease go."""
        self._stopping = True
        self._on_stop()
        self._poke.set()
        self._stopped.set()
        if self._task is not None:
            done, _ = await asyncio.wait({self._task}, timeout=timeout)
            if not done:
                logger.warning("Daily tips still sending at the stop were handed back")
                self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._lease is not None:
            self._lease.release()

    async def _sweep_on_time(self) -> None:
        while not self._stopping:
            self._poke.clear()
            now = self._clock()
            if self._wake is not None and self._wake <= now:
                if self.delivering():
                    await self._sweep_once()
                else:  # a standby: nothing to do until it wins the lease (which wakes it)
                    self._wake = None
            await self._nap(self._wake)

    async def _sweep_once(self) -> None:
        """One sweep; then the next wake-up: the next due time, at most a safety interval
        away, or a retry with backoff if it failed."""
        self._wake = None
        try:
            await self._sweep()
        except Exception as exc:  # the database, mostly: keep going, a little later
            self.failures += 1
            delay = SWEEP_BACKOFF.delay(self.failures)
            logger.error(
                "The daily sweep failed (%s: %s); again in %g s", type(exc).__name__, exc, delay
            )
            self.wake_at(self._clock() + timedelta(seconds=delay))
            return
        self.failures = 0
        self.sweeps += 1
        now = self._clock()
        safety = now + timedelta(seconds=SAFETY_SWEEP_SECONDS)
        try:
            owed = self._next_wake()
        except Exception as exc:
            logger.warning("Could not read the next due time (%s); sweeping again soon", exc)
            owed = now + timedelta(seconds=SWEEP_BACKOFF.first)
        if owed is not None:  # still owed right after a sweep (it could not deliver): no spin
            owed = max(owed, now + timedelta(seconds=MIN_PAUSE))
        self.wake_at(min(owed, safety) if owed is not None else safety)
        logger.debug("Sweep finished; the next at %s", self._wake)

    async def _keep_lease(self) -> None:
        """Renew the lease while held; as a standby, look at it often and sweep on winning."""
        assert self._lease is not None
        while not self._stopping:
            self._housekeeping()  # e.g. outcomes a full disk refused: written, held or not
            was_held = self._lease.held()
            if self._lease.renew() and not was_held:
                self.wake_at(self._clock())  # a takeover: sweep now, not at the next due time
            interval = self._renew_every if self._lease.held() else self._standby_poll
            await self._nap_for(interval, self._stopped)

    async def _nap(self, until: datetime | None) -> None:
        """Sleep until `until` (None: until woken), or until `wake_at` or `stop` pokes."""
        if until is None:
            await self._poke.wait()
        else:
            await self._nap_for((until - self._clock()).total_seconds(), self._poke)

    async def _nap_for(self, seconds: float, cut_short_by: asyncio.Event) -> None:
        """Sleep `seconds` through the injected sleep, unless the event is set first."""
        waits = [
            asyncio.ensure_future(self._sleep(max(0.0, seconds))),
            asyncio.ensure_future(cut_short_by.wait()),
        ]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
