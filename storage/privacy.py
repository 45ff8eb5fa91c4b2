"""A chat's own data, found by the schema itself: every table with a `chat_id` column.

Tables are discovered from `sqlite_master` rather than listed here, so a table added by a
later migration (feedback, check-ins, ...) is erased and exported without anyone having to
remember this module. Instants stored as epoch seconds come out as ISO 8601 text in UTC, day
numbers (`*_day`) as ISO dates, and tips stored by number (`storage.tables.tip_numbers`) as
the library's tip ids: one tip in a column named `tip` or `last`, a set of tips
(`storage.tip_sets`) in one named `cycle`, `liked` or `disliked`, as a sorted list.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from storage.columns import from_day_number
from storage.tables.tip_numbers import TipNumbers
from storage.tip_sets import numbers_in

#: Column names whose integers are UTC epoch seconds (the schema's own convention).
_INSTANT_SUFFIXES = ("_at", "_since", "_until")
#: Column names whose integers are tip numbers, and those whose BLOBs are sets of them.
_TIP_COLUMNS = ("tip", "last")
_TIP_SET_COLUMNS = ("cycle", "liked", "disliked")


def chat_tables(db: Database) -> list[str]:
    """The tables that hold rows about one chat, by name."""
    names = [
        row["name"]
        for row in db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    return [name for name in names if "chat_id" in _columns(db, name)]


def erase(db: Database, chat_id: int) -> dict[str, int]:
    """Delete the chat's rows from every such table; how many went, per table."""
    return {
        table: db.execute(f'DELETE FROM "{table}" WHERE chat_id = ?', [chat_id]).rowcount
        for table in chat_tables(db)
    }


def export(db: Database, tips: TipNumbers, chat_id: int, now: datetime) -> dict[str, Any]:
    """The chat's rows from every such table, as a JSON-ready document."""
    tables = {
        table: [
            {column: _jsonable(tips, column, value) for column, value in row.items()}
            for row in db.query(f'SELECT * FROM "{table}" WHERE chat_id = ?', [chat_id])
        ]
        for table in chat_tables(db)
    }
    return {"chat_id": chat_id, "exported_at": _iso(now), "tables": tables}


def _columns(db: Database, table: str) -> set[str]:
    return {row["name"] for row in db.query(f'PRAGMA table_info("{table}")')}


def _jsonable(tips: TipNumbers, column: str, value: Any) -> Any:
    if column in _TIP_COLUMNS and isinstance(value, int):
        return tips.tip_id(value)
    if column in _TIP_SET_COLUMNS and isinstance(value, bytes):
        return sorted(tips.tip_ids(numbers_in(value)))
    if column.endswith("_day") and isinstance(value, int):
        return from_day_number(value).isoformat()
    if column.endswith(_INSTANT_SUFFIXES) and isinstance(value, int | float):
        return _iso(datetime.fromtimestamp(value, UTC))
    if isinstance(value, bytes):
        return value.hex()
    return value


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
