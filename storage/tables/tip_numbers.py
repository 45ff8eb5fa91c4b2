"""Tip numbers: a small integer for each library tip id, so history rows stay compact.

The library names tips by text (`fiber-inulin-onions`); the tables that remember tips per chat
(deliveries, votes, the rotation's per-cycle set) store a number instead, 1–2 bytes rather
than 20–40. A number, once given, names its tip for good: it is never changed or reused, so
a tip removed in one library edition and restored in the next keeps its votes and its place
in every rotation, and a new tip gets the next free number.

Numbers only grow, so a cached mapping is never wrong, only incomplete: a lookup that misses
reads the table again (another process may have numbered a new tip meanwhile). What is read
inside a write transaction is not cached, since that transaction may yet roll back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set

from sqlite_utils import Database

from storage.tip_sets import numbers_in


class TipNumbers:
    """The tip id ↔ number mapping of one database, cached for the process's lifetime."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._numbers: dict[str, int] = {}
        self._ids: dict[int, str] = {}
        self._reload()

    def number(self, tip_id: str) -> int:
        """`tip_id`'s number, giving it the next free one if it has none. Writes: call in a
        write transaction (or where a lone insert may commit)."""
        found = self.known(tip_id)
        if found is None:
            self._db.execute("INSERT OR IGNORE INTO tip_numbers (tip_id) VALUES (?)", [tip_id])
            found = {tip: number for number, tip in self._reload().items()}[tip_id]
        return found

    def number_all(self, tip_ids: Iterable[str]) -> None:
        """Number these tips (a library's) now, in one committed transaction, so that the
        writes after find them in the cache: a tip first numbered inside a write transaction
        cannot be cached until it commits, and each lookup would read the table again."""
        with self._db.atomic():
            self._db.conn.executemany(
                "INSERT OR IGNORE INTO tip_numbers (tip_id) VALUES (?)", [(t,) for t in tip_ids]
            )
        self._reload()

    def numbers(self, tip_ids: Set[str]) -> Mapping[str, int]:
        """A mapping that numbers each of `tip_ids` that has a number: the cache, when it
        knows them all (it does once `number_all` ran); else the table, read again."""
        if self._numbers.keys() >= tip_ids:
            return self._numbers
        return {tip: number for number, tip in self._reload().items()}

    def known(self, tip_id: str) -> int | None:
        """`tip_id`'s number, or None if no row ever named it (a read: never writes)."""
        found = self._numbers.get(tip_id)
        if found is None:
            found = {tip: number for number, tip in self._reload().items()}.get(tip_id)
        return found

    def tip_id(self, number: int) -> str | None:
        """The tip id `number` stands for; None for a number no process has given."""
        found = self._ids.get(number)
        if found is None:
            found = self._reload().get(number)
        return found

    def tip_ids(self, numbers: Iterable[int]) -> set[str]:
        """The tip ids of `numbers`, leaving out any the table does not know."""
        numbers = set(numbers)
        if not numbers <= self._ids.keys():  # one read of the table for all unknown ones
            known = self._reload()
            return {known[number] for number in numbers if number in known}
        return set(map(self._ids.__getitem__, numbers))

    def tip_ids_in(self, encoded: bytes | None) -> set[str]:
        """The tip ids of an encoded tip set (`storage.tip_sets`)."""
        return self.tip_ids(numbers_in(encoded))

    def _reload(self) -> dict[int, str]:
        """The whole mapping as the database has it now; cached unless read in a transaction."""
        rows = self._db.execute("SELECT number, tip_id FROM tip_numbers").fetchall()
        found = {int(number): str(tip_id) for number, tip_id in rows}
        if not self._db.conn.in_transaction:
            self._ids, self._numbers = found, {tip: number for number, tip in found.items()}
        return found
