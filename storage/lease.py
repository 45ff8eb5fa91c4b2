"""The delivery lease: which process may deliver, as one row that only its holder extends.

Each operation is a single SQL statement, so it is atomic against another process on the same
database file without an explicit transaction: of two processes asking at once, one wins.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

DELIVERY = "delivery"

_ACQUIRE = """
INSERT INTO lease (name, holder, expires_at) VALUES (:name, :holder, :expires)
ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
WHERE lease.holder = excluded.holder OR lease.expires_at <= :now
"""


def acquire(db: Database, holder: str, now: datetime, ttl: float) -> bool:
    """Take the lease, or extend it if `holder` has it; False while another holds it."""
    expires = now.timestamp() + ttl
    params = {"name": DELIVERY, "holder": holder, "expires": expires, "now": now.timestamp()}
    return db.execute(_ACQUIRE, params).rowcount == 1


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
