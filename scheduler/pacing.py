"""Telegram's flood limits as pure arithmetic: when may the next message to a chat go out?

One budget for the whole bot: about 30 messages a second overall, about one a second per
private chat (with a short burst), 20 a minute per group; paid broadcasts up to 1000 a second
(https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this). Each limit
is a GCRA cell ("virtual scheduling"): a theoretical arrival time that advances by one interval
per message, with `burst` messages allowed ahead of it. Times are seconds on one monotonic
clock, passed in, so tests walk through bursts and pauses without waiting.

A 429 names one chat's limit or the bot's overall one, and Telegram does not say which. One
chat's 429 holds back that chat only; 429s from several chats within a few seconds (or one for
no chat) are the overall limit, and hold back everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

GLOBAL_429_CHATS = 3  # 429s from this many chats...
GLOBAL_429_WINDOW = 5.0  # ...within this many seconds mean the overall limit: everyone waits


class Priority(IntEnum):
    """Lower goes first: a person waiting for an answer comes before a daily tip."""

    REPLY = 0
    TIP = 1
    EXTRA = 2  # best effort after a daily tip (the weekly recap): never before a waiting tip


@dataclass(frozen=True)
class Limits:
    """The rates the gateway keeps; a little under Telegram's so clock jitter never earns a 429."""

    overall_per_second: float = 29.8
    overall_burst: int = 10
    private_interval: float = 1.05  # seconds between messages to one private chat...
    private_burst: int = 3  # ...after a burst of this many (`/start` + `/tip` feel instant)
    group_interval: float = 3.05  # 20 a minute
    group_burst: int = 10
    paid_per_second: float | None = None  # daily tips with `allow_paid_broadcast`, up to 1000


@dataclass
class Cell:
    """One limit: `interval` seconds per message, `burst` messages may run ahead."""

    interval: float
    burst: int
    due: float = float("-inf")  # the theoretical arrival time of the next message
    paused_until: float = float("-inf")  # Telegram answered 429: nothing before then

    def ready_at(self) -> float:
        """The earliest instant the next message conforms."""
        return max(self.due - (self.burst - 1) * self.interval, self.paused_until)

    def ready_for(self, count: int) -> float:
        """The earliest instant `count` more messages conform together: at most a burst less
        one, so a wake-up a little late for them still loses none of the rate."""
        count = max(1, min(count, self.burst - 1))
        return self.ready_at() + (count - 1) * self.interval

    def spend(self, now: float) -> None:
        self.due = max(self.due, now) + self.interval


@dataclass
class Pacer:
    """All of the bot's budgets; `ready_at` says when a message may go, `spend` counts it."""

    limits: Limits = field(default_factory=Limits)
    paused_until: float = float("-inf")
    _overall: Cell = field(init=False)
    _paid: Cell | None = field(init=False)
    _chats: dict[int, Cell] = field(init=False, default_factory=dict)
    _recent_429s: dict[int, float] = field(init=False, default_factory=dict)  # chat: when

    def __post_init__(self) -> None:
        limits = self.limits
        self._overall = Cell(1 / limits.overall_per_second, limits.overall_burst)
        paid = limits.paid_per_second
        self._paid = Cell(1 / paid, max(1, int(paid // 10))) if paid else None

    def ready_at(self, chat_id: int | None, paid: bool = False) -> float:
        """When a message to `chat_id` (None: no chat, such as a button answer) may go."""
        ready = max(self.paused_until, self._budget(paid).ready_at())
        if chat_id is not None:
            ready = max(ready, self._chat(chat_id).ready_at())
        return ready

    def batch_ready_at(self, count: int, paid: bool = False) -> float:
        """When `count` more messages may go together within the overall (or paid) budget
        (`Cell.ready_for`: at most a burst less one). Chats' own limits are not asked."""
        return max(self.paused_until, self._budget(paid).ready_for(count))

    def spend(self, chat_id: int | None, now: float, paid: bool = False) -> None:
        """Count one message sent at `now`."""
        self._budget(paid).spend(now)
        if chat_id is not None:
            self._chat(chat_id).spend(now)

    def pause(self, until: float) -> None:
        """Nothing goes out before `until`."""
        self.paused_until = max(self.paused_until, until)

    def rate_limited(self, chat_id: int | None, now: float, until: float) -> bool:
        """Telegram answered 429 at `now` for `chat_id`, asking to wait until `until`: hold
        back that chat, or everyone if this is the overall limit. True when it is everyone."""
        if chat_id is not None:
            recent = {c: at for c, at in self._recent_429s.items() if now - at < GLOBAL_429_WINDOW}
            self._recent_429s = {**recent, chat_id: now}
        if chat_id is None or len(self._recent_429s) >= GLOBAL_429_CHATS:
            self.pause(until)
            return True
        cell = self._chat(chat_id)
        cell.paused_until = max(cell.paused_until, until)
        return False

    def forget_idle_chats(self, now: float) -> None:
        """Drop chats whose budget is full again, so memory stays flat with many chats."""
        self._chats = {
            chat: cell
            for chat, cell in self._chats.items()
            if cell.due > now or cell.paused_until > now
        }

    @property
    def tracked_chats(self) -> int:
        return len(self._chats)

    def _budget(self, paid: bool) -> Cell:
        return self._paid if paid and self._paid is not None else self._overall

    def _chat(self, chat_id: int) -> Cell:
        cell = self._chats.get(chat_id)
        if cell is None:
            limits = self.limits
            if chat_id < 0:  # groups, supergroups and channels have negative ids
                cell = Cell(limits.group_interval, limits.group_burst)
            else:
                cell = Cell(limits.private_interval, limits.private_burst)
            self._chats[chat_id] = cell
        return cell
