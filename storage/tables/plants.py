"""The "30 plants a week" tally: which different plants a chat ate in its local weeks.

One row per (chat, week), the week's plants in the order they were added, one per line, so
naming a plant again that week changes nothing. Only the current and the previous week are
kept: a chat adding to a new week drops its older weeks in the same transaction, and
`prune` (a sweep chore, in bounded steps) drops the old weeks of chats that stopped adding.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from sqlite_utils import Database

SEPARATOR = "\n"  # between names: no plant name holds one (the parser splits on new lines)
KEPT = timedelta(days=7)  # the previous week, beside the current one
# What the sweep keeps of chats that stopped adding: no chat's previous week began more than
# 13 days before its local today, which is at most a day from the UTC one.
KEEP_PLANTS = timedelta(days=15)


def add(db: Database, chat_id: int, week: date, plants: Iterable[str]) -> list[str]:
    """Add `plants` to the chat's `week` (its Monday); the ones that were new, in order.
    A new week drops the chat's weeks before the previous one. Call inside a transaction."""
    had = of_week(db, chat_id, week)
    added = [plant for plant in dict.fromkeys(plants) if plant not in had]
    if added:
        write(db, chat_id, week, had + added)
    if added and not had:
        db.execute(
            "DELETE FROM plants WHERE chat_id = ? AND week < ?",
            [chat_id, (week - KEPT).isoformat()],
        )
    return added


def of_week(db: Database, chat_id: int, week: date) -> list[str]:
    """The chat's plants of `week`, in the order they were added."""
    row = db.execute(
        "SELECT names FROM plants WHERE chat_id = ? AND week = ?", [chat_id, week.isoformat()]
    ).fetchone()
    return row[0].split(SEPARATOR) if row else []


def write(db: Database, chat_id: int, week: date, names: list[str]) -> None:
    db.execute(
        "INSERT INTO plants (chat_id, week, names) VALUES (?, ?, ?)"
        " ON CONFLICT (chat_id, week) DO UPDATE SET names = excluded.names",
        [chat_id, week.isoformat(), SEPARATOR.join(names)],
    )


def prune(db: Database, before: date, limit: int) -> int:
    """Delete up to `limit` weeks (of any chat) whose Monday is before `before`."""
    return db.execute(
        "DELETE FROM plants WHERE (chat_id, week) IN"
        " (SELECT chat_id, week FROM plants WHERE week < ? LIMIT ?)",
        [before.isoformat(), limit],
    ).rowcount


def move(db: Database, old: int, new: int) -> None:
    """A group's weeks to its supergroup: where both have a week, the group's plants first,
    then the supergroup's others."""
    weeks = db.execute("SELECT week FROM plants WHERE chat_id = ?", [old]).fetchall()
    for (iso,) in weeks:
        week = date.fromisoformat(iso)
        names = of_week(db, old, week)
        write(db, new, week, list(dict.fromkeys(names + of_week(db, new, week))))
    db.execute("DELETE FROM plants WHERE chat_id = ?", [old])
