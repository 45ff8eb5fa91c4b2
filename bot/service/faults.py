"""Why the process must stop before anyone asked it to, reported by the part that failed.

The gateway's dispatcher, the delivery loop and the webhook's token watch each report here
(given at construction, so nothing is rewired later); the runner waits on `happened` beside
its stop signal, shuts down cleanly, then raises the first fault for `main()` to turn into an
exit code systemd acts on.
"""

from __future__ import annotations

import asyncio

from bot.transport.gateway import GatewayFailed
from bot.transport.polling import TokenRevoked

__all__ = ["DeliveryLoopFailed", "Faults"]


class DeliveryLoopFailed(Exception):
    """The delivery loop died (a bug): the process stops, to be restarted."""


class Faults:
    """The first fault of each kind, and an event set by any of them."""

    def __init__(self) -> None:
        self.happened = asyncio.Event()
        self._first: BaseException | None = None

    def gateway_failed(self, error: BaseException) -> None:
        """The gateway's dispatcher kept failing (it said why, once)."""
        self._report(GatewayFailed(str(error)), error)

    def delivery_loop_failed(self, error: BaseException) -> None:
        """The delivery loop itself died."""
        self._report(DeliveryLoopFailed(str(error)), error)

    def token_revoked(self) -> None:
        """Telegram stopped accepting the token (already said in the log)."""
        self._report(TokenRevoked(), None)

    def raise_first(self) -> None:
        """After a clean shutdown: raise what stopped the process, if anything did."""
        if self._first is not None:
            raise self._first

    def _report(self, fault: BaseException, cause: BaseException | None) -> None:
        if self._first is None:
            fault.__cause__ = cause
            self._first = fault
        self.happened.set()
