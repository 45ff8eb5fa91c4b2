"""Databases as an older release left them, for the tests of each migration."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from storage.schema import MIGRATIONS


def database_at(path: Path, version: int) -> Database:
    """A database file with the first `version` migrations applied, as that release made it."""
    db = Database(sqlite3.connect(path))
    for number, migration in enumerate(MIGRATIONS[:version], start=1):
        migration(db)
        db.execute(f"PRAGMA user_version = {number}")
    db.conn.commit()
    return db
