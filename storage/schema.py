"""The database layout, as numbered migrations keyed by SQLite's `PRAGMA user_version`.

Migration N brings a database from version N-1 to N, inside one `BEGIN IMMEDIATE` transaction
that also sets `user_version = N`, so a crash or a second process starting at the same moment
leaves either the old version or the new one, never half of a step. A migration, once
released, never changes: the next change is a new function in `storage.migrations`, added
at the end of `MIGRATIONS`. Chat ids are 64-bit integers; times are UTC epoch seconds or ISO
text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlite_utils import Database

from storage.errors import DatabaseTooNew
from storage.migrations.deliveries_compact import v16_compact_deliveries
from storage.migrations.early import v1_tables, v2_delivery_instants
from storage.migrations.later import (
    v3_row_problems,
    v4_lease,
    v5_operations,
    v6_feedback,
    v7_preferences,
    v8_plants,
    v9_channels,
    v10_claims,
)
from storage.migrations.quiet_weekends import v17_quiet_weekends
from storage.migrations.rotation_votes import v12_rotation, v13_votes
from storage.migrations.streaks_plants import v14_streaks, v15_plants
from storage.migrations.tip_numbers import v11_tip_numbers
from storage.migrations.votes_by_chat import v19_votes_by_chat
from storage.migrations.weekly_recap import v18_weekly_recap

Migration = Callable[[Database], None]

MIGRATIONS: tuple[Migration, ...] = (
    v1_tables,
    v2_delivery_instants,
    v3_row_problems,
    v4_lease,
    v5_operations,
    v6_feedback,
    v7_preferences,
    v8_plants,
    v9_channels,
    v10_claims,
    v11_tip_numbers,
    v12_rotation,
    v13_votes,
    v14_streaks,
    v15_plants,
    v16_compact_deliveries,
    v17_quiet_weekends,
    v18_weekly_recap,
    v19_votes_by_chat,
)
LATEST = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    """The database's `PRAGMA user_version`: how many migrations it has had."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def upgrade(db: Database) -> None:
    """Run the migrations this database has not had, each in its own transaction.

    A database from a newer version is refused, never downgraded: its `user_version` stays.
    """
    _refuse_newer(schema_version(db))
    # Dropping an old table would otherwise overwrite each of its pages with zeros (where
    # SQLite is built with secure delete, as Debian's is): at a million subscribers the `-wal`
    # grew by 7 GB for it. The file is rewritten by the VACUUM that follows (`storage.space`).
    [secure] = db.execute("PRAGMA secure_delete").fetchone()
    db.execute("PRAGMA secure_delete = FAST")
    try:
        while _step(db):
            pass
    finally:
        db.execute(f"PRAGMA secure_delete = {int(secure)}")


def _step(db: Database) -> bool:
    """Apply the next migration, if any; False when the database is up to date."""
    with _immediate(db):
        version = schema_version(db)  # read under the write lock: another process may be here
        _refuse_newer(version)
        if version == LATEST:
            return False
        MIGRATIONS[version](db)
        db.execute(f"PRAGMA user_version = {version + 1}")
    return True


def _refuse_newer(version: int) -> None:
    if version > LATEST:
        raise DatabaseTooNew(
            f"the database is at schema version {version}, newer than this version of the bot"
            f" knows ({LATEST}); run the newer version, or restore a backup made for this one"
        )


@contextmanager
def _immediate(db: Database) -> Iterator[None]:
    """A transaction that takes the write lock at once, so two upgrades cannot interleave."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()
