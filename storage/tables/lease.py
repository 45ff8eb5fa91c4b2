"""The delivery lease: which process may deliver, as one row that only its holder extends.

Each operation is a single SQL statement, so it is atomic against another process on the same
database file without an explicit transaction: of two processes asking at once, one wins.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlite_utils import Database

from scheduler.lease import LeaseRow

DELIVERY = "delivery"

_ACQUIRE = """
INSERT INTO lease (name, holder, expires_at, process) VALUES (:name, :holder, :expires, :process)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at,
    process = excluded.process
WHERE lease.holder = excluded.holder OR lease.expires_at <= :now OR lease.holder = :dead
"""


def acquire(
    db: Database,
    holder: str,
    now: datetime,
    ttl: float,
    *,
    process: str | None = None,
    dead: str | None = None,
) -> bool:
    """Take the lease, or extend it if `holder` has it; False while another holds it.

    `dead` names a holder known to have died (its process is gone from this host): its
    lease is taken at once instead of after it lapses. Naming it in the statement keeps the
    take atomic: if someone else took the lease meanwhile, nothing changes.
    """
    params = {
        "name": DELIVERY,
        "holder": holder,
        "expires": now.timestamp() + ttl,
        "now": now.timestamp(),
        "process": process,
        "dead": dead,
    }
    return db.execute(_ACQUIRE, params).rowcount == 1


def row(db: Database) -> LeaseRow | None:
    """The lease as stored (None: nobody holds it, or ever did)."""
    found = db.execute(
        "SELECT holder, process, expires_at FROM lease WHERE name = ?", [DELIVERY]
    ).fetchone()
    if found is None:
        return None
    return LeaseRow(found[0], found[1], datetime.fromtimestamp(found[2], UTC))


def renew(db: Database, holder: str, now: datetime, ttl: float) -> bool:
    """Extend the lease `holder` has; False if another process has taken it meanwhile."""
    cursor = db.execute(
        "UPDATE lease SET expires_at = ? WHERE name = ? AND holder = ?",
        [now.timestamp() + ttl, DELIVERY, holder],
    )
    return cursor.rowcount == 1


def release(db: Database, holder: str) -> None:
    """Give the lease up, if `holder` still has it, so a standby need not wait it out."""
    db.execute("DELETE FROM lease WHERE name = ? AND holder = ?", [DELIVERY, holder])
