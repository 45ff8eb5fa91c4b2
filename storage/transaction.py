"""The one kind of write transaction the store uses, so that every module's writes that
belong together commit together (or not at all)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlite_utils import Database

from storage.tables.tip_numbers import TipNumbers


@contextmanager
def transaction(db: Database) -> Iterator[None]:
    """A write transaction that takes the write lock first (`BEGIN IMMEDIATE`): a plain
    `BEGIN` that reads, then writes, fails at once if another process committed in
    between. Nested: a savepoint."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
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


class Connected:
    """A part of the store: the database it reads and writes, and its write transaction."""

    db: Database
    tips: TipNumbers  # the tip id <-> number mapping the history tables store numbers by

    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction taking the write lock first (`transaction`)."""
        return transaction(self.db)
