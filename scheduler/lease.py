"""Only one process delivers: a lease in the database, renewed while its holder runs.

A second process on the same database is a warm standby, not an error: it answers commands
(when it is the one receiving updates), looks at the lease every `STANDBY_POLL` seconds, and
takes it when the holder lets go: released at a clean stop, lapsed `LEASE_TTL` seconds after
its last renewal (a hung or cut-off holder), or at once when the holder's process is known to
be dead (it ran on this host and is gone: a `kill -9`, a crash, then a restart). The holder
stops sending `MARGIN` before its lease could lapse (`held`), so two processes never deliver at
once while their clocks agree within that margin. Taking the lease is one SQL statement.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

logger = logging.getLogger(__name__)

LEASE_TTL = 60.0
RENEW_EVERY = LEASE_TTL / 3
STANDBY_POLL = 2.0  # seconds between a standby's looks at the lease (a read; cheap)
MARGIN = timedelta(seconds=RENEW_EVERY)


@dataclass(frozen=True)
class LeaseRow:
    """The lease as stored: its holder, the holder's process identity, when it lapses."""

    holder: str
    process: str | None
    expires_at: datetime


class LeaseStore(Protocol):
    def acquire_lease(
        self,
        holder: str,
        now: datetime,
        ttl: float,
        *,
        process: str | None = None,
        dead: str | None = None,
    ) -> bool: ...

    def lease_row(self) -> LeaseRow | None: ...

    def release_lease(self, holder: str) -> None: ...


#: Is the process with this identity alive? None: cannot tell (another host, no identity).
Alive = Callable[[str | None], bool | None]


class Lease:
    """This process's view of the delivery lease: take or renew it, ask whether it is held."""

    def __init__(
        self,
        store: LeaseStore,
        clock: Callable[[], datetime],
        holder: str,
        *,
        process: str | None = None,
        alive: Alive = lambda _process: None,
        ttl: float = LEASE_TTL,
    ) -> None:
        self._store = store
        self._clock = clock
        self.holder = holder
        self._process = process
        self._alive = alive
        self.ttl = ttl
        self._valid_until: datetime | None = None
        self.held_since: datetime | None = None  # when this process last took the lease
        self._standby_said = False
        self.dead: set[str] = set()  # holders this process saw die (their claims: at once)

    def renew(self) -> bool:
        """Take the lease, or extend it; True while held. Logs a takeover, a loss, and
        (once) standing by."""
        now = self._clock()
        try:
            won = self._try(now)
        except sqlite3.Error as exc:  # keep what we had: it lapses by itself if this goes on
            logger.warning("Could not renew the delivery lease: %s", exc)
            return self.held()
        if won and self._valid_until is None:
            logger.info("Delivering: this process holds the delivery lease (%s)", self.holder)
        elif not won and self._valid_until is not None:
            logger.error("Lost the delivery lease to another process; delivering stops here")
        elif not won and not self._standby_said:
            logger.info("Standby: another process is delivering; taking over when it stops")
        self._standby_said = not won
        if won and self._valid_until is None:
            self.held_since = now
        self._valid_until = now + timedelta(seconds=self.ttl) if won else None
        return won

    def _try(self, now: datetime) -> bool:
        """One write when it can succeed; a standby only reads while the holder is alive."""
        dead = None
        if not self.held():
            row = self._store.lease_row()
            if row is not None and row.holder != self.holder and row.expires_at > now:
                if self._alive(row.process) is not False:
                    return False
                dead = row.holder
                logger.info("The delivery lease's holder %s has died: taking over now", dead)
        won = self._store.acquire_lease(
            self.holder, now, self.ttl, process=self._process, dead=dead
        )
        if won and dead is not None:
            self.dead.add(dead)
        return won

    def held(self) -> bool:
        """True while this process may deliver (with a margin before the lease lapses)."""
        return self._valid_until is not None and self._clock() < self._valid_until - MARGIN

    def release(self) -> None:
        """Hand the lease over at a clean stop, so a standby takes over at its next look."""
        if self._valid_until is not None:
            self._valid_until = None
            try:
                self._store.release_lease(self.holder)
            except sqlite3.Error as exc:
                logger.warning("Could not release the delivery lease (it lapses): %s", exc)
