"""The deliveries table: one row per (chat, local date), the claim each daily tip is sent under.

A row is claimed (pending, with a token naming the claim) before its tip goes out and closed
with a final status after (`scheduler.lifecycle`). Only the claim that holds a row may close
or send it (`finish`, `may_send`), so a process that lost the lease cannot overwrite what its
successor did. Rows are remembered by the UTC instant they were claimed at; which local day
one counts for is worked out in the subscriber's *current* timezone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from scheduler.due import Schedule, day_start
from scheduler.lifecycle import (
    TAKEN,
    ClaimLost,
    DeliveryStatus,
    IllegalTransition,
    check,
    claimable_from,
    sql_list,
)
from scheduler.records import PendingDelivery
from storage.columns import epoch, first_row, iso, moment

MANUAL = ""  # a claim made by hand (tests, tools): any process may resume it at once
#: The statuses that count as a tip gone out, as an SQL list.
TAKEN_SQL = sql_list(TAKEN)
# A day whose claim ended in one of these may be claimed again (a retry, or after /start).
_RECLAIMABLE = sql_list(claimable_from())
_DAY = timedelta(days=1)

# One statement, so it is atomic against another process. A claim is refused when a tip
# taken (pending or sent) already falls in this local day of the *current* timezone. A row
# with the same date key from another local day (kept from before a timezone change) is
# history, not this day's tip: the claim takes its place.
_CLAIM = f"""
INSERT INTO deliveries (chat_id, local_date, tip_id, status, delivered_at, updated_at, claim)
SELECT :chat_id, :day, :tip_id, :pending, :now, :now_iso, :claim
WHERE NOT EXISTS (
    SELECT 1 FROM deliveries WHERE chat_id = :chat_id AND status IN ({TAKEN_SQL})
    AND delivered_at >= :day_start AND delivered_at < :day_end
)
ON CONFLICT (chat_id, local_date) DO UPDATE SET
    tip_id = excluded.tip_id, status = excluded.status,
    delivered_at = excluded.delivered_at, updated_at = excluded.updated_at,
    claim = excluded.claim, attempts = 0
WHERE deliveries.status IN ({_RECLAIMABLE})
    OR deliveries.delivered_at < :day_start OR deliveries.delivered_at >= :day_end
"""

_FINISH = """
UPDATE deliveries SET status = :status, attempts = attempts + 1, updated_at = :now
WHERE chat_id = :chat_id AND local_date = :day AND status = :pending AND claim IS :claim
"""


def claim(
    db: Database,
    chat_id: int,
    schedule: Schedule,
    day: date,
    tip_id: str,
    now: datetime,
    token: str,
) -> bool:
    """Claim local `day`'s tip under `token`; False if a tip of that day (in `schedule`'s
    timezone, by the instants of earlier deliveries) is already taken."""
    params = {
        "chat_id": chat_id,
        "day": day.isoformat(),
        "tip_id": tip_id,
        "pending": DeliveryStatus.PENDING,
        "now": epoch(now),
        "now_iso": iso(now),
        "claim": token,
        "day_start": epoch(day_start(schedule, day)),
        "day_end": epoch(day_start(schedule, day + _DAY)),
    }
    return db.execute(_CLAIM, params).rowcount == 1


def finish(
    db: Database, chat_id: int, day: date, status: DeliveryStatus, now: datetime, token: str
) -> None:
    """Close the pending claim `token` with `status`. Raises `ClaimLost` if the row is no
    longer that claim's, `IllegalTransition` if it is not pending (or `status` not final)."""
    check(DeliveryStatus.PENDING, status)
    params = {
        "chat_id": chat_id,
        "day": day.isoformat(),
        "status": status,
        "now": iso(now),
        "claim": token,
        "pending": DeliveryStatus.PENDING,
    }
    if db.execute(_FINISH, params).rowcount == 0:
        _refuse_finish(db, chat_id, day, token, status)


def _refuse_finish(
    db: Database, chat_id: int, day: date, token: str, status: DeliveryStatus
) -> None:
    row = first_row(
        db,
        "SELECT status, claim FROM deliveries WHERE chat_id = ? AND local_date = ?",
        [chat_id, day.isoformat()],
    )
    if row is None or row["claim"] != token:
        raise ClaimLost(f"chat {chat_id}'s tip for {day} is no longer claim {token}'s")
    raise IllegalTransition(DeliveryStatus(row["status"]), status)


def may_send(db: Database, chat_id: int, day: date, token: str, now: datetime) -> bool:
    """Whether the chat is subscribed and not paused, and its `day` still pending under
    `token` (not resumed by another process, not merged away). One indexed lookup."""
    row = first_row(
        db,
        "SELECT s.active, s.paused_until FROM subscribers s"
        " JOIN deliveries d ON d.chat_id = s.chat_id"
        " WHERE s.chat_id = ? AND d.local_date = ? AND d.status = ?"
        " AND COALESCE(d.claim, '') = ?",
        [chat_id, day.isoformat(), DeliveryStatus.PENDING, token],
    )
    if row is None or not row["active"]:
        return False
    paused_until = row["paused_until"]
    return not (isinstance(paused_until, int) and epoch(now) < paused_until)


def holds(db: Database, chat_id: int, day: date, token: str) -> bool:
    """Whether the chat's `day` is pending under `token`."""
    row = first_row(
        db,
        "SELECT claim FROM deliveries WHERE chat_id = ? AND local_date = ? AND status = ?",
        [chat_id, day.isoformat(), DeliveryStatus.PENDING],
    )
    return row is not None and row["claim"] == token


def status_of(db: Database, chat_id: int, day: date) -> DeliveryStatus | None:
    """Where the chat's tip for local `day` stands (None: never claimed)."""
    row = first_row(
        db,
        "SELECT status FROM deliveries WHERE chat_id = ? AND local_date = ?",
        [chat_id, day.isoformat()],
    )
    return DeliveryStatus(row["status"]) if row else None


def pending(db: Database) -> list[PendingDelivery]:
    """Claims not closed yet, oldest first."""
    rows = db.query(
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
            moment(row["updated_at"]),
        )
        for row in rows
    ]


def resume(db: Database, claimed: PendingDelivery, token: str, now: datetime) -> bool:
    """Take over a pending claim as `token`; False if it changed meanwhile (finished, or
    resumed by someone else). One statement: atomic against another process."""
    cursor = db.execute(
        "UPDATE deliveries SET claim = ?, updated_at = ? WHERE chat_id = ?"
        " AND local_date = ? AND status = ? AND COALESCE(claim, '') = ?",
        [
            token,
            iso(now),
            claimed.chat_id,
            claimed.local_date.isoformat(),
            DeliveryStatus.PENDING,
            claimed.claim,
        ],
    )
    return cursor.rowcount == 1


def last_taken_at(db: Database, chat_id: int) -> datetime | None:
    """When the chat's latest tip gone out (or going out) was claimed."""
    row = first_row(
        db,
        "SELECT delivered_at FROM deliveries WHERE chat_id = ?"
        f" AND status IN ({TAKEN_SQL}) ORDER BY delivered_at DESC LIMIT 1",
        [chat_id],
    )
    return datetime.fromtimestamp(row["delivered_at"], UTC) if row else None


def prune(db: Database, before: date, limit: int) -> int:
    """Delete up to `limit` closed rows for local dates before `before`; how many went."""
    cursor = db.execute(
        "DELETE FROM deliveries WHERE rowid IN (SELECT rowid FROM deliveries"
        " WHERE local_date < ? AND status != ? LIMIT ?)",
        [before.isoformat(), DeliveryStatus.PENDING, limit],
    )
    return cursor.rowcount
