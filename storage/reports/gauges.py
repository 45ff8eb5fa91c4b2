"""The figures the metrics endpoint reads from the database when scraped (at most every 30 s):
subscribers by state, the due backlog, the last sweep, and the file's free pages.

One scan of `subscribers` (the states are sums over it) and one indexed range query: about
half a second at a million subscribers (measured on 2 shared cores), on a read-only
connection of its own, off the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from storage.space import measure
from storage.tables import heartbeat

__all__ = ["Gauges", "database_file", "read"]


@dataclass(frozen=True)
class Gauges:
    """Subscribers in exactly one state each, and how the sweeps are doing."""

    active: int  # subscribed, readable, not paused: daily tips due
    paused: int  # subscribed, readable, in a pause that has not ended
    inactive: int  # stopped, blocked the bot, or left
    unreadable: int  # rows whose settings cannot be read (left out of deliveries)
    due_backlog: int  # due now and not yet claimed
    sweep_finished_at: datetime | None  # the last sweep that finished
    sweep_progress_at: datetime | None  # the last sign of a sweep (a tip finished, or a sweep)
    pages: int  # the file's pages, free ones included
    free_pages: int  # on SQLite's free list: reused by new rows, or given back to the disk


def read(db: Database, now: datetime) -> Gauges:
    at = int(now.timestamp())
    readable = "problem IS NULL AND active"
    active, paused, inactive, unreadable = db.execute(
        f"SELECT coalesce(sum({readable} = 1 AND coalesce(paused_until, 0) <= ?), 0),"
        f" coalesce(sum({readable} = 1 AND paused_until > ?), 0),"
        f" coalesce(sum({readable} != 1), 0),"
        " coalesce(sum(problem IS NOT NULL), 0) FROM subscribers",
        [at, at],
    ).fetchone()
    [due] = db.execute(
        "SELECT count(*) FROM subscribers WHERE next_due_at IS NOT NULL AND next_due_at <= ?"
        " AND active = 1",
        [at],
    ).fetchone()
    beat = heartbeat.read(db)
    space = measure(db)
    return Gauges(
        active=int(active),
        paused=int(paused),
        inactive=int(inactive),
        unreadable=int(unreadable),
        due_backlog=int(due),
        sweep_finished_at=beat.finished_at if beat else None,
        sweep_progress_at=beat.progress_at if beat else None,
        pages=space.pages,
        free_pages=space.free_pages,
    )


def database_file(db: Database) -> Path | None:
    """The file `db` has open (None in memory): where another connection finds the same data."""
    for _, name, file in db.execute("PRAGMA database_list").fetchall():
        if name == "main":
            return Path(file) if file else None
    return None
