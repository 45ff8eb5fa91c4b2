"""Migration 16: the deliveries table made compact, and kept only as long as it is needed.

A row is the exactly-once record of one (chat, local day) daily tip. Exactly-once needs the
current local day's rows and `/stats` the UTC days today and yesterday, so only the last few
days are copied (pending claims always, however old: they are resumed or closed by the next
sweep). The table loses its rowid (the key is the primary key), names its tip by number
(`tip_numbers`), its local day as a day number and its last change as epoch seconds; a
finished row forgets its claim token (only a pending row's token is ever compared). One index
on the instant serves `/stats` and pruning; a partial one holds the few pending rows.
"""

from __future__ import annotations

from sqlite_utils import Database

__all__ = ["v16_compact_deliveries"]

STATUSES_V16 = "'pending', 'sent', 'maybe_sent', 'failed', 'blocked', 'released'"
KEPT_SECONDS_V16 = 3 * 86_400  # before the newest record: what the pruning keeps (3 days)
_UNIX_EPOCH_JULIAN = 2440587.5  # julianday('1970-01-01')


_TABLE = f"""CREATE TABLE deliveries_v16 (
    chat_id INTEGER NOT NULL,
    local_day INTEGER NOT NULL,       -- the claim's local date, in its zone at claim time, as
                                      -- days since 1970-01-01: date(local_day * 86400, 'unixepoch')
    tip INTEGER NOT NULL,             -- tip_numbers.number
    status TEXT NOT NULL CHECK (status IN ({STATUSES_V16})),
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at INTEGER NOT NULL,    -- UTC epoch seconds of the claim
    updated_at INTEGER NOT NULL,      -- claimed, resumed or finished at (UTC epoch seconds)
    claim TEXT,                       -- the claim that may finish a pending row; NULL once finished
    PRIMARY KEY (chat_id, local_day)
) WITHOUT ROWID"""


def v16_compact_deliveries(db: Database) -> None:
    """Copy the recent deliveries (and every pending one) into the compact table.

    "Recent" is measured from the newest record, not the clock: a migration is a function of
    the file alone, and a database left idle for a month keeps its last days until the
    delivering process prunes them.
    """
    db.execute(_TABLE)
    # Rows written since migration 11 may name tips it did not number yet.
    db.execute(
        "INSERT OR IGNORE INTO tip_numbers (tip_id)"
        " SELECT DISTINCT tip_id FROM deliveries ORDER BY tip_id"
    )
    db.execute(
        f"""INSERT INTO deliveries_v16 (chat_id, local_day, tip, status, attempts,
            delivered_at, updated_at, claim)
        SELECT d.chat_id, CAST(julianday(d.local_date) - {_UNIX_EPOCH_JULIAN} AS INTEGER),
            n.number, d.status, d.attempts, d.delivered_at,
            coalesce(CAST(strftime('%s', d.updated_at) AS INTEGER), d.delivered_at),
            CASE WHEN d.status = 'pending' THEN d.claim END
        FROM deliveries d JOIN tip_numbers n ON n.tip_id = d.tip_id
        WHERE julianday(d.local_date) IS NOT NULL AND (d.status = 'pending'
            OR d.delivered_at >= (SELECT max(delivered_at) FROM deliveries) - ?)""",
        [KEPT_SECONDS_V16],
    )
    db.execute("DROP TABLE deliveries")
    db.execute("ALTER TABLE deliveries_v16 RENAME TO deliveries")
    db.execute("CREATE INDEX deliveries_by_instant ON deliveries (delivered_at, status)")
    db.execute(
        "CREATE INDEX deliveries_pending ON deliveries (updated_at) WHERE status = 'pending'"
    )
