"""Telegram's flood limits as token buckets, for benchmarks that must meet 429s."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from emulator.faults import chat_type_of

__all__ = ["FloodControl", "TokenBucket"]


@dataclass
class TokenBucket:
    """``capacity`` sends at once, refilled at ``rate`` per second; time is passed in."""

    capacity: float
    rate: float
    tokens: float = field(init=False)
    updated: float | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.tokens = self.capacity

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is available now)."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        """Spend one token (the balance may go negative: a later wait is then longer)."""
        self._refill(now)
        self.tokens -= 1

    def _refill(self, now: float) -> None:
        if self.updated is not None:
            elapsed = max(0.0, now - self.updated)
            self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now


class FloodControl:
    """About 30 messages/s overall, 1/s per private chat (bursts of 3), 20/min per group."""

    def __init__(self, overall: float = 30, private: float = 1, burst: float = 3) -> None:
        self._overall = TokenBucket(overall, overall)
        self._private = private
        self._burst = burst
        self._chats: dict[int, TokenBucket] = {}

    def retry_after(self, chat_id: int, now: float) -> int | None:
        """Whole seconds to wait before a send to ``chat_id`` is allowed, or None if it is."""
        wait = max(self._overall.wait(now), self._chat(chat_id).wait(now))
        return max(1, math.ceil(wait)) if wait > 0 else None

    def record(self, chat_id: int, now: float) -> None:
        """Count one successful send."""
        self._overall.take(now)
        self._chat(chat_id).take(now)

    def _chat(self, chat_id: int) -> TokenBucket:
        if chat_id not in self._chats:
            private = chat_type_of(chat_id) == "private"
            bucket = TokenBucket(self._burst, self._private) if private else TokenBucket(20, 1 / 3)
            self._chats[chat_id] = bucket
        return self._chats[chat_id]
