"""How values are written to and read from columns: instants as UTC epoch seconds (what is
compared and indexed) or ISO 8601 text (`updated_at`, `seen_at`: what people read), clock
times as `HH:MM`, local days in compact tables as day numbers (days since 1970-01-01: two
bytes where the ISO date takes eleven; SQLite shows one with `date(n * 86400, 'unixepoch')`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlite_utils import Database

from storage.rows import Row


def hhmm(at: time) -> str:
    return at.strftime("%H:%M")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


_EPOCH_DAY = date(1970, 1, 1).toordinal()


def day_number(day: date) -> int:
    """A local day as stored in compact tables: days since 1970-01-01."""
    return day.toordinal() - _EPOCH_DAY


def from_day_number(number: int) -> date:
    return date.fromordinal(number + _EPOCH_DAY)


def moment(stored: object) -> datetime:
    """A stored ISO instant; an unreadable one as 1970, which only makes a row due early
    (the sweep then checks it against the real time and puts it back in its place)."""
    try:
        return datetime.fromisoformat(str(stored)).astimezone(UTC)
    except ValueError:
        return datetime.fromtimestamp(0, UTC)


def first_row(db: Database, sql: str, params: Sequence[Any]) -> Row | None:
    """The first row of a query, by column name, or None."""
    found = rows_of(db, sql, params)
    return found[0] if found else None


def rows_of(db: Database, sql: str, params: Sequence[Any]) -> list[Row]:
    """A query's rows, by column name. Straight through the connection: sqlite-utils'
    `query()` wraps each statement in a savepoint (a transaction of its own outside one),
    which cost more than the lookup itself on the hot path (`may_send` before each tip)."""
    cursor = db.conn.execute(sql, params)
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


_CHATS_PER_QUERY = 500  # SQLite's bound-parameter limit, with room to spare


def rows_of_chats(
    db: Database, columns: str, table: str, chat_ids: Sequence[int]
) -> list[tuple[Any, ...]]:
    """`SELECT chat_id, columns FROM table` for these chats, one query per 500 on the chat
    id (a claim batch's histories and votes): a chat with no row appears nowhere."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(chat_ids), _CHATS_PER_QUERY):
        batch = chat_ids[start : start + _CHATS_PER_QUERY]
        marks = ", ".join("?" * len(batch))
        sql = f"SELECT chat_id, {columns} FROM {table} WHERE chat_id IN ({marks})"
        rows += db.conn.execute(sql, batch).fetchall()
    return rows
