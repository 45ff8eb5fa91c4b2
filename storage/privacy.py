"""A chat's own data, found by the schema itself: every table with a `chat_id` column.

Tables are discovered from `sqlite_master` rather than listed here, so a table added by a
later migration (feedback, check-ins, ...) is erased and exported without anyone having to
remember this module. Instants stored as epoch seconds come out as ISO 8601 text in UTC,
day numbers (`*_day`) as ISO dates, and tip numbers (a `tip` column) as the tips' ids.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from storage.columns import from_day_number

#: Column names whose integers are UTC epoch seconds (the schema's own convention).
_INSTANT_SUFFIXES = ("_at", "_since", "_until")


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


def export(db: Database, chat_id: int, now: datetime) -> dict[str, Any]:
    """The chat's rows from every such table, as a JSON-ready document."""
    tips = dict(db.execute("SELECT number, tip_id FROM tip_numbers").fetchall())
    tables = {
        table: [
            {column: _jsonable(column, value, tips) for column, value in row.items()}
            for row in db.query(f'SELECT * FROM "{table}" WHERE chat_id = ?', [chat_id])
        ]
        for table in chat_tables(db)
    }
    return {"chat_id": chat_id, "exported_at": _iso(now), "tables": tables}


def _columns(db: Database, table: str) -> set[str]:
    return {row["name"] for row in db.query(f'PRAGMA table_info("{table}")')}


def _jsonable(column: str, value: Any, tips: dict[int, str]) -> Any:
    if column == "tip" and isinstance(value, int):
        return tips.get(value, value)
    if column.endswith("_day") and isinstance(value, int):
        return from_day_number(value).isoformat()
    if column.endswith(_INSTANT_SUFFIXES) and isinstance(value, int | float):
        return _iso(datetime.fromtimestamp(value, UTC))
    if isinstance(value, bytes):
        return value.hex()
    return value


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")
