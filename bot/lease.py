"""Only one process delivers: a lease in the database, renewed while this process runs.

A second process on the same database is a warm standby, not an error: it keeps answering
commands (when it is the one polling), asks for the lease every `RENEW_EVERY` seconds, and
starts delivering when the holder stops renewing — released on a clean stop, or lapsed after
`LEASE_TTL` seconds when the holder died. Two deliverers at once are impossible while both
clocks agree within the margin below, because taking the lease is one SQL statement.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from storage import Store

logger = logging.getLogger(__name__)

LEASE_TTL = 60.0
RENEW_EVERY = LEASE_TTL / 3
# Stop sweeping this long before the lease lapses, so a standby never starts while we still do.
_MARGIN = timedelta(seconds=RENEW_EVERY)


def holder_id() -> str:
    """Who holds the lease, as an operator reading the table would want to know."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class DeliveryLease:
    """This process's view of the delivery lease: take or renew it, ask whether it is held."""

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        holder: str | None = None,
        ttl: float = LEASE_TTL,
    ) -> None:
        self._store = store
        self._clock = clock
        self.holder = holder or holder_id()
        self._ttl = ttl
        self._valid_until: datetime | None = None
        self._standby_said = False

    def renew(self) -> bool:
        """Take the lease, or extend it; log when this process takes over or stands by."""
        now = self._clock()
        try:
            won = self._store.acquire_lease(self.holder, now, self._ttl)
        except sqlite3.Error as exc:  # keep what we had: it lapses by itself if this goes on
            logger.warning("Could not renew the delivery lease: %s", exc)
            return self.held()
        if won and self._valid_until is None:
            logger.info("Delivering: this process holds the delivery lease (%s)", self.holder)
        elif not won and not self._standby_said:
            logger.info("Standby: another process is delivering; taking over when it stops")
        if not won and self._valid_until is not None:
            logger.error("Lost the delivery lease to another process; delivering stops here")
        self._standby_said = not won
        self._valid_until = now + timedelta(seconds=self._ttl) if won else None
        return won

    def held(self) -> bool:
        """True while this process may start delivering (with a margin before the lease lapses)."""
        return self._valid_until is not None and self._clock() < self._valid_until - _MARGIN

    def release(self) -> None:
        """Hand the lease over at a clean stop, so a standby takes over at its next try."""
        if self._valid_until is not None:
            self._store.release_lease(self.holder)
            self._valid_until = None
