"""The rotation table: each chat's rotation history, one row a chat.

`cycle` is the set of tips the chat has had in its current cycle, as a bitset of tip numbers
(`storage.tip_sets`); `last` is the number of the latest tip it had, which a new cycle never
starts with and `/source` answers about. A daily tip enters it when its delivery is closed as
sent (or maybe sent), never at the claim, so a tip that did not go out comes round again; a
tip asked for enters it as it is chosen and leaves the cycle again if the reply fails. The
rotation (`tips.choosing`) picks the next tip from it and starts a new cycle by forgetting
the pool's tips: only their bits are cleared, and `last` stays.

Numbers never change (`storage.tables.tip_numbers`), so a tip removed from the library only
stops being chosen, and a new one takes a bit nobody has set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlite_utils import Database

from storage.columns import day_number, rows_of_chats
from storage.tables.tip_numbers import TipNumbers
from storage.tip_sets import as_mask, tip_set

# Both writes add one tip: a new chat's row starts with it, an existing row gains its bit.
_ADD = (
    " ON CONFLICT (chat_id) DO UPDATE SET cycle = tip_set_add(cycle, excluded.last),"
    " last = excluded.last"
)


def seen(db: Database, tips: TipNumbers, chat_id: int) -> set[str]:
    row = db.execute("SELECT cycle FROM rotation WHERE chat_id = ?", [chat_id]).fetchone()
    return tips.tip_ids_in(row[0]) if row else set()


def histories(db: Database, chat_ids: Sequence[int]) -> dict[int, tuple[int, int | None]]:
    """Each chat's seen tips as a bitmask of tip numbers (the stored set's bytes, read as
    one integer) and its latest tip's number, in one query per 500 chats."""
    return {
        chat_id: (as_mask(cycle), last)
        for chat_id, cycle, last in rows_of_chats(db, "cycle, last", "rotation", chat_ids)
    }


def last_seen(db: Database, tips: TipNumbers, chat_id: int) -> str | None:
    row = db.execute("SELECT last FROM rotation WHERE chat_id = ?", [chat_id]).fetchone()
    return None if row is None or row[0] is None else tips.tip_id(row[0])


def mark_seen(db: Database, tips: TipNumbers, chat_id: int, tip_id: str) -> None:
    number = tips.number(tip_id)
    db.execute(
        "INSERT INTO rotation (chat_id, cycle, last) VALUES (?, ?, ?)" + _ADD,
        [chat_id, tip_set([number]), number],
    )


def mark_delivered(db: Database, chat_id: int, day: date) -> None:
    """The tip of the chat's delivery for local `day` has gone out: it is seen now.

    One statement: the delivery row holds the tip's number.
    """
    db.execute(
        "INSERT INTO rotation (chat_id, cycle, last)"
        " SELECT chat_id, tip_set_add(NULL, tip), tip FROM deliveries"
        " WHERE chat_id = :chat_id AND local_day = :day" + _ADD,
        {"chat_id": chat_id, "day": day_number(day)},
    )


def forget(db: Database, tips: TipNumbers, chat_id: int, tip_ids: Iterable[str]) -> None:
    """Start a new rotation cycle for these tips: clear their bits, in one statement."""
    numbers = (tips.known(tip_id) for tip_id in tip_ids)
    gone = tip_set(number for number in numbers if number is not None)
    if gone:
        db.execute(
            "UPDATE rotation SET cycle = tip_set_minus(cycle, ?) WHERE chat_id = ?",
            [gone, chat_id],
        )


def merge(db: Database, old: int, new: int) -> None:
    """Move the old chat's history to the new id: the union of both cycles; the new chat's
    latest tip, if it has one (it is the chat in use since the move)."""
    db.execute(
        "INSERT INTO rotation (chat_id, cycle, last)"
        " SELECT :new, cycle, last FROM rotation WHERE chat_id = :old"
        " ON CONFLICT (chat_id) DO UPDATE SET cycle = tip_set_union(cycle, excluded.cycle),"
        " last = coalesce(last, excluded.last)",
        {"old": old, "new": new},
    )
    db.execute("DELETE FROM rotation WHERE chat_id = ?", [old])
