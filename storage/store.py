"""SQLite access for subscribers, daily deliveries, rotation history and the delivery lease.

The store keeps one invariant for the scheduler: `next_due_at` is always the instant given by
`scheduler.due.next_due` for the row's schedule and last delivery (NULL while inactive, or
while the row cannot be read), so "who is due now" is a single indexed range query even with a
million subscribers. Deliveries are remembered by the UTC instant they were claimed at; which
local day one counts for is worked out in the subscriber's *current* timezone.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from scheduler.due import (
    Schedule,
    day_start,
    delivered_day,
    is_paused,
    next_due,
    pause_end,
    rescheduled,
)
from scheduler.lease import LeaseRow
from scheduler.lifecycle import (
    TAKEN,
    ClaimLost,
    DeliveryStatus,
    IllegalTransition,
    check,
    claimable_from,
    sql_list,
)
from scheduler.records import PendingDelivery, Subscriber
from storage import channels, events, feedback, heartbeat, lease, plants, privacy, stats
from storage.events import EventKind
from storage.files import FileWatch, check_integrity, prepare_file
from storage.merge import merge_history, merge_subscriber
from storage.rows import (
    FALLBACK,
    GARBAGE,
    Row,
    parse_subscriber,
    read_subscriber,
    repairs,
    topics_column,
)
from storage.schema import upgrade

logger = logging.getLogger(__name__)

_SUBSCRIBER_COLUMNS = (
    "chat_id, chat_type, active, delivery_time, timezone, schedule_since, last_delivered_at,"
    " problem, topics, paused_until"
)
# A day whose claim ended in one of these may be claimed again (a retry, or after /start).
_RECLAIMABLE = sql_list(claimable_from())
_TAKEN = sql_list(TAKEN)
_DAY = timedelta(days=1)
# Waiting for another process's write lock holds the event loop, so only briefly: the sweep
# retries a busy database itself. Opening waits longer (another process may be upgrading).
BUSY_TIMEOUT_MS = 50
MANUAL = ""  # a claim made by hand (tests, tools): any process may resume it at once
OPEN_TIMEOUT = 10.0

# One statement, so it is atomic against another process. A claim is refused when a tip
# taken (pending or sent) already falls in this local day of the *current* timezone. A row
# with the same date key from another local day (kept from before a timezone change) is
# history, not this day's tip: the claim takes its place.
_CLAIM = f"""
INSERT INTO deliveries (chat_id, local_date, tip_id, status, delivered_at, updated_at, claim)
SELECT :chat_id, :day, :tip_id, :pending, :now, :now_iso, :claim
WHERE NOT EXISTS (
    SELECT 1 FROM deliveries WHERE chat_id = :chat_id AND status IN ({_TAKEN})
    AND delivered_at >= :day_start AND delivered_at < :day_end
)
ON CONFLICT (chat_id, local_date) DO UPDATE SET
    tip_id = excluded.tip_id, status = excluded.status,
    delivered_at = excluded.delivered_at, updated_at = excluded.updated_at,
    claim = excluded.claim, attempts = 0
WHERE deliveries.status IN ({_RECLAIMABLE})
    OR deliveries.delivered_at < :day_start OR deliveries.delivered_at >= :day_end
