"""The database file on disk: private permissions, an integrity check, its identity, and its
write-ahead log copied back into it from a thread of its own (`Checkpointer`).

Subscribers' chat ids and habits are personal data, so a folder the store creates is `0700`
and a file it creates is `0600`, whatever the umask (SQLite gives the `-wal` and `-shm` files
the database file's permissions). Folders and files that already exist keep theirs: the
operator chose them.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import NamedTuple

from sqlite_utils import Database

from storage.errors import DatabaseDamaged, DatabaseReplaced

logger = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
CHECKPOINT_EVERY = 1.0  # seconds between two checkpoints of the WAL, off the event loop
# The store's own connection checkpoints only past this many WAL pages (40 MB): a backstop
# for when the thread falls behind. SQLite's default, 1,000, ran the copy (and its fsync)
# inside whichever commit crossed it, on the event loop: a claim batch of 5 ms took 33.
BACKSTOP_PAGES = 10_000


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


class Checkpointer:
    """Copies the WAL into the database file every `every` seconds, from a thread with its
    own connection: SQLite runs the copy without Python's GIL, so the event loop's commits
    only append to the WAL. `PASSIVE` never blocks a writer or a reader; a checkpoint that
    fails (a full disk) is one log line a minute, and the next one tries again."""

    def __init__(self, path: Path, every: float = CHECKPOINT_EVERY) -> None:
        self.path = path
        self.every = every
        self.done = threading.Event()  # set after each checkpoint (tests wait on it)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._said_at = float("-inf")

    def start(self, db: Database) -> None:
        """Take the checkpoints over from `db`, the store's connection to `path`."""
        db.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
        self._thread = threading.Thread(target=self._run, name="wal-checkpoints", daemon=True)
        self._thread.start()

    def stop(self, db: Database, timeout: float = 5.0) -> None:
        """End the thread (a checkpoint under way finishes first); `db` checkpoints again."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        db.execute("PRAGMA wal_autocheckpoint = 1000")

    def _run(self) -> None:
        connection: sqlite3.Connection | None = None
        try:
            while not self._stopping.wait(self.every):
                try:
                    connection = connection or self._connect()
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error as exc:
                    self._say(exc)
                    continue
                self.done.set()
        finally:
            if connection is not None:
                connection.close()

    def _connect(self) -> sqlite3.Connection:
        """Its own connection, read-write but never creating a file the store has not."""
        uri = f"{self.path.resolve().as_uri()}?mode=rw"
        return sqlite3.connect(uri, uri=True, timeout=self.every)

    def _say(self, exc: sqlite3.Error) -> None:
        if time.monotonic() - self._said_at >= 60:
            self._said_at = time.monotonic()
            logger.warning("Could not copy the WAL into the database file: %s", exc)
