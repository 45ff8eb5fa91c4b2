"""The deliveries table: one row per (chat, local day), the claim each daily tip is sent under.

A row is claimed (pending, with a token naming the claim) before its tip goes out and closed
with a final status after (`scheduler.lifecycle`). Only the claim that holds a row may close
or send it (`finish`, `may_send`), so a process that lost the lease cannot overwrite what its
successor did. Rows are remembered by the UTC instant they were claimed at; which local day
one counts for is worked out in the subscriber's *current* timezone.

The table is compact (migration 16): no rowid, the tip by its number (`tip_numbers`), the
local day as a day number (`storage.columns.day_number`), and a finished row forgets its
token. It keeps only a few days (`prune`): the current local day is what exactly-once
checks, and `/stats` counts the UTC days today and yesterday.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from sqlite_utils import Database

from scheduler.due import Schedule, day_start
from scheduler.lifecycle import (
    TAKEN,
    ClaimLost,
    DeliveryStatus,
    check,
    sql_list,
)
from scheduler.records import PendingDelivery
from storage.columns import day_number, epoch, first_row, from_day_number
from storage.tables.tip_numbers import TipNumbers

MANUAL = ""  # a claim made by hand (tests, tools): any process may resume it at once
#: The statuses that count as a tip gone out, as an SQL list.
TAKEN_SQL = sql_list(TAKEN)
_PENDING = DeliveryStatus.PENDING
_DAY = timedelta(days=1)
_ROWS_PER_CLAIM = 100  # claims per INSERT: 7 parameters each, under SQLite's old limit of 999

#: One claim to write: chat id, day number, tip number, claim instant, token, and the
#: instants the local day starts and ends in the chat's current timezone.
ClaimRow = tuple[int, int, int, int, str, int, int]


def _claims_sql(count: int) -> str:
    """Write `count` claims in one statement (atomic against another process), returning the
    chats whose claim was written. A claim is refused when a tip taken (pending or sent)
    already falls in its local day of the *current* timezone. So a row already under the
    same key is either free again (failed, blocked, released) or another local day's
    history, kept from before a timezone change: the claim takes its place."""
    rows = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * count)
    return f"""
INSERT INTO deliveries (chat_id, local_day, tip, status, delivered_at, updated_at, claim)
SELECT v.column1, v.column2, v.column3, '{_PENDING}', v.column4, v.column4, v.column5
FROM (VALUES {rows}) AS v
WHERE NOT EXISTS (
    SELECT 1 FROM deliveries d WHERE d.chat_id = v.column1 AND d.status IN ({TAKEN_SQL})
    AND d.delivered_at >= v.column6 AND d.delivered_at < v.column7
)
ON CONFLICT (chat_id, local_day) DO UPDATE SET
    tip = excluded.tip, status = excluded.status, delivered_at = excluded.delivered_at,
    updated_at = excluded.updated_at, claim = excluded.claim, attempts = 0
RETURNING chat_id
"""


def day_span(schedule: Schedule, day: date) -> tuple[int, int]:
    """Where local `day` starts and ends, in the schedule's timezone, in epoch seconds."""
    return epoch(day_start(schedule, day)), epoch(day_start(schedule, day + _DAY))


def claim_all(db: Database, claims: Sequence[ClaimRow]) -> set[int]:
    """Write claims (`ClaimRow`, at most one per chat); the chats whose claim was written."""
    claimed: set[int] = set()
    for start in range(0, len(claims), _ROWS_PER_CLAIM):
        batch = claims[start : start + _ROWS_PER_CLAIM]
        values = [value for row in batch for value in row]
        claimed.update(row[0] for row in db.execute(_claims_sql(len(batch)), values))
    return claimed


_FINISH = """
UPDATE deliveries SET status = :status, attempts = attempts + 1, updated_at = :now, claim = NULL
WHERE chat_id = :chat_id AND local_day = :day AND status = :pending AND claim IS :claim
"""


def finish(
    db: Database, chat_id: int, day: date, status: DeliveryStatus, now: datetime, token: str
) -> None:
    """Close the pending claim `token` with `status`. Raises `IllegalTransition` if `status`
    is not final, `ClaimLost` if the row is no longer that claim's or already closed."""
    check(_PENDING, status)
    params = {
        "chat_id": chat_id,
        "day": day_number(day),
        "status": status,
        "now": epoch(now),
        "claim": token,
        "pending": _PENDING,
    }
    if db.execute(_FINISH, params).rowcount == 0:
        _refuse_finish(db, chat_id, day, token)


def _refuse_finish(db: Database, chat_id: int, day: date, token: str) -> None:
    """Why a finish changed nothing: the row is gone, another claim's, or already closed.
    All three are `ClaimLost`: a finished row has forgotten its token, and the usual way to
    meet one is a process that lost the lease finishing late a day its successor closed.
    The closed row stands either way; nothing is sent or recorded twice."""
    row = first_row(
        db,
        "SELECT status FROM deliveries WHERE chat_id = ? AND local_day = ?",
        [chat_id, day_number(day)],
    )
    if row is None or row["status"] == _PENDING:
        raise ClaimLost(f"chat {chat_id}'s tip for {day} is no longer claim {token}'s")
    raise ClaimLost(f"chat {chat_id}'s tip for {day} was already closed as {row['status']}")


