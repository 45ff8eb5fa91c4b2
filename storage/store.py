"""SQLite access for subscribers, daily deliveries and rotation history.

The store keeps one invariant for the scheduler: `next_due_at` is always the instant given by
`scheduler.due.next_due` for the row's schedule and last delivery (NULL while inactive), so
"who is due now" is a single indexed range query even with a million subscribers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from scheduler.due import Schedule, next_due
from storage.schema import create_schema

_SUBSCRIBER_COLUMNS = (
    "chat_id, chat_type, active, delivery_time, timezone, schedule_since, last_delivery"
)


@dataclass(frozen=True)
class Subscriber:
    """A chat's subscription state and delivery preferences."""

    chat_id: int
    chat_type: str
    active: bool
    schedule: Schedule
    last_delivery: date | None


@dataclass(frozen=True)
class PendingDelivery:
    """A daily tip that was claimed but whose sending has not finished."""

    chat_id: int
    local_date: date
    tip_id: str


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
        row = self.db.execute(
            f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers WHERE chat_id = ?", [chat_id]
        ).fetchone()
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
            subscriber = self._refresh(chat_id, now)
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
            return self._refresh(chat_id, now)

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
        rows = self.db.execute(
            f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers"
            " WHERE next_due_at IS NOT NULL AND next_due_at <= ? AND active = 1"
            " ORDER BY next_due_at LIMIT ?",
            [_epoch(now), limit],
        ).fetchall()
        return [_subscriber(row) for row in rows]

    def counts(self) -> dict[str, int]:
        """Subscriber numbers for operators."""
        row = self.db.execute(
            "SELECT count(*), coalesce(sum(active), 0) FROM subscribers"
        ).fetchone()
        return {"subscribers": row[0], "active": row[1]}

    # Daily deliveries ----------------------------------------------------------------------

    def claim_delivery(self, chat_id: int, day: date, tip_id: str, now: datetime) -> bool:
        """Record that today's tip is about to be sent; False if this day is already taken."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO deliveries (chat_id, local_date, tip_id, status, updated_at)"
                " VALUES (?, ?, ?, 'pending', ?)"
                " ON CONFLICT (chat_id, local_date) DO UPDATE SET"
                " tip_id = excluded.tip_id, status = 'pending', updated_at = excluded.updated_at"
                " WHERE deliveries.status IN ('failed', 'blocked')",
                [chat_id, day.isoformat(), tip_id, _iso(now)],
            )
            if cursor.rowcount == 0:
                return False
            self._refresh(chat_id, now)
            return True

    def finish_delivery(
        self, chat_id: int, day: date, status: str, now: datetime, retry_at: datetime | None
    ) -> None:
        """Close a claim as sent, failed (retry at `retry_at`) or blocked."""
        with self.transaction():
            self.db.execute(
                "UPDATE deliveries SET status = ?, attempts = attempts + 1, updated_at = ?"
                " WHERE chat_id = ? AND local_date = ?",
                [status, _iso(now), chat_id, day.isoformat()],
            )
            if status == "blocked":
                self.deactivate(chat_id, now)
            elif status == "failed":
                self._refresh(chat_id, now)
                if retry_at is not None:
                    self._update(chat_id, now, next_due_at=_epoch(retry_at))

    def release_delivery(self, chat_id: int, day: date, now: datetime) -> None:
        """Undo a claim whose message was never sent (shutdown came first)."""
        with self.transaction():
            self.db.execute(
                "DELETE FROM deliveries"
                " WHERE chat_id = ? AND local_date = ? AND status = 'pending'",
                [chat_id, day.isoformat()],
            )
            self._refresh(chat_id, now)

    def pending_deliveries(self) -> list[PendingDelivery]:
        """Claims left open by a crash: their messages may not have gone out."""
        rows = self.db.execute(
            "SELECT chat_id, local_date, tip_id FROM deliveries WHERE status = 'pending'"
        ).fetchall()
        return [PendingDelivery(row[0], date.fromisoformat(row[1]), row[2]) for row in rows]

    def delivery_status(self, chat_id: int, day: date) -> str | None:
        row = self.db.execute(
            "SELECT status FROM deliveries WHERE chat_id = ? AND local_date = ?",
            [chat_id, day.isoformat()],
        ).fetchone()
        return row[0] if row else None

    def reschedule(self, chat_id: int, now: datetime) -> None:
        """Recompute `next_due_at` (used when a sweep finds a row that is not due yet)."""
        self._refresh(chat_id, now)

    # Rotation history ----------------------------------------------------------------------

    def seen_tips(self, chat_id: int) -> set[str]:
        rows = self.db.execute("SELECT tip_id FROM seen_tips WHERE chat_id = ?", [chat_id])
        return {row[0] for row in rows}

    def last_seen_tip(self, chat_id: int) -> str | None:
        row = self.db.execute(
            "SELECT tip_id FROM seen_tips WHERE chat_id = ? ORDER BY rowid DESC LIMIT 1",
            [chat_id],
        ).fetchone()
        return row[0] if row else None

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

    def _refresh(self, chat_id: int, now: datetime) -> Subscriber:
        """Re-derive `last_delivery` and `next_due_at` from the deliveries table."""
        row = self.db.execute(
            "SELECT max(local_date) FROM deliveries"
            " WHERE chat_id = ? AND status IN ('pending', 'sent')",
            [chat_id],
        ).fetchone()
        last = date.fromisoformat(row[0]) if row and row[0] else None
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


def _subscriber(row: tuple) -> Subscriber:
    chat_id, chat_type, active, delivery_time, timezone, since, last = row
    schedule = Schedule(
        at=time.fromisoformat(delivery_time),
        timezone=ZoneInfo(timezone),
        since=datetime.fromtimestamp(since, UTC),
    )
    return Subscriber(
        chat_id=chat_id,
        chat_type=chat_type,
        active=bool(active),
        schedule=schedule,
        last_delivery=date.fromisoformat(last) if last else None,
    )


def _hhmm(at: time) -> str:
    return at.strftime("%H:%M")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())
