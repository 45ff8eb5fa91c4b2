"""The database file on disk: private permissions, an integrity check, and its identity.

Subscribers' chat ids and habits are personal data, so a folder the store creates is `0700`
and a file it creates is `0600`, whatever the umask (SQLite gives the `-wal` and `-shm` files
the database file's permissions). Folders and files that already exist keep theirs: the
operator chose them.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import NamedTuple

from sqlite_utils import Database

from storage.errors import DatabaseDamaged, DatabaseReplaced

FOLDER_MODE = 0o700
FILE_MODE = 0o600


class FileIdentity(NamedTuple):
    """Which file a path names: the same path with another (device, inode) is another file."""

    device: int
    inode: int


def file_identity(path: Path) -> FileIdentity:
    found = os.stat(path)
    return FileIdentity(found.st_dev, found.st_ino)


class FileWatch:
    """Remembers which file a path named when it was opened, to notice it being swapped.

    SQLite keeps writing to the file it opened even after it was deleted or renamed over, so
    the path is compared with the identity taken at open, not the connection with anything.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity = file_identity(path)

    def check(self) -> None:
        """Raise `DatabaseReplaced` if the path is gone or names another file now."""
        try:
            found = file_identity(self.path)
        except FileNotFoundError:
            raise DatabaseReplaced(
                f"the database file {self.path} was deleted while the bot was running;"
                " restore it and restart"
            ) from None
        if found != self.identity:
            raise DatabaseReplaced(
                f"the database file {self.path} was replaced by another file while the bot"
                " was running; restart to use the new one"
            )


def prepare_file(path: Path) -> None:
    """Create the missing folders (`0700`) and an empty database file (`0600`)."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask; chmod's is not
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    try:
        os.fchmod(descriptor, FILE_MODE)
    finally:
        os.close(descriptor)


def check_integrity(db: Database) -> None:
    """Raise `DatabaseDamaged` if SQLite's `quick_check` finds damage, or it is no database.

    "Locked" or "cannot open" are left to the caller as they are: not damage.
    """
    try:
        found = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.OperationalError:
        raise
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(
            f"it is not a readable SQLite database ({exc}); restore a backup"
        ) from exc
    if found != ["ok"]:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise DatabaseDamaged(f"it is damaged: {found[0]}{more}; restore a backup")
