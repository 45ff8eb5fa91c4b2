"""The `Store` facade: every read and write the bot makes, by method, over one SQLite file.

Each table's SQL lives in a module named for what it stores (`subscribers` and the commands'
`subscriptions`, `deliveries`, `rotation`; the smaller ones behind `storage.facets`). The
store opens the file and composes the writes that span tables, each in one transaction: a
claim moves the chat's place in the queue; a finished delivery enters the rotation history,
deactivates the chat or puts its day back in the queue; a group's move merges everything.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from scheduler.due import Schedule
from scheduler.lifecycle import TAKEN, DeliveryStatus
from scheduler.records import Claim, PendingDelivery, Subscriber
from storage import privacy, space
from storage.columns import day_number, epoch, moment
from storage.facets import HabitRecords, OperatorRecords, RhythmRecords
from storage.files import FileWatch, check_integrity, prepare_file
from storage.merge import merge_history, merge_subscriber
from storage.rows import FALLBACK
from storage.schema import upgrade
from storage.tables import deliveries, events, rotation, subscribers, subscriptions
from storage.tables.deliveries import MANUAL
from storage.tables.events import EventKind
from storage.tables.tip_numbers import TipNumbers
from storage.tip_sets import register

__all__ = ["BUSY_TIMEOUT_MS", "MANUAL", "OPEN_TIMEOUT", "Store"]

# Waiting for another process's write lock holds the event loop, so only briefly: the sweep
# retries a busy database itself. Opening waits longer: another process may be upgrading the
# file, or compacting it once for incremental auto-vacuum (`storage.space`: ~15 s per GB).
BUSY_TIMEOUT_MS = 50
# A claim batch reads and writes pages scattered over the subscribers, deliveries and rotation
# (50 chats, ~5 b-trees each): with SQLite's default 2 MiB cache most came from the OS again
# (74 CPU-µs a claim at 20,000 subscribers; 57 with 16 MiB, and no better with 32).
CACHE_KIB = 16 * 1024
OPEN_TIMEOUT = 300.0


class Store(HabitRecords, RhythmRecords, OperatorRecords):
    """All reads and writes the bot makes. Use from one thread (the event loop's).

    `transaction()` (from `storage.transaction.Connected`) is the write transaction every
    method that writes more than one row uses; calls inside one join it.
    """

    def __init__(self, db: Database, *, path: Path | None = None) -> None:
        self.db = db
        register(db)  # the SQL functions the rotation's one-statement writes use
        upgrade(db)
        self.tips = TipNumbers(db)
        self._watch = FileWatch(path) if path else None

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating a private folder and file as needed) a database file in WAL mode.

        Refuses a damaged database or one from a newer version (`StoreError`), and brings an
        older one up to date before anything else reads it; then turns on incremental
        auto-vacuum (`storage.space`), which a new file has from its first page.
        """
        path = Path(path)
        prepare_file(path)
        db = Database(sqlite3.connect(path, timeout=OPEN_TIMEOUT))
        try:
            check_integrity(db)
            space.prepare_new(db)
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            store = cls(db, path=path)
            space.turn_on_incremental(db, path)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            return store
        except BaseException:
            db.close()
            raise

    def number_tips(self, tip_ids: Iterable[str]) -> bool:
        """Give each of these tips (a library edition's) its stable number now, if it has none
        (`storage.tables.tip_numbers`), so claims find them cached; False if the database
        refused (a full disk: each is then numbered as it is first stored). Call outside a
        transaction."""
        try:
            self.tips.number_all(tip_ids)
        except sqlite3.Error:
            return False
        return True

    def close(self) -> None:
        self.db.close()

    def check_file(self) -> None:
        """Raise `DatabaseReplaced` if the path no longer names the file opened at start.

        Cheap (one `stat`): the sweep calls it, so a deleted or swapped database stops
        deliveries instead of sending into a file nobody will read again.
        """
        if self._watch is not None:
            self._watch.check()

    # Subscribers (`storage.tables.subscribers`, `storage.tables.subscriptions`) ------------------

    def subscriber(self, chat_id: int, default: Schedule | None = None) -> Subscriber | None:
        return subscribers.read(self.db, chat_id, default)

    def is_active(self, chat_id: int) -> bool:
        """Whether the chat is subscribed now: the one cheap question asked before each send."""
        return subscribers.is_active(self.db, chat_id)

    def stored_since(self, chat_id: int) -> datetime | None:
        return subscribers.stored_since(self.db, chat_id)

    def subscribe(
        self, chat_id: int, chat_type: str, default: Schedule, now: datetime
    ) -> tuple[Subscriber, bool]:
        return subscriptions.subscribe(self.db, chat_id, chat_type, default, now)

    def unsubscribe(self, chat_id: int, now: datetime) -> bool:
        return subscriptions.unsubscribe(self.db, chat_id, now)

    def deactivate(self, chat_id: int, now: datetime) -> None:
        subscribers.deactivate(self.db, chat_id, now)

    def set_schedule(
        self,
        chat_id: int,
        now: datetime,
        *,
        chat_type: str,
        default: Schedule,
        at: time | None = None,
        timezone: ZoneInfo | None = None,
    ) -> Subscriber:
        return subscriptions.set_schedule(
            self.db, chat_id, now, chat_type=chat_type, default=default, at=at, timezone=timezone
        )

    def pause(self, chat_id: int, days: int, now: datetime) -> Subscriber | None:
        return subscriptions.pause(self.db, chat_id, days, now)

    def resume(self, chat_id: int, now: datetime) -> tuple[Subscriber | None, bool]:
        return subscriptions.resume(self.db, chat_id, now)

    def set_topics(
        self,
        chat_id: int,
        topics: frozenset[str] | None,
        now: datetime,
        *,
        chat_type: str,
        default: Schedule,
    ) -> Subscriber:
        return subscriptions.set_topics(
            self.db, chat_id, topics, now, chat_type=chat_type, default=default
        )

    def due_subscribers(self, now: datetime, limit: int) -> list[Subscriber]:
        return subscribers.due(self.db, now, limit)

    def earliest_due(self) -> datetime | None:
        return subscribers.earliest_due(self.db)

    def refresh(self, chat_id: int, now: datetime) -> Subscriber:
        return subscribers.refresh(self.db, chat_id, now)

    def migrate(self, old_chat_id: int, new_chat_id: int, now: datetime | None = None) -> None:
        """Move a group's subscription and history to its new supergroup id (`storage.merge`):
        the newer settings win, and a day's taken tip wins over a free one."""
        with self.transaction():
            winner = merge_subscriber(self.db, old_chat_id, new_chat_id)
            merge_history(self.db, old_chat_id, new_chat_id, deliveries.TAKEN_SQL)
            if winner is not None:
                self.refresh(new_chat_id, now or moment(winner["updated_at"]))

    # Privacy (`storage.privacy`) -----------------------------------------------------------------

    def erase_chat(self, chat_id: int, now: datetime) -> dict[str, int]:
        """Delete every row about the chat; the rows deleted per table."""
        with self.transaction():
            subscribers.leave(self.db, chat_id, now)
            return privacy.erase(self.db, chat_id)

    def export_chat(self, chat_id: int, now: datetime) -> dict[str, Any]:
        return privacy.export(self.db, self.tips, chat_id, now)

    # Daily deliveries (`storage.tables.deliveries`) ----------------------------------------------

    def claim_delivery(
        self, chat_id: int, day: date, tip_id: str, now: datetime, claim: str = MANUAL
    ) -> bool:
        """Record that local `day`'s tip is about to be sent; False if that day is taken."""
        with self.transaction():
            subscriber = self.subscriber(chat_id)
            if subscriber is None:
                subscriber = Subscriber(chat_id, "private", False, FALLBACK, None)
            return bool(self.claim_all([(subscriber, Claim(chat_id, day, tip_id, claim))], now))

    def claim_all(self, claims: Sequence[tuple[Subscriber, Claim]], now: datetime) -> set[int]:
        """Record each claim (its local day's tip is about to be sent) and move its chat's
        queue place to the next day, a statement for all of them; the chats whose claims
        were recorded (a day already taken is refused). Call inside a transaction, with the
        subscribers read in it; one claim per chat."""
        at = epoch(now)
        rows = [
            (
                subscriber.chat_id,
                day_number(claim.day),
                self.tips.number(claim.tip_id),
                at,
                claim.claim,
                *deliveries.day_span(subscriber.schedule, claim.day),
            )
            for subscriber, claim in claims
        ]
        claimed = deliveries.claim_all(self.db, rows)
        subscribers.claimed(
            self.db, [(s, claim.day) for s, claim in claims if s.chat_id in claimed], now
        )
        return claimed

    def may_send(self, chat_id: int, day: date, claim: str, now: datetime) -> bool:
        """Asked just before each daily tip goes out (`deliveries.may_send`)."""
        return deliveries.may_send(self.db, chat_id, day, claim, now)

    def finish_delivery(
        self,
        chat_id: int,
        day: date,
        status: DeliveryStatus,
        now: datetime,
        retry_at: datetime | None,
        *,
        claim: str = MANUAL,
    ) -> None:
        """Close `claim` with a final status (`scheduler.lifecycle`). A tip sent (or maybe
        sent) enters the chat's rotation history now; blocked deactivates the chat; failed
        comes back at `retry_at`. Raises `ClaimLost` if the row is no longer this claim's or
        already closed, `IllegalTransition` if `status` is not final."""
        with self.transaction():
            deliveries.finish(self.db, chat_id, day, status, now, claim)
            if status in TAKEN:
                rotation.mark_delivered(self.db, chat_id, day)
            elif status is DeliveryStatus.BLOCKED:
                subscribers.deactivate(self.db, chat_id, now)
            elif subscribers.row(self.db, chat_id) is not None:
                self.refresh(chat_id, now)  # the day is free again: it re-enters the queue
            if status is DeliveryStatus.FAILED:
                events.record(self.db, EventKind.FAILED, now)
                if retry_at is not None:
                    subscribers.set_columns(self.db, chat_id, next_due_at=epoch(retry_at))

    def delivery_status(self, chat_id: int, day: date) -> DeliveryStatus | None:
        return deliveries.status_of(self.db, chat_id, day)

    def pending_deliveries(self) -> list[PendingDelivery]:
        return deliveries.pending(self.db, self.tips)

    def resume_delivery(self, pending: PendingDelivery, claim: str, now: datetime) -> bool:
        return deliveries.resume(self.db, pending, claim, now)

    def migrate_claim(
        self, old_chat_id: int, new_chat_id: int, day: date, claim: str, now: datetime
    ) -> bool:
        """Move a group to its supergroup (`migrate`), then say whether `claim` still stands
        for the supergroup's `day`: False when the supergroup's day was already taken."""
        with self.transaction():
            self.migrate(old_chat_id, new_chat_id, now)
            return deliveries.holds(self.db, new_chat_id, day, claim)

    # Rotation history (`storage.tables.rotation`) ------------------------------------------------

    def seen_tips(self, chat_id: int) -> set[str]:
        return rotation.seen(self.db, self.tips, chat_id)

    def seen_histories(self, chat_ids: Sequence[int]) -> dict[int, tuple[int, int | None]]:
        return rotation.histories(self.db, chat_ids)

    def tip_numbers(self, tip_ids: Set[str]) -> Mapping[str, int]:
        return self.tips.numbers(tip_ids)

    def last_seen_tip(self, chat_id: int) -> str | None:
        return rotation.last_seen(self.db, self.tips, chat_id)

    def mark_seen(self, chat_id: int, tip_id: str, now: datetime) -> None:
        with self.transaction():  # a new tip's number commits with it; `now`: stored nowhere
            rotation.mark_seen(self.db, self.tips, chat_id, tip_id)

    def forget_seen(self, chat_id: int, tip_ids: Iterable[str]) -> None:
        rotation.forget(self.db, self.tips, chat_id, tip_ids)