def may_send(db: Database, chat_id: int, day: date, token: str, now: datetime) -> bool:
    """Whether the chat is subscribed and not paused, and its `day` still pending under
    `token` (not resumed by another process, not merged away). One indexed lookup."""
    row = first_row(  # EXISTS, not a JOIN: the same two lookups, a quarter of the time
        db,
        "SELECT active, paused_until FROM subscribers WHERE chat_id = ?1 AND EXISTS ("
        " SELECT 1 FROM deliveries WHERE chat_id = ?1 AND local_day = ?2 AND status = ?3"
        " AND COALESCE(claim, '') = ?4)",
        [chat_id, day_number(day), _PENDING, token],
    )
    if row is None or not row["active"]:
        return False
    paused_until = row["paused_until"]
    return not (isinstance(paused_until, int) and epoch(now) < paused_until)


def holds(db: Database, chat_id: int, day: date, token: str) -> bool:
    """Whether the chat's `day` is pending under `token`."""
    row = first_row(
        db,
        "SELECT claim FROM deliveries WHERE chat_id = ? AND local_day = ? AND status = ?",
        [chat_id, day_number(day), _PENDING],
    )
    return row is not None and row["claim"] == token


def status_of(db: Database, chat_id: int, day: date) -> DeliveryStatus | None:
    """Where the chat's tip for local `day` stands (None: never claimed)."""
    row = first_row(
        db,
        "SELECT status FROM deliveries WHERE chat_id = ? AND local_day = ?",
        [chat_id, day_number(day)],
    )
    return DeliveryStatus(row["status"]) if row else None


def pending(db: Database, tips: TipNumbers) -> list[PendingDelivery]:
    """Claims not closed yet, oldest first (from the partial index of pending rows)."""
    rows = db.execute(
        "SELECT chat_id, local_day, tip, claim, updated_at FROM deliveries"
        " WHERE status = ? ORDER BY updated_at",
        [_PENDING],
    ).fetchall()
    return [
        PendingDelivery(
            chat_id,
            from_day_number(day),
            tips.tip_id(tip) or "",
            claim or "",
            datetime.fromtimestamp(updated_at, UTC),
        )
        for chat_id, day, tip, claim, updated_at in rows
    ]


def resume(db: Database, claimed: PendingDelivery, token: str, now: datetime) -> bool:
    """Take over a pending claim as `token`; False if it changed meanwhile (finished, or
    resumed by someone else). One statement: atomic against another process."""
    cursor = db.execute(
        "UPDATE deliveries SET claim = ?, updated_at = ? WHERE chat_id = ?"
        " AND local_day = ? AND status = ? AND COALESCE(claim, '') = ?",
        [
            token,
            epoch(now),
            claimed.chat_id,
            day_number(claimed.local_date),
            _PENDING,
            claimed.claim,
        ],
    )
    return cursor.rowcount == 1


def last_taken_at(db: Database, chat_id: int) -> datetime | None:
    """When the chat's latest tip gone out (or going out) was claimed."""
    row = first_row(
        db,
        "SELECT max(delivered_at) AS at FROM deliveries WHERE chat_id = ?"
        f" AND status IN ({TAKEN_SQL})",
        [chat_id],
    )
    return datetime.fromtimestamp(row["at"], UTC) if row and row["at"] is not None else None


_FIRST = -(2**63)  # before every chat id


def prune(db: Database, before: datetime, after: int | None, rows: int) -> tuple[int, int | None]:
    """One step of a walk through the table in key order: among the next `rows` rows after
    chat `after` (None: from the start), delete the closed ones of local days before
    `before`'s UTC date. (Rows looked at, the chat the next step goes on after; None when
    this step reached the end, so the next starts again.)

    In key order, the rows a step deletes lie side by side: a step writes a few pages, where
    deleting the oldest rows by their instant touched a page a row (~100 µs each, and a WAL
    checkpoint every few steps: 15-70 ms for 200 rows at 20,000 subscribers).
    """
    start = _FIRST if after is None else after
    last = first_row(
        db,
        "SELECT chat_id FROM deliveries WHERE chat_id > ? ORDER BY chat_id LIMIT 1 OFFSET ?",
        [start, rows - 1],
    )
    end, looked = (last["chat_id"], rows) if last else (None, _count_after(db, start))
    db.execute(
        "DELETE FROM deliveries WHERE chat_id > :start AND chat_id <= :end"
        " AND local_day < :cut AND status != :pending",
        {
            "start": start,
            "end": -_FIRST - 1 if end is None else end,
            "cut": day_number(before.astimezone(UTC).date()),
            "pending": _PENDING,
        },
    )
    return looked, end


def _count_after(db: Database, start: int) -> int:
    row = db.execute("SELECT count(*) FROM deliveries WHERE chat_id > ?", [start]).fetchone()
    return int(row[0])
