"""What one attempt to send a message can end in, as the sender reports it.

The sender (a thin adapter over Telegram) maps Telegram's answers onto these; the delivery
loop decides what to do with each. Keeping them as plain values lets the loop be tested by
recording calls, without Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sent:
    """Telegram accepted the message."""


@dataclass(frozen=True)
class Gone:
    """The chat cannot receive messages (bot blocked, user deactivated, chat not found)."""

    reason: str


@dataclass(frozen=True)
class Migrated:
    """The group became a supergroup with a new chat id."""

    new_chat_id: int


@dataclass(frozen=True)
class Uncertain:
    """The send timed out: Telegram may have delivered it. Retried at most once, later."""

    reason: str


@dataclass(frozen=True)
class NotSent:
    """It never left: the subscriber stopped meanwhile, or the bot is shutting down."""

    reason: str


@dataclass(frozen=True)
class Transient:
    """A network error, timeout or server error: worth trying again soon."""

    reason: str


@dataclass(frozen=True)
class Rejected:
    """Telegram refused this message for good (a bad request that retrying will not fix)."""

    reason: str


Outcome = Sent | Gone | Migrated | Transient | Uncertain | NotSent | Rejected
