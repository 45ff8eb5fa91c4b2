"""The delivery sweep's heartbeat: when the last sweep ran, how long it took, and the last sign
of progress, written by the process that sweeps, read by `/stats` and `gutbone-bot health`.

A sweep can run for hours (a million tips at 30 a second), so progress is recorded while it
runs too: a sweep that started long ago but still finishes tips is alive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

from storage.tables.lease import DELIVERY  # the duty: one name for the lease and its heartbeat


@dataclass(frozen=True)
class Heartbeat:
    """The last sweep as stored; `finished_at` is None until a first sweep has finished."""

    holder: str
    started_at: datetime
    finished_at: datetime | None
    seconds: float | None
    progress_at: datetime

    @property
    def running(self) -> bool:
        return self.finished_at is None or self.finished_at < self.started_at


@dataclass(frozen=True)
class LeaseHolder:
    """Who holds the delivery lease, and until when."""

    holder: str
    expires_at: datetime


def started(db: Database, holder: str, now: datetime) -> None:
    at = now.timestamp()
    db.execute(
        "INSERT INTO heartbeat (name, holder, started_at, progress_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder,"
        " started_at = excluded.started_at, progress_at = excluded.progress_at",
        [DELIVERY, holder, at, at],
    )


def progressed(db: Database, now: datetime) -> None:
    db.execute("UPDATE heartbeat SET progress_at = ? WHERE name = ?", [now.timestamp(), DELIVERY])


def finished(db: Database, now: datetime, seconds: float) -> None:
    at = now.timestamp()
    db.execute(
        "UPDATE heartbeat SET finished_at = ?, seconds = ?, progress_at = ? WHERE name = ?",
        [at, seconds, at, DELIVERY],
    )


def read(db: Database) -> Heartbeat | None:
    row = db.execute(
        "SELECT holder, started_at, finished_at, seconds, progress_at FROM heartbeat"
        " WHERE name = ?",
        [DELIVERY],
    ).fetchone()
    if row is None:
        return None
    holder, started_at, finished_at, seconds, progress_at = row
    return Heartbeat(
        holder,
        _moment(started_at),
        _moment(finished_at) if finished_at is not None else None,
        seconds,
        _moment(progress_at),
    )


def lease_holder(db: Database) -> LeaseHolder | None:
    row = db.execute("SELECT holder, expires_at FROM lease WHERE name = ?", [DELIVERY]).fetchone()
    return LeaseHolder(row[0], _moment(row[1])) if row else None


def health_problem(
    lease: LeaseHolder | None, beat: Heartbeat | None, now: datetime, max_age: timedelta
) -> str | None:
    """Why delivery does not look alive (None: it does). Pure: everything is an argument.

    Alive means a process holds an unexpired lease and a sweep made progress within
    `max_age` (a takeover inherits its predecessor's last sweep until its own first one).
    """
    if lease is None:
        return "no process holds the delivery lease: is the bot running?"
    if lease.expires_at <= now:
        return f"the delivery lease of {lease.holder} expired {_ago(now, lease.expires_at)} ago"
    if beat is None:
        return f"{lease.holder} holds the delivery lease but no sweep has run yet"
    quiet = now - beat.progress_at
    if quiet <= max_age:
        return None
    limit = f"over {max_age.total_seconds():g} s"
    if beat.running:
        return (
            f"a sweep has run since {beat.started_at:%Y-%m-%d %H:%M:%S} UTC with no tip"
            f" finished for {_ago(now, beat.progress_at)} ({limit})"
        )
    return f"the last sweep was {_ago(now, beat.progress_at)} ago ({limit})"


def _ago(now: datetime, then: datetime) -> str:
    return f"{(now - then).total_seconds():.0f} s"


def _moment(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
