"""What a chat's commands change in its subscriber row: /start, /stop, /time (and its weekend
time), /timezone, /pause, /resume, /topics and quiet delivery. Each is one write transaction
that ends by re-deriving the row's place in the delivery queue (`subscribers.refresh`).

A chat not known yet that chooses settings is stored inactive: it neither joins nor leaves.
Settings that cannot be read any more are replaced by the chat's defaults as it stores new
ones (`storage.rows.repairs`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from scheduler.due import Schedule, is_paused, pause_end, rescheduled
from scheduler.records import Subscriber
from storage.columns import epoch, hhmm
from storage.rows import Row, parse_subscriber, read_subscriber, repairs, topics_column
from storage.tables import events, subscribers
from storage.tables.events import EventKind
from storage.transaction import transaction


def subscribe(
    db: Database, chat_id: int, chat_type: str, default: Schedule, now: datetime
) -> tuple[Subscriber, bool]:
    """Activate a chat, keeping its earlier settings; True if it was not active before.

    A pause left from before an unsubscribe ends.
    """
    with transaction(db):
        row = subscribers.row(db, chat_id)
        if row is None:
            subscribers.insert(db, chat_id, chat_type, default, now, active=True)
        newly = row is None or not read_subscriber(row, default).active
        if row is not None and newly:
            fixes = repairs(row, default, now)
            fixes |= {"active": 1, "chat_type": chat_type, "schedule_since": epoch(now)}
            fixes["paused_until"] = None  # subscribing again asks for tips: no old pause
            subscribers.update(db, chat_id, now, **fixes)
        if newly:
            events.record(db, EventKind.JOINED, now)
        subscriber = subscribers.refresh(db, chat_id, now)
    return subscriber, newly


def unsubscribe(db: Database, chat_id: int, now: datetime) -> bool:
    """Deactivate a chat, keeping its settings; True if it was active."""
    row = subscribers.row(db, chat_id)
    if row is None or row["active"] != 1:
        return False
    subscribers.deactivate(db, chat_id, now)
    return True


def set_schedule(
    db: Database,
    chat_id: int,
    now: datetime,
    *,
    chat_type: str,
    default: Schedule,
    at: time | None = None,
    timezone: ZoneInfo | None = None,
) -> Subscriber:
    """Change delivery time and/or timezone. A tip still owed today stays owed under the new
    settings, at once if the new time has already passed (`scheduler.due.rescheduled`)."""

    def change(old: Schedule) -> Schedule:
        return replace(old, at=at or old.at, timezone=timezone or old.timezone)

    return _reschedule(db, chat_id, now, chat_type, default, change)


def set_weekend_time(
    db: Database, chat_id: int, at: time | None, now: datetime, *, chat_type: str, default: Schedule
) -> Subscriber:
    """The local time on Saturdays and Sundays (None: the weekday time), rescheduled as /time
    is: a tip still owed today stays owed; one sent today is not sent again."""

    def change(old: Schedule) -> Schedule:
        return replace(old, weekend_at=at)

    return _reschedule(db, chat_id, now, chat_type, default, change)


def _reschedule(
    db: Database,
    chat_id: int,
    now: datetime,
    chat_type: str,
    default: Schedule,
    change: Callable[[Schedule], Schedule],
) -> Subscriber:
    """Store the schedule `change` makes of the chat's, `since` moved by `rescheduled`."""
    with transaction(db):
        row = _stored(db, chat_id, chat_type, default, now)
        before = parse_subscriber(row, default)
        after = change(before.schedule)
        since = rescheduled(before.schedule, after, before.last_delivery, now).since
        assert since is not None, "rescheduled always sets it"
        changes: dict[str, object] = {
            **repairs(row, default, now),
            "delivery_time": hhmm(after.at),
            "timezone": after.timezone.key,
            "weekend_time": hhmm(after.weekend_at) if after.weekend_at else None,
            "schedule_since": epoch(since),
        }
        subscribers.update(db, chat_id, now, **changes)
        return subscribers.refresh(db, chat_id, now)


def _stored(db: Database, chat_id: int, chat_type: str, default: Schedule, now: datetime) -> Row:
    """The chat's row, stored inactive (with its queue place derived) if it was not known."""
    if subscribers.row(db, chat_id) is None:
        subscribers.insert(db, chat_id, chat_type, default, now, active=False)
        subscribers.refresh(db, chat_id, now)
    row = subscribers.row(db, chat_id)
    assert row is not None, "just created"
    return row


def pause(db: Database, chat_id: int, days: int, now: datetime) -> Subscriber | None:
    """No daily tips for `days` days after today (`scheduler.due.pause_end`); None, and
    nothing changed, if the chat is not active."""
    with transaction(db):
        current = subscribers.read(db, chat_id)
        if current is None or not current.active:
            return None
        until = pause_end(current.schedule, days, now)
        subscribers.update(db, chat_id, now, paused_until=epoch(until))
        return subscribers.refresh(db, chat_id, now)


def resume(db: Database, chat_id: int, now: datetime) -> tuple[Subscriber | None, bool]:
    """End a pause now; True if one was running. Only tips still ahead today are owed,
    as after /start. None if the chat is not active."""
    with transaction(db):
        current = subscribers.read(db, chat_id)
        if current is None or not current.active:
            return None, False
        was_paused = is_paused(current.schedule, now)
        if was_paused:
            subscribers.update(db, chat_id, now, paused_until=None, schedule_since=epoch(now))
        return subscribers.refresh(db, chat_id, now), was_paused


def set_topics(
    db: Database,
    chat_id: int,
    topics: frozenset[str] | None,
    now: datetime,
    *,
    chat_type: str,
    default: Schedule,
) -> Subscriber:
    """Choose the topics daily tips come from (None: all); an unknown chat is stored
    inactive, as by /time."""
    with transaction(db):
        if subscribers.row(db, chat_id) is None:
            subscribers.insert(db, chat_id, chat_type, default, now, active=False)
        subscribers.update(db, chat_id, now, topics=topics_column(topics))
        return subscribers.refresh(db, chat_id, now)


def set_quiet(
    db: Database, chat_id: int, quiet: bool, now: datetime, *, chat_type: str, default: Schedule
) -> Subscriber:
    """Daily tips without a sound (or with one again); an unknown chat is stored inactive."""
    with transaction(db):
        if subscribers.row(db, chat_id) is None:
            subscribers.insert(db, chat_id, chat_type, default, now, active=False)
        subscribers.update(db, chat_id, now, quiet=int(quiet))
        return subscribers.refresh(db, chat_id, now)
