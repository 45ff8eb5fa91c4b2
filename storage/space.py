"""Giving disk space back: SQLite's incremental auto-vacuum, turned on once, used in small steps.

Deleting rows only puts their pages on SQLite's free list: the file never shrinks by itself.
With `auto_vacuum = INCREMENTAL` each `PRAGMA incremental_vacuum(N)` moves up to N pages from
the end of the file into free ones and cuts the file, a few milliseconds per hundred pages, so
the sweep's chores can give space back in steps that never hold the event loop for long.

The mode is in the file's header. A new database gets it before its first table; an existing
one only through a full `VACUUM`, which rewrites the file, cannot run inside a transaction
(so it is no numbered migration) and needs room for two copies of the live data: one in
SQLite's temporary folder, one in the `-wal` file. `turn_on_incremental` runs it once at
start, after the migrations; where the disk is short it skips, says how much room it needs,
and tries again at the next start. The bot works the same meanwhile: space is only not given
back.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from storage.transaction import transaction

__all__ = ["INCREMENTAL", "Space", "give_back", "mode", "prepare_new", "turn_on_incremental"]

logger = logging.getLogger(__name__)

INCREMENTAL = 2  # `PRAGMA auto_vacuum`: 0 none, 1 full, 2 incremental
SPARE_SHARE = 0.1  # room asked for beyond each copy, for the file's growth meanwhile
_UNIX_TEMP_FOLDERS = ("/var/tmp", "/usr/tmp", "/tmp", ".")  # SQLite's own order, after the env


@dataclass(frozen=True)
class Space:
    """The file's pages, and how many of them are free (kept for reuse, or to give back)."""

    pages: int
    free_pages: int
    page_size: int

    @property
    def live_bytes(self) -> int:
        """What a VACUUM copies: the pages in use."""
        return (self.pages - self.free_pages) * self.page_size


def measure(db: Database) -> Space:
    """The file's pages and free pages (three pragmas that read the header: microseconds)."""
    [pages] = db.execute("PRAGMA page_count").fetchone()
    [free] = db.execute("PRAGMA freelist_count").fetchone()
    [size] = db.execute("PRAGMA page_size").fetchone()
    return Space(int(pages), int(free), int(size))


def mode(db: Database) -> int:
    return int(db.execute("PRAGMA auto_vacuum").fetchone()[0])


def prepare_new(db: Database) -> None:
    """Give a database with no pages yet incremental auto-vacuum: it takes effect when SQLite
    writes the first page (call before WAL mode and the first table), with no VACUUM."""
    if measure(db).pages == 0:
        db.execute(f"PRAGMA auto_vacuum = {INCREMENTAL}")


def give_back(db: Database, pages: int) -> int:
    """Cut up to `pages` free pages off the file (`PRAGMA incremental_vacuum`); how many went.

    Its own autocommit statement: Python's `execute` steps a statement that returns no
    columns only once, which frees one page, so it runs through `executescript`, which steps
    it to the end — and would first commit a transaction in progress, hence the refusal.
    """
    if db.conn.in_transaction:
        raise RuntimeError("give_back runs outside a transaction: it commits by itself")
    before = measure(db).free_pages
    db.conn.executescript(f"PRAGMA incremental_vacuum({max(0, int(pages))})")
    return before - measure(db).free_pages


def turn_on_incremental(
    db: Database,
    path: Path,
    *,
    free_bytes: Callable[[Path], int] = lambda folder: shutil.disk_usage(folder).free,
    environ: Mapping[str, str] = os.environ,
) -> bool:
    """Turn on incremental auto-vacuum with one full VACUUM, where the disk has room for it;
    whether it ran. Call outside a transaction, before the bot starts work: it holds the
    write lock throughout (about 15 s per GB), and another process starting meanwhile waits
    for it (`Store.open`'s lock timeout) and then finds the mode on and skips."""
    if mode(db) == INCREMENTAL:
        return False
    space = measure(db)
    short = shortfalls(room_needed(path, temp_folder(environ), space.live_bytes), free_bytes)
    if short:
        logger.warning(
            "Not turning on incremental auto-vacuum yet (space freed by pruning stays in the"
            " file): its one VACUUM needs %s; free that space, it is tried again at the next"
            " start",
            "; ".join(short),
        )
        return False
    with transaction(db):  # read again under the write lock: another process may have done it
        if mode(db) == INCREMENTAL:
            return False
    started = time.perf_counter()
    db.execute(f"PRAGMA auto_vacuum = {INCREMENTAL}")
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the -wal file held a whole copy
    after = measure(db)
    logger.info(
        "Turned on incremental auto-vacuum: one VACUUM of %s took %.1f s (%.1f MB, now %.1f MB)",
        path,
        time.perf_counter() - started,
        space.pages * space.page_size / 1e6,
        after.pages * after.page_size / 1e6,
    )
    return True


def temp_folder(environ: Mapping[str, str]) -> Path:
    """Where SQLite on Unix writes VACUUM's temporary copy: the first writable folder of
    `SQLITE_TMPDIR`, `TMPDIR`, /var/tmp, /usr/tmp, /tmp and the working folder."""
    named = [environ.get("SQLITE_TMPDIR"), environ.get("TMPDIR"), *_UNIX_TEMP_FOLDERS]
    for folder in filter(None, named):
        if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK):
            return Path(folder)
    return Path(".")


def room_needed(database: Path, temp: Path, live_bytes: int) -> dict[Path, int]:
    """Bytes VACUUM needs per file system (keyed by a folder on it): a copy of the live data
    in the temporary folder and one in the `-wal` file beside the database, each with
    `SPARE_SHARE` more; both on the database's file system when they share it."""
    copy = live_bytes + int(live_bytes * SPARE_SHARE)
    folder = database.resolve().parent
    if os.stat(folder).st_dev == os.stat(temp).st_dev:
        return {folder: 2 * copy}
    return {folder: copy, temp: copy}


def shortfalls(needed: Mapping[Path, int], free_bytes: Callable[[Path], int]) -> list[str]:
    """One phrase per file system with less free space than needed, empty when all fit."""
    found = []
    for folder, size in needed.items():
        free = free_bytes(folder)
        if free < size:
            found.append(
                f"{size / 1e6:,.0f} MB free on {folder}'s disk, which has {free / 1e6:,.0f}"
            )
    return found
