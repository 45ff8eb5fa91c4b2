"""The database seen from outside the running bot: opened read-only, never upgraded, and
copied with SQLite's online backup API (consistent, and safe while the bot writes to it).

For `gutbone-bot check`, `stats`, `backup` and `health`: none of them may change the file a
running bot uses, so none of them migrates or writes it. `check` does ask whether the bot
could write it (`probe_writable`: the write lock, taken and given back), and, where there is no
database yet, creates one as the bot would and removes it again (`probe_new`).
"""

from __future__ import annotations

import os
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from storage.errors import DatabaseTooNew, StoreError
from storage.files import FILE_MODE, check_integrity
from storage.schema import LATEST, schema_version
from storage.store import Store

_BACKUP = re.compile(r"gutbone-\d{8}T\d{6}Z\.db")  # a folder's backups, named for the UTC time


class NoDatabase(StoreError):
    """There is no database file at the configured path (yet)."""


class NotUpgraded(StoreError):
    """The database is at an older schema version: the bot upgrades it at its next start."""


class BackupRefused(StoreError):
    """The backup's target exists (and `--force` was not given) or cannot be written."""


@dataclass(frozen=True)
class Inspection:
    """What `check` reports about a database file."""

    version: int
    latest: int = LATEST


@dataclass(frozen=True)
class BackupReport:
    target: Path
    size: int  # bytes
    version: int
    subscribers: int


def open_readonly(path: Path) -> Database:
    """Open an existing database without the right to change it (no file is created)."""
    if not path.is_file():
        raise NoDatabase(f"no database at {path}")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    return Database(connection)


def open_current(path: Path) -> Database:
    """`open_readonly`, refusing a database at another schema version than this code's."""
    db = open_readonly(path)
    try:
        version = schema_version(db)
        if version != LATEST:
            raise _version_problem(version)
    except BaseException:
        db.close()
        raise
    return db


def probe_writable(path: Path) -> None:
    """Open an existing database for writing, as the bot does, and write to it in a
    transaction that is rolled back: changes nothing, and raises what the bot's first write
    would meet (a read-only file, which SQLite opens without a word; a folder where the
    `-wal` and `-shm` files cannot be made)."""
    uri = f"{path.resolve().as_uri()}?mode=rw"  # never creates the file
    with closing(sqlite3.connect(uri, uri=True, timeout=10, isolation_level=None)) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE gutbone_write_probe (x)")
        finally:
            db.execute("ROLLBACK")


def probe_new(path: Path) -> None:
    """Create the database where there is none, exactly as the bot's first start will
    (folders, file, schema), then remove all of it again: raises what the bot would meet."""
    made = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    try:
        Store.open(path).close()
    finally:
        for leftover in (path, *(path.with_name(path.name + end) for end in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        for folder in made:  # deepest first, as they were listed
            if folder.exists():
                folder.rmdir()


def inspect(path: Path) -> Inspection:
    """Integrity (`PRAGMA quick_check`) and schema version; `StoreError` when unfit to use."""
    with closing(open_readonly(path)) as db:
        check_integrity(db)
        version = schema_version(db)
    if version > LATEST:
        raise _version_problem(version)
    return Inspection(version)


def backup(source: Path, target: Path, *, force: bool = False) -> BackupReport:
    """Copy `source` to `target` in one consistent step, then check the copy opens whole.

    The copy is written next to `target` (private, `0600`) and renamed into place only once
    it passed `quick_check`, so a failed backup never leaves a half file under that name.
    """
    if target.resolve() == source.resolve():
        raise BackupRefused(f"{target} is the database itself; give the backup another name")
    if target.exists() and not force:
        raise BackupRefused(f"{target} already exists; pass --force to replace it")
    partial = target.with_name(f".{target.name}.partial")
    try:
        _create_private(partial)
        with closing(open_readonly(source)) as db, closing(sqlite3.connect(partial)) as copy:
            db.conn.backup(copy)  # all pages in one step: one snapshot, writers not blocked
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        report = _verify(partial, target)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return report


def _create_private(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE))
    except OSError as exc:
        raise BackupRefused(f"cannot write {path.parent}: {exc.strerror}") from exc


def _verify(copy: Path, target: Path) -> BackupReport:
    with closing(Database(sqlite3.connect(copy))) as db:
        check_integrity(db)
        version = schema_version(db)
        subscribers = db.execute("SELECT count(*) FROM subscribers").fetchone()[0]
    return BackupReport(target, copy.stat().st_size, version, int(subscribers))


def _version_problem(version: int) -> StoreError:
    if version > LATEST:
        return DatabaseTooNew(
            f"the database is at schema version {version}, newer than this version knows ({LATEST})"
        )
    return NotUpgraded(
        f"the database is at schema version {version}, this version uses {LATEST}:"
        " start the bot once to upgrade it (back it up first)"
    )


def backup_name(now: datetime) -> str:
    """The name of a backup made into a folder: sorts by time, as names do."""
    return f"gutbone-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}.db"


def beyond_keep(names: list[str], keep: int) -> list[str]:
    """The backups among `names` older than the newest `keep`; other files are not ours."""
    ours = sorted(name for name in names if _BACKUP.fullmatch(name))
    return ours[: max(len(ours) - keep, 0)]
