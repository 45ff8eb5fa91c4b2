"""SQLite access for subscribers, daily deliveries and rotation history.

The store keeps one invariant for the scheduler: `next_due_at` is always the instant given by
`scheduler.due.next_due` for the row's schedule and last delivery (NULL while inactive), so
"who is due now" is a single indexed range query even with a million subscribers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from scheduler.due import Schedule, next_due
from scheduler.records import TAKEN, DeliveryStatus, PendingDelivery, Subscriber
from storage.schema import create_schema

_SUBSCRIBER_COLUMNS = (
    "chat_id, chat_type, active, delivery_time, timezone, schedule_since, last_delivery"
)
# A day whose claim ended in one of these may be claimed again (a retry, or after /start).
_RECLAIMABLE = ", ".join(f"'{status}'" for status in DeliveryStatus if status not in TAKEN)
_TAKEN = ", ".join(f"'{status}'" for status in sorted(TAKEN))

Row = Mapping[str, Any]


class Store:
    """All reads and writes the bot makes. Use from one thread (the event loop's)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        create_schema(db)

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating folders and tables as needed) a database file in WAL mode."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = Database(sqlite3.connect(path, timeout=10))
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        return cls(db)

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.db.atomic():
            yield

    # Subscribers ---------------------------------------------------------------------------

    def subscriber(self, chat_id: int) -> Subscriber | None:
        row = self._one(
            f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers WHERE chat_id = ?", [chat_id]
        )
        return _subscriber(row) if row else None

    def subscribe(
        self, chat_id: int, chat_type: str, default: Schedule, now: datetime
    ) -> tuple[Subscriber, bool]:
        """Activate a chat, keeping its earlier settings; True if it was not active before."""
        with self.transaction():
            existing = self.subscriber(chat_id)
            if existing is None:
                self.db.execute(
                    "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
                    " schedule_since, subscribed_at, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?)",
                    [chat_id, chat_type, _hhmm(default.at), default.timezone.key, _epoch(now)]
                    + [_iso(now)] * 2,
                )
            elif not existing.active:
                self._update(
                    chat_id, now, active=1, chat_type=chat_type, schedule_since=_epoch(now)
                )
            subscriber = self.refresh(chat_id, now)
        return subscriber, existing is None or not existing.active

    def unsubscribe(self, chat_id: int, now: datetime) -> bool:
        """Deactivate a chat, keeping its settings; True if it was active."""
        existing = self.subscriber(chat_id)
        if existing is None or not existing.active:
            return False
        self.deactivate(chat_id, now)
        return True

    def deactivate(self, chat_id: int, now: datetime) -> None:
        """Stop deliveries (after /stop, or when Telegram says the chat is gone)."""
        self._update(chat_id, now, active=0, next_due_at=None)

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
        """Change delivery time and/or timezone; a chat not yet known is stored inactive."""
        with self.transaction():
            if self.subscriber(chat_id) is None:
                self.subscribe(chat_id, chat_type, default, now)
                self.deactivate(chat_id, now)
            changes: dict[str, object] = {"schedule_since": _epoch(now)}
            if at is not None:
                changes["delivery_time"] = _hhmm(at)
            if timezone is not None:
                changes["timezone"] = timezone.key
            self._update(chat_id, now, **changes)
            return self.refresh(chat_id, now)

    def migrate(self, old_chat_id: int, new_chat_id: int) -> None:
        """Move a group's subscription and history to its new supergroup id."""
        with self.transaction():
            for table in ("subscribers", "deliveries", "seen_tips"):
                self.db.execute(
                    f"UPDATE OR REPLACE {table} SET chat_id = ? WHERE chat_id = ?",
                    [new_chat_id, old_chat_id],
                )

    def due_subscribers(self, now: datetime, limit: int) -> list[Subscriber]:
        """Active subscribers whose next delivery instant has come, earliest first."""
        rows = self.db.query(
            f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers"
            " WHERE next_due_at IS NOT NULL AND next_due_at <= ? AND active = 1"
            " ORDER BY next_due_at LIMIT ?",
            [_epoch(now), limit],
        )
        return [_subscriber(row) for row in rows]

    def earliest_due(self) -> datetime | None:
        """When the next daily tip falls due (None: nobody is subscribed)."""
        row = self._one(
            "SELECT min(next_due_at) AS due FROM subscribers WHERE next_due_at IS NOT NULL", []
        )
        return datetime.fromtimestamp(row["due"], UTC) if row and row["due"] is not None else None

    # Daily deliveries ----------------------------------------------------------------------

    def claim_delivery(self, chat_id: int, day: date, tip_id: str, now: datetime) -> bool:
        """Record that today's tip is about to be sent; False if this day is already taken."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO deliveries (chat_id, local_date, tip_id, status, updated_at)"
                " VALUES (:chat_id, :day, :tip_id, :pending, :now)"
                " ON CONFLICT (chat_id, local_date) DO UPDATE SET"
                " tip_id = excluded.tip_id, status = :pending, updated_at = excluded.updated_at"
                f" WHERE deliveries.status IN ({_RECLAIMABLE})",
                {
                    "chat_id": chat_id,
                    "day": day.isoformat(),
                    "tip_id": tip_id,
                    "pending": DeliveryStatus.PENDING,
                    "now": _iso(now),
                },
            )
            if cursor.rowcount == 0:
                return False
            self.refresh(chat_id, now)
            return True

    def finish_delivery(
        self,
        chat_id: int,
        day: date,
        status: DeliveryStatus,
        now: datetime,
        retry_at: datetime | None,
    ) -> None:
        """Close a claim; blocked deactivates the chat, failed comes back at `retry_at`."""
        with self.transaction():
            self.db.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE chat_id = ? AND local_date = ?",
                [status, _iso(now), chat_id, day.isoformat()],
            )
            if status is DeliveryStatus.BLOCKED:
                self.deactivate(chat_id, now)
            elif status not in TAKEN:  # the day is free again: it re-enters the queue
                self.refresh(chat_id, now)
            if status is DeliveryStatus.FAILED and retry_at is not None:
                self._update(chat_id, now, next_due_at=_epoch(retry_at))

    def pending_deliveries(self, older_than: datetime | None = None) -> list[PendingDelivery]:
        """Claims not closed yet (all, or those claimed before `older_than`)."""
        before = _iso(older_than) if older_than else "9999"
        rows = self.db.query(
            "SELECT chat_id, local_date, tip_id FROM deliveries"
            " WHERE status = ? AND updated_at <= ?",
            [DeliveryStatus.PENDING, before],
        )
        return [
            PendingDelivery(row["chat_id"], date.fromisoformat(row["local_date"]), row["tip_id"])
            for row in rows
        ]

    # Rotation history ----------------------------------------------------------------------

    def seen_tips(self, chat_id: int) -> set[str]:
        rows = self.db.query("SELECT tip_id FROM seen_tips WHERE chat_id = ?", [chat_id])
        return {row["tip_id"] for row in rows}

    def last_seen_tip(self, chat_id: int) -> str | None:
        row = self._one(
            "SELECT tip_id FROM seen_tips WHERE chat_id = ? ORDER BY rowid DESC LIMIT 1",
            [chat_id],
        )
        return row["tip_id"] if row else None

    def mark_seen(self, chat_id: int, tip_id: str, now: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO seen_tips (chat_id, tip_id, seen_at) VALUES (?, ?, ?)",
            [chat_id, tip_id, _iso(now)],
        )

    def forget_seen(self, chat_id: int, tip_ids: Iterable[str]) -> None:
        """Start a new rotation cycle for these tips."""
        with self.transaction():
            for tip_id in tip_ids:
                self.db.execute(
                    "DELETE FROM seen_tips WHERE chat_id = ? AND tip_id = ?", [chat_id, tip_id]
                )

    # Internals -----------------------------------------------------------------------------

    def _update(self, chat_id: int, now: datetime, **changes: object) -> None:
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(
            f"UPDATE subscribers SET {assignments}, updated_at = ? WHERE chat_id = ?",
            [*changes.values(), _iso(now), chat_id],
        )

    def refresh(self, chat_id: int, now: datetime) -> Subscriber:
        """Re-derive `last_delivery` and `next_due_at` from the deliveries table."""
        row = self._one(
            "SELECT max(local_date) AS last FROM deliveries"
            f" WHERE chat_id = ? AND status IN ({_TAKEN})",
            [chat_id],
        )
        last = date.fromisoformat(row["last"]) if row and row["last"] else None
        stored = self.subscriber(chat_id)
        assert stored is not None, f"no subscriber row for chat {chat_id}"
        due = next_due(stored.schedule, last, now) if stored.active else None
        self._update(
            chat_id,
            now,
            last_delivery=last.isoformat() if last else None,
            next_due_at=_epoch(due) if due else None,
        )
        return replace(stored, last_delivery=last)

    def prune_deliveries(self, before: date, limit: int) -> int:
        """Delete up to `limit` closed delivery records for local dates before `before`.

        Exactly-once needs only the last day or two; a couple of weeks are kept for operators.
        """
        with self.transaction():
            cursor = self.db.execute(
                "DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries"
                " WHERE local_date < ? AND status != ? LIMIT ?)",
                [before.isoformat(), DeliveryStatus.PENDING, limit],
            )
        return cursor.rowcount

    def _one(self, sql: str, params: Sequence[Any]) -> Row | None:
        """The first row of a query, by column name, or None."""
        return next(iter(self.db.query(sql, params)), None)


def _subscriber(row: Row) -> Subscriber:
    schedule = Schedule(
        at=time.fromisoformat(row["delivery_time"]),
        timezone=ZoneInfo(row["timezone"]),
        since=datetime.fromtimestamp(row["schedule_since"], UTC),
    )
    last = row["last_delivery"]
    return Subscriber(
        chat_id=row["chat_id"],
        chat_type=row["chat_type"],
        active=bool(row["active"]),
        schedule=schedule,
        last_delivery=date.fromisoformat(last) if last else None,
    )


def _hhmm(at: time) -> str:
    return at.strftime("%H:%M")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())