"""


class Store:
    """All reads and writes the bot makes. Use from one thread (the event loop's)."""

    def __init__(self, db: Database, *, path: Path | None = None) -> None:
        self.db = db
        upgrade(db)
        self._watch = FileWatch(path) if path else None

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating a private folder and file as needed) a database file in WAL mode.

        Refuses a damaged database or one from a newer version (`StoreError`), and brings an
        older one up to date before anything else reads it.
        """
        path = Path(path)
        prepare_file(path)
        db = Database(sqlite3.connect(path, timeout=OPEN_TIMEOUT))
        try:
            check_integrity(db)
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
            store = cls(db, path=path)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            return store
        except BaseException:
            db.close()
            raise

    def close(self) -> None:
        self.db.close()

    def check_file(self) -> None:
        """Raise `DatabaseReplaced` if the path no longer names the file opened at start.

        Cheap (one `stat`): the sweep calls it, so a deleted or swapped database stops
        deliveries instead of sending into a file nobody will read again.
        """
        if self._watch is not None:
            self._watch.check()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A write transaction that takes the write lock first (`BEGIN IMMEDIATE`): a plain
        `BEGIN` that reads, then writes, fails at once if another process committed in
        between. Nested: a savepoint."""
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise

    # Subscribers ---------------------------------------------------------------------------

    def subscriber(self, chat_id: int, default: Schedule | None = None) -> Subscriber | None:
        """The chat's subscription; an unreadable row comes back inactive with a `problem`,
        its unreadable settings replaced by `default` (or a fixed fallback)."""
        row = self._row(chat_id)
        return read_subscriber(row, default or FALLBACK) if row else None

    def may_send(self, chat_id: int, day: date, claim: str, now: datetime) -> bool:
        """The question asked just before each daily tip goes out: is the chat subscribed and
        not paused, and is its `day` still pending under `claim` (not resumed by another
        process, not merged away)? One indexed lookup."""
        row = self._one(
            "SELECT s.active, s.paused_until FROM subscribers s"
            " JOIN deliveries d ON d.chat_id = s.chat_id"
            " WHERE s.chat_id = ? AND d.local_date = ? AND d.status = ?"
            " AND COALESCE(d.claim, '') = ?",
            [chat_id, day.isoformat(), DeliveryStatus.PENDING, claim],
        )
        if row is None or not row["active"]:
            return False
        paused_until = row["paused_until"]
        return not (isinstance(paused_until, int) and _epoch(now) < paused_until)

    def is_active(self, chat_id: int) -> bool:
        """Whether the chat is subscribed now: the one cheap question asked before each send."""
        row = self._one("SELECT active FROM subscribers WHERE chat_id = ?", [chat_id])
        return bool(row and row["active"])

    def subscribe(
        self, chat_id: int, chat_type: str, default: Schedule, now: datetime
    ) -> tuple[Subscriber, bool]:
        """Activate a chat, keeping its earlier settings; True if it was not active before.

        Settings that cannot be read any more are replaced by `default`; a pause left from
        before an unsubscribe ends.
        """
        with self.transaction():
            row = self._row(chat_id)
            if row is None:
                self._insert(chat_id, chat_type, default, now, active=True)
            newly = row is None or not read_subscriber(row, default).active
            if row is not None and newly:
                fixes = repairs(row, default, now)
                fixes |= {"active": 1, "chat_type": chat_type, "schedule_since": _epoch(now)}
                fixes["paused_until"] = None  # subscribing again asks for tips: no old pause
                self._update(chat_id, now, **fixes)
            if newly:
                events.record(self.db, EventKind.JOINED, now)
            subscriber = self.refresh(chat_id, now)
        return subscriber, newly

    def _insert(
        self, chat_id: int, chat_type: str, default: Schedule, now: datetime, *, active: bool
    ) -> None:
        self.db.execute(
            "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
            " schedule_since, subscribed_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                chat_id,
                chat_type,
                int(active),
                _hhmm(default.at),
                default.timezone.key,
                _epoch(now),
                _iso(now),
                _iso(now),
            ],
        )

    def unsubscribe(self, chat_id: int, now: datetime) -> bool:
        """Deactivate a chat, keeping its settings; True if it was active."""
        row = self._row(chat_id)
        if row is None or row["active"] != 1:
            return False
        self.deactivate(chat_id, now)
        return True

    def deactivate(self, chat_id: int, now: datetime) -> None:
        """Stop deliveries (after /stop, or when Telegram says the chat is gone)."""
        with self.transaction():
            self._leave(chat_id, now)
            self._update(chat_id, now, active=0, next_due_at=None)

    def _leave(self, chat_id: int, now: datetime) -> None:
        """Count a subscribed chat leaving (not one already inactive)."""
        row = self._one("SELECT active FROM subscribers WHERE chat_id = ?", [chat_id])
        if row is not None and row["active"] == 1:
            events.record(self.db, EventKind.LEFT, now)

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
        """Change delivery time and/or timezone; a chat not yet known is stored inactive.

        A tip still owed today stays owed under the new settings, at once if the new time has
        already passed (`scheduler.due.rescheduled`). Unreadable settings get `default`.
        """
        with self.transaction():
            if self._row(chat_id) is None:  # stored, not subscribed: it neither joins nor leaves
                self._insert(chat_id, chat_type, default, now, active=False)
                self.refresh(chat_id, now)
            row = self._row(chat_id)
            assert row is not None, "just created"
            before = parse_subscriber(row, default)
            after = Schedule(at or before.schedule.at, timezone or before.schedule.timezone)
            since = rescheduled(before.schedule, after, before.last_delivery, now).since
            assert since is not None, "rescheduled always sets it"
            changes: dict[str, object] = {
                **repairs(row, default, now),
                "delivery_time": _hhmm(after.at),
                "timezone": after.timezone.key,
                "schedule_since": _epoch(since),
            }
            self._update(chat_id, now, **changes)
            return self.refresh(chat_id, now)

    def pause(self, chat_id: int, days: int, now: datetime) -> Subscriber | None:
        """No daily tips for `days` days after today (`scheduler.due.pause_end`); None, and
        nothing changed, if the chat is not active."""
        with self.transaction():
            current = self.subscriber(chat_id)
            if current is None or not current.active:
                return None
            until = pause_end(current.schedule, days, now)
            self._update(chat_id, now, paused_until=_epoch(until))
            return self.refresh(chat_id, now)

    def resume(self, chat_id: int, now: datetime) -> tuple[Subscriber | None, bool]:
        """End a pause now; True if one was running. Only tips still ahead today are owed,
        as after /start. None if the chat is not active."""
        with self.transaction():
            current = self.subscriber(chat_id)
            if current is None or not current.active:
                return None, False
            was_paused = is_paused(current.schedule, now)
            if was_paused:
                self._update(chat_id, now, paused_until=None, schedule_since=_epoch(now))
            return self.refresh(chat_id, now), was_paused

    def set_topics(
        self,
        chat_id: int,
        topics: frozenset[str] | None,
        now: datetime,
        *,
        chat_type: str,
        default: Schedule,
    ) -> Subscriber:
        """Choose the topics daily tips come from (None: all); an unknown chat is stored
        inactive, as by /time."""
        with self.transaction():
            if self._row(chat_id) is None:
                self._insert(chat_id, chat_type, default, now, active=False)
            self._update(chat_id, now, topics=topics_column(topics))
            return self.refresh(chat_id, now)

    def erase_chat(self, chat_id: int, now: datetime) -> dict[str, int]:
        """Delete every row about the chat, in every table with a `chat_id` column; the rows
        deleted per table (`storage.privacy`)."""
        with self.transaction():
            self._leave(chat_id, now)
            return privacy.erase(self.db, chat_id)

    def stored_since(self, chat_id: int) -> datetime | None:
        """When the chat's subscriber row was created (None: there is none)."""
        row = self._one("SELECT subscribed_at FROM subscribers WHERE chat_id = ?", [chat_id])
        return _moment(row["subscribed_at"]) if row else None

    def export_chat(self, chat_id: int, now: datetime) -> dict[str, Any]:
        """Everything stored about the chat, as JSON values (`storage.privacy`)."""
        return privacy.export(self.db, chat_id, now)

    def migrate(self, old_chat_id: int, new_chat_id: int, now: datetime | None = None) -> None:
        """Move a group's subscription and history to its new supergroup id.

        If the supergroup already has settings of its own that are newer (changed there before
        the move was noticed), they are kept. Deliveries and seen tips are merged, a day's
        taken tip winning over a free one, so no day gets a second tip.
        """
        with self.transaction():
            winner = merge_subscriber(self.db, old_chat_id, new_chat_id)
            merge_history(self.db, old_chat_id, new_chat_id, _TAKEN)
            if winner is not None:
                self.refresh(new_chat_id, now or _moment(winner["updated_at"]))

    def due_subscribers(self, now: datetime, limit: int) -> list[Subscriber]:
        """Active subscribers whose next delivery instant has come, earliest first.

        A row that cannot be read is logged once, taken out of the queue, and skipped.
        """
        while True:
            rows = list(
                self.db.query(
                    f"SELECT {_SUBSCRIBER_COLUMNS} FROM subscribers"
                    " WHERE next_due_at IS NOT NULL AND next_due_at <= ? AND active = 1"
                    " ORDER BY next_due_at LIMIT ?",
                    [_epoch(now), limit],
                )
            )
            subscribers = [parse_subscriber(row, FALLBACK) for row in rows]
            bad = [(row, s.problem) for row, s in zip(rows, subscribers, strict=True) if s.problem]
            for row, problem in bad:
                self._flag(row, problem)
            if not bad:  # else fill the batch again, without the rows just taken out
                return subscribers

    def earliest_due(self) -> datetime | None:
        """When the next daily tip falls due (None: nobody is subscribed)."""
        row = self._one(
            "SELECT min(next_due_at) AS due FROM subscribers WHERE next_due_at IS NOT NULL", []
        )
        return datetime.fromtimestamp(row["due"], UTC) if row and row["due"] is not None else None

    # Daily deliveries ----------------------------------------------------------------------

    def claim_delivery(
        self, chat_id: int, day: date, tip_id: str, now: datetime, claim: str = MANUAL
    ) -> bool:
        """Record that local `day`'s tip is about to be sent; False if that day is taken."""
        with self.transaction():
            subscriber = self.subscriber(chat_id)
            if subscriber is None:
                subscriber = Subscriber(chat_id, "private", False, FALLBACK, None)
            return self.claim_for(subscriber, day, tip_id, now, claim)

    def claim_for(
        self, subscriber: Subscriber, day: date, tip_id: str, now: datetime, claim: str
    ) -> bool:
        """Record, under `claim`, that local `day`'s tip is about to be sent; False if that
        day is taken. Call inside a transaction with `subscriber` read in it.

        "That day" is judged in the chat's current timezone, by the instants of earlier
        deliveries, so a tip sent in Tokyo counts for the day it fell on in Los Angeles.
        """
        schedule = subscriber.schedule
        cursor = self.db.execute(
            _CLAIM,
            {
                "chat_id": subscriber.chat_id,
                "day": day.isoformat(),
                "tip_id": tip_id,
                "pending": DeliveryStatus.PENDING,
                "now": _epoch(now),
                "now_iso": _iso(now),
                "claim": claim,
                "day_start": _epoch(day_start(schedule, day)),
                "day_end": _epoch(day_start(schedule, day + _DAY)),
            },
        )
        if cursor.rowcount == 0:
            return False
        # The claim is now the chat's latest taken tip: its next due instant follows at once.
        due = next_due(schedule, day, now)
        self._set(
            subscriber.chat_id,
            last_delivery=day.isoformat(),
            last_delivered_at=_epoch(now),
            next_due_at=_epoch(due) if subscriber.active else None,
        )
        return True

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
        comes back at `retry_at`. Raises `ClaimLost` if the row is no longer this claim's,
        `IllegalTransition` if it is not pending."""
        check(DeliveryStatus.PENDING, status)
        key = {"chat_id": chat_id, "day": day.isoformat()}
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE deliveries SET status = :status, attempts = attempts + 1,"
                " updated_at = :now WHERE chat_id = :chat_id AND local_date = :day"
                " AND status = :pending AND claim IS :claim",
                {**key, "status": status, "now": _iso(now), "claim": claim, "pending": "pending"},
            )
            if cursor.rowcount == 0:
                self._refuse_finish(chat_id, day, claim, status)
            if status in TAKEN:
                self.db.execute(
                    "INSERT OR REPLACE INTO seen_tips (chat_id, tip_id, seen_at) SELECT"
                    " chat_id, tip_id, :now FROM deliveries"
                    " WHERE chat_id = :chat_id AND local_date = :day",
                    {**key, "now": _iso(now)},
                )
            elif status is DeliveryStatus.BLOCKED:
                self.deactivate(chat_id, now)
            elif self._row(chat_id) is not None:
                self.refresh(chat_id, now)  # the day is free again: it re-enters the queue
            if status is DeliveryStatus.FAILED:
                events.record(self.db, EventKind.FAILED, now)
                if retry_at is not None:
                    self._set(chat_id, next_due_at=_epoch(retry_at))

    def _refuse_finish(self, chat_id: int, day: date, claim: str, status: DeliveryStatus) -> None:
        row = self._one(
            "SELECT status, claim FROM deliveries WHERE chat_id = ? AND local_date = ?",
            [chat_id, day.isoformat()],
        )
        if row is None or row["claim"] != claim:
            raise ClaimLost(f"chat {chat_id}'s tip for {day} is no longer claim {claim}'s")
        raise IllegalTransition(DeliveryStatus(row["status"]), status)

    def delivery_status(self, chat_id: int, day: date) -> DeliveryStatus | None:
        """Where the chat's tip for local `day` stands (None: never claimed)."""
        row = self._one(
            "SELECT status FROM deliveries WHERE chat_id = ? AND local_date = ?",
            [chat_id, day.isoformat()],
        )
        return DeliveryStatus(row["status"]) if row else None

    def pending_deliveries(self) -> list[PendingDelivery]:
        """Claims not closed yet, oldest first."""
        rows = self.db.query(
            "SELECT chat_id, local_date, tip_id, claim, updated_at FROM deliveries"
            " WHERE status = ? ORDER BY updated_at",
            [DeliveryStatus.PENDING],
        )
        return [
            PendingDelivery(
                row["chat_id"],
                date.fromisoformat(row["local_date"]),
                row["tip_id"],
                row["claim"] or "",
                _moment(row["updated_at"]),
            )
            for row in rows
        ]

    def resume_delivery(self, pending: PendingDelivery, claim: str, now: datetime) -> bool:
        """Take over a pending claim as `claim`; False if it changed meanwhile (finished, or
        resumed by someone else)."""
        cursor = self.db.execute(
            "UPDATE deliveries SET claim = ?, updated_at = ? WHERE chat_id = ?"
            " AND local_date = ? AND status = ? AND COALESCE(claim, '') = ?",
            [
                claim,
                _iso(now),
                pending.chat_id,
                pending.local_date.isoformat(),
                DeliveryStatus.PENDING,
                pending.claim,
            ],
        )
        return cursor.rowcount == 1

    def migrate_claim(
        self, old_chat_id: int, new_chat_id: int, day: date, claim: str, now: datetime
    ) -> bool:
        """Move a group to its supergroup (`migrate`), then say whether `claim` still stands
        for the supergroup's `day`: False when the supergroup's day was already taken."""
        with self.transaction():
            self.migrate(old_chat_id, new_chat_id, now)
            row = self._one(
                "SELECT claim FROM deliveries WHERE chat_id = ? AND local_date = ? AND status = ?",
                [new_chat_id, day.isoformat(), DeliveryStatus.PENDING],
            )
            return row is not None and row["claim"] == claim

    # Rotation history ----------------------------------------------------------------------

    def seen_tips(self, chat_id: int) -> set[str]:
        rows = self.db.query("SELECT tip_id FROM seen_tips WHERE chat_id = ?", [chat_id])
        return {row["tip_id"] for row in rows}

    def seen_histories(self, chat_ids: Sequence[int]) -> dict[int, tuple[set[str], str | None]]:
        """Each chat's seen tips and its latest one, in one query for a whole batch."""
        histories: dict[int, tuple[set[str], str | None]] = {}
        latest: dict[int, int] = {}
        for start in range(0, len(chat_ids), 500):  # SQLite's bound-parameter limit
            batch = chat_ids[start : start + 500]
            marks = ", ".join("?" * len(batch))
            for chat_id, tip_id, rowid in self.db.execute(
                f"SELECT chat_id, tip_id, rowid FROM seen_tips WHERE chat_id IN ({marks})", batch
            ):
                seen, _ = histories.setdefault(chat_id, (set(), None))
                seen.add(tip_id)
                if rowid > latest.get(chat_id, -1):
                    latest[chat_id] = rowid
                    histories[chat_id] = (seen, tip_id)
        return histories

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

    # Feedback and check-ins ---------------------------------------------------------------

    def vote(self, chat_id: int, tip_id: str, value: int, now: datetime) -> int | None:
        """Record a 👍 (1) or 👎 (-1) on a tip, replacing the chat's earlier vote (returned)."""
        with self.transaction():
            return feedback.vote(self.db, chat_id, tip_id, value, now)

    def vote_of(self, chat_id: int, tip_id: str) -> int | None:
        return feedback.vote_of(self.db, chat_id, tip_id)

    def check_in(self, chat_id: int, day: date, tip_id: str, now: datetime) -> bool:
        """Record the chat's ✅ for local `day`; False if it had one already."""
        with self.transaction():
            return feedback.check_in(self.db, chat_id, day, tip_id, now)

    def checked_in(self, chat_id: int, day: date) -> bool:
        return feedback.checked_in(self.db, chat_id, day)

    def check_in_days(self, chat_id: int) -> list[date]:
        """The local days the chat checked in on, oldest first."""
        return feedback.check_in_days(self.db, chat_id)

    def feedback_counts(self) -> dict[str, feedback.Votes]:
        """👍 and 👎 per tip id, for the curators' `tips stats`."""
        return feedback.counts(self.db)

    # The plant tally ----------------------------------------------------------------------

    def add_plants(
        self, chat_id: int, week: date, names: Sequence[str], now: datetime
    ) -> list[str]:
        """Add plants to the chat's local `week` (its Monday); those not there yet, in order."""
        with self.transaction():
            return plants.add(self.db, chat_id, week, names, now)

    def plants_of(self, chat_id: int, week: date) -> list[str]:
        """The chat's plants of local `week`, in the order they were added."""
        return plants.of_week(self.db, chat_id, week)

    # Channels --------------------------------------------------------------------------

    def add_channel(
        self, owner_chat_id: int, channel_id: int, name: str, default: Schedule, now: datetime
    ) -> tuple[Subscriber, bool]:
        """Subscribe a channel and remember who did; as `subscribe`, True if newly active."""
        with self.transaction():
            subscribed = self.subscribe(channel_id, "channel", default, now)
            channels.add(self.db, owner_chat_id, channel_id, name, now)
        return subscribed

    def channels_of(self, owner_chat_id: int) -> list[tuple[int, str]]:
        """(channel id, name) of the channels a person subscribed, oldest first."""
        return channels.of_owner(self.db, owner_chat_id)

    def remove_channel(self, channel_id: int, now: datetime) -> bool:
        """Unsubscribe a channel and forget it for every owner; True if it was active."""
        with self.transaction():
            was_active = self.unsubscribe(channel_id, now)
            channels.forget(self.db, channel_id)
        return was_active

    # The delivery lease --------------------------------------------------------------------

    def acquire_lease(
        self,
        holder: str,
        now: datetime,
        ttl: float,
        *,
        process: str | None = None,
        dead: str | None = None,
    ) -> bool:
        """Take the delivery lease, or extend it if `holder` has it; False while another
        process holds it unexpired, unless that holder is `dead` (see `storage.lease`)."""
        return lease.acquire(self.db, holder, now, ttl, process=process, dead=dead)

    def lease_row(self) -> LeaseRow | None:
        """Who holds (or last held) the delivery lease, its process, when it lapses."""
        return lease.row(self.db)

    def renew_lease(self, holder: str, now: datetime, ttl: float) -> bool:
        """Extend the lease `holder` has; False if another process has taken it meanwhile."""
        return lease.renew(self.db, holder, now, ttl)

    def release_lease(self, holder: str) -> None:
        """Give the lease up (a clean stop), so a standby takes over without waiting."""
        lease.release(self.db, holder)

    # Operations: events, the sweep's heartbeat, the figures ---------------------------------

    def record_event(self, kind: EventKind, now: datetime) -> None:
        """Remember that something an operator counts happened (a 429, for instance)."""
        events.record(self.db, kind, now)

    def prune_events(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` events older than `before`."""
        return events.prune(self.db, before, limit)

    def sweep_started(self, holder: str, now: datetime) -> None:
        heartbeat.started(self.db, holder, now)

    def sweep_progressed(self, now: datetime) -> None:
        heartbeat.progressed(self.db, now)

    def sweep_finished(self, now: datetime, seconds: float) -> None:
        heartbeat.finished(self.db, now, seconds)

    def stats(self, now: datetime) -> stats.Stats:
        """The operator's figures (`storage.stats`)."""
        return stats.gather(self.db, now)

    # Internals -----------------------------------------------------------------------------

    def refresh(self, chat_id: int, now: datetime) -> Subscriber:
        """Re-derive the last delivery and `next_due_at` from the deliveries table.

        An unreadable row is flagged and left out of the queue instead of raising.
        """
        row = self._row(chat_id)
        assert row is not None, f"no subscriber row for chat {chat_id}"
        stored = parse_subscriber(row, FALLBACK)
        last_at = self._last_delivered_at(chat_id)
        subscriber = replace(stored, last_delivery=delivered_day(stored.schedule, last_at))
        try:
            due = next_due(subscriber.schedule, subscriber.last_delivery, now)
        except GARBAGE as exc:
            subscriber = replace(subscriber, active=False, problem=f"no next delivery ({exc})")
        if subscriber.problem is not None:
            self._flag(row, subscriber.problem)
            return subscriber
        last = subscriber.last_delivery
        self._set(
            chat_id,
            last_delivery=last.isoformat() if last else None,  # kept for people reading the table
            last_delivered_at=_epoch(last_at) if last_at else None,
            next_due_at=_epoch(due) if subscriber.active else None,
            problem=None,
        )
        return subscriber

    def _last_delivered_at(self, chat_id: int) -> datetime | None:
        row = self._one(
            "SELECT delivered_at FROM deliveries WHERE chat_id = ?"
            f" AND status IN ({_TAKEN}) ORDER BY delivered_at DESC LIMIT 1",
            [chat_id],
        )
        return datetime.fromtimestamp(row["delivered_at"], UTC) if row else None

    def _flag(self, row: Row, problem: str) -> None:
        """Take an unreadable row out of the queue; log it the first time only."""
        self._set(row["chat_id"], problem=problem, next_due_at=None)
        if row["problem"] != problem:
            logger.warning("Skipping subscriber %s until it is fixed: %s", row["chat_id"], problem)

    def _update(self, chat_id: int, now: datetime, **changes: object) -> None:
        """Change settings or state, stamping `updated_at` (what a group migration compares)."""
        self._set(chat_id, **changes, updated_at=_iso(now))

    def _set(self, chat_id: int, **changes: object) -> None:
        """Change columns without stamping `updated_at` (derived values, flags)."""
        assignments = ", ".join(f"{column} = ?" for column in changes)
        self.db.execute(
            f"UPDATE subscribers SET {assignments} WHERE chat_id = ?",
            [*changes.values(), chat_id],
        )

    def _row(self, chat_id: int) -> Row | None:
        return self._one(
            f"SELECT {_SUBSCRIBER_COLUMNS}, updated_at FROM subscribers WHERE chat_id = ?",
            [chat_id],
        )

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


def _hhmm(at: time) -> str:
    return at.strftime("%H:%M")


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _moment(stored: object) -> datetime:
    """A stored ISO instant; an unreadable one as 1970, which only makes a row due early
    (the sweep then checks it against the real time and puts it back in its place)."""
    try:
        return datetime.fromisoformat(str(stored)).astimezone(UTC)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)
