"""✅ check-ins as running figures: one `streaks` row per chat (`habits.streaks.Tally`).

A check-in happens once a local day, so pressing again, or after a restart, changes nothing.
No list of days is kept: each check-in is folded into the chat's row by the pure rules of
`habits.streaks` (`fold`), which also say what a late day (a timezone moved west) does.
"""

from __future__ import annotations

from datetime import date

from sqlite_utils import Database

from habits.streaks import NONE, Streak, Tally, checked_on, fold, merge, seen_on

_COLUMNS = "days, last_day, frozen_day, freezes, longest, recent"


def tally(db: Database, chat_id: int) -> Tally:
    """The chat's running figures (`NONE` if it never checked in)."""
    row = db.execute(f"SELECT {_COLUMNS} FROM streaks WHERE chat_id = ?", [chat_id]).fetchone()
    if row is None:
        return NONE
    days, last, frozen, freezes, longest, recent = row
    return Tally(days, _day(last), _day(frozen), freezes, longest, recent)


def write(db: Database, chat_id: int, figures: Tally) -> None:
    """Store the chat's figures, replacing its row."""
    db.execute(
        f"INSERT OR REPLACE INTO streaks (chat_id, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        row(chat_id, figures),
    )


def row(chat_id: int, figures: Tally) -> list[object]:
    """The `streaks` row of `figures`, in column order (the migration writes them too)."""
    last, frozen = figures.last, figures.frozen
    return [
        chat_id,
        figures.days,
        last.isoformat() if last else None,
        frozen.isoformat() if frozen else None,
        figures.freezes,
        figures.longest,
        figures.recent,
    ]


def check_in(db: Database, chat_id: int, day: date) -> bool:
    """Record local `day`'s check-in; False if the chat had already checked in that day (or
    it is a late day too old to remember). Call inside a write transaction."""
    before = tally(db, chat_id)
    after = fold(before, day)
    if after == before:
        return False
    write(db, chat_id, after)
    return True


def checked_in(db: Database, chat_id: int, day: date) -> bool:
    return checked_on(tally(db, chat_id), day)


def streak_of(db: Database, chat_id: int, today: date) -> Streak:
    """The chat's current and longest streak on its local `today`."""
    return seen_on(tally(db, chat_id), today)


def move(db: Database, old: int, new: int) -> None:
    """A group's figures to its supergroup: the better run kept, the other's days folded in
    (`habits.streaks.merge`)."""
    moved = tally(db, old)
    if moved == NONE:
        return
    write(db, new, merge(tally(db, new), moved))
    db.execute("DELETE FROM streaks WHERE chat_id = ?", [old])


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None
