"""The database layout, as numbered migrations keyed by SQLite's `PRAGMA user_version`.

Migration N brings a database from version N-1 to N, inside one `BEGIN IMMEDIATE` transaction
that also sets `user_version = N`, so a crash or a second process starting at the same moment
leaves either the old version or the new one, never half of a step. A migration, once
released, never changes: the next change is a new function at the end of `MIGRATIONS`.

Version 1 is the first released layout (its early builds set `user_version = 1` themselves,
later ones left it at 0 with the same tables plus a status CHECK; both upgrade the same way).
Chat ids are 64-bit integers; times are UTC epoch seconds or ISO text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from scheduler.due import Schedule, local_date, slot
from storage.errors import DatabaseTooNew, MigrationRefused

Migration = Callable[[Database], None]

# Frozen with the migration that introduced them; the enum is checked against them in tests.
_STATUSES_V1 = "'pending', 'sent', 'failed', 'blocked', 'released'"
_TAKEN_V1 = "'pending', 'sent'"

_TABLES_V1 = (
    """CREATE TABLE IF NOT EXISTS subscribers (
        chat_id INTEGER PRIMARY KEY,
        chat_type TEXT NOT NULL DEFAULT 'private',
        active INTEGER NOT NULL DEFAULT 1,
        delivery_time TEXT NOT NULL,          -- local 'HH:MM'
        timezone TEXT NOT NULL,               -- IANA name
        schedule_since INTEGER NOT NULL,      -- UTC epoch seconds from which tips are owed
        last_delivery TEXT,                   -- local date of the last pending/sent daily tip
        next_due_at INTEGER,                  -- UTC epoch seconds; NULL while inactive
        subscribed_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE INDEX IF NOT EXISTS subscribers_next_due ON subscribers (next_due_at)
        WHERE next_due_at IS NOT NULL""",
    # One row per (chat, local date): the record that makes the daily tip exactly-once.
    f"""CREATE TABLE IF NOT EXISTS deliveries (
        chat_id INTEGER NOT NULL,
        local_date TEXT NOT NULL,
        tip_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ({_STATUSES_V1})),
        attempts INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, local_date)
    )""",
    """CREATE INDEX IF NOT EXISTS deliveries_pending ON deliveries (chat_id)
        WHERE status = 'pending'""",
    # Tips a chat has seen in its current rotation cycle (daily, /tip and /avoid alike).
    """CREATE TABLE IF NOT EXISTS seen_tips (
        chat_id INTEGER NOT NULL,
        tip_id TEXT NOT NULL,
        seen_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, tip_id)
    )""",
)

_DELIVERIES_V2 = (
    f"""CREATE TABLE deliveries_v2 (
        chat_id INTEGER NOT NULL,
        local_date TEXT NOT NULL,             -- the claim's local date, in its zone at claim time
        tip_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ({_STATUSES_V1})),
        attempts INTEGER NOT NULL DEFAULT 0,
        delivered_at INTEGER NOT NULL,        -- UTC epoch seconds of the claim
        updated_at TEXT NOT NULL,
        PRIMARY KEY (chat_id, local_date)
    )""",
    # Rows from before delivered_at: the moment of their last change (seconds after sending),
    # else noon UTC of their date; `_pin_last_days` then makes the latest one exact.
    """INSERT INTO deliveries_v2
        (chat_id, local_date, tip_id, status, attempts, delivered_at, updated_at)
        SELECT chat_id, local_date, tip_id, status, attempts,
            COALESCE(CAST(strftime('%s', updated_at) AS INTEGER),
                     CAST(strftime('%s', local_date || 'T12:00:00') AS INTEGER), 0),
            updated_at
        FROM deliveries""",
    "DROP TABLE deliveries",
    "ALTER TABLE deliveries_v2 RENAME TO deliveries",
    "CREATE INDEX deliveries_pending ON deliveries (chat_id) WHERE status = 'pending'",
    "CREATE INDEX deliveries_by_instant ON deliveries (chat_id, delivered_at, status)",
    "ALTER TABLE subscribers ADD COLUMN last_delivered_at INTEGER",  # its max, in UTC seconds
)


def _v1_tables(db: Database) -> None:
    """The first released layout; a no-op on a database that already has it."""
    for statement in _TABLES_V1:
        db.execute(statement)


def _v2_delivery_instants(db: Database) -> None:
    """Remember each delivery's UTC instant, so its local day follows timezone changes.

    Also gives `deliveries.status` its CHECK on databases from builds that had none; a
    status this code does not know refuses the upgrade rather than guess what it meant.
    """
    unknown = [
        row["status"]
        for row in db.query(
            f"SELECT DISTINCT status FROM deliveries WHERE status NOT IN ({_STATUSES_V1})"
        )
    ]
    if unknown:
        raise MigrationRefused(
            f"deliveries has statuses this version does not know ({', '.join(map(repr, unknown))});"
            " fix or delete those rows, then start again"
        )
    for statement in _DELIVERIES_V2:
        db.execute(statement)
    _pin_last_days(db)
    db.execute(
        "UPDATE subscribers SET last_delivered_at = (SELECT max(delivered_at) FROM deliveries d"
        f" WHERE d.chat_id = subscribers.chat_id AND d.status IN ({_TAKEN_V1}))"
    )


def _pin_last_days(db: Database) -> None:
    """Make each chat's latest delivery fall inside the local day it was recorded for.

    Only the latest one decides when the next tip is due; if its estimated instant lies on
    another local day (sent just after midnight), use that day's delivery time instead.
    """
    rows = db.query(
        "SELECT d.chat_id, d.local_date, d.delivered_at, s.timezone, s.delivery_time"
        " FROM deliveries d JOIN subscribers s ON s.chat_id = d.chat_id"
        f" WHERE d.status IN ({_TAKEN_V1}) AND d.local_date = (SELECT max(local_date)"
        f" FROM deliveries x WHERE x.chat_id = d.chat_id AND x.status IN ({_TAKEN_V1}))"
    )
    for row in list(rows):
        try:
            schedule = Schedule(time.fromisoformat(row["delivery_time"]), ZoneInfo(row["timezone"]))
            day = date.fromisoformat(row["local_date"])
        except (ValueError, TypeError, KeyError, OSError):
            continue  # a bad row keeps its estimate; the store reports it when it reads it
        if local_date(schedule, datetime.fromtimestamp(row["delivered_at"], UTC)) != day:
            db.execute(
                "UPDATE deliveries SET delivered_at = ? WHERE chat_id = ? AND local_date = ?",
                [int(slot(schedule, day).timestamp()), row["chat_id"], row["local_date"]],
            )


def _v3_row_problems(db: Database) -> None:
    """Why a subscriber's row could not be used; set once, so a bad row is logged once."""
    db.execute("ALTER TABLE subscribers ADD COLUMN problem TEXT")


def _v4_lease(db: Database) -> None:
    """Which process may deliver: one row per leased duty, held until `expires_at`."""
    db.execute(
        """CREATE TABLE lease (
            name TEXT PRIMARY KEY,            -- the duty: 'delivery'
            holder TEXT NOT NULL,             -- host, pid and a random part of one process
            expires_at REAL NOT NULL          -- UTC epoch seconds
        )"""
    )


_EVENT_KINDS_V5 = "'joined', 'left', 'rate_limited', 'failed'"


def _v5_operations(db: Database) -> None:
    """What operators ask about: recent events (kept a week), the last sweep, and an index
    to count the tips sent on a day without reading every delivery record."""
    db.execute(
        f"""CREATE TABLE events (
            at INTEGER NOT NULL,              -- UTC epoch seconds
            kind TEXT NOT NULL CHECK (kind IN ({_EVENT_KINDS_V5}))
        )"""
    )
    db.execute("CREATE INDEX events_by_kind ON events (kind, at)")
    db.execute(
        """CREATE TABLE heartbeat (
            name TEXT PRIMARY KEY,            -- the duty: 'delivery'
            holder TEXT NOT NULL,             -- the process that swept (its lease holder id)
            started_at REAL NOT NULL,         -- UTC epoch seconds: the last sweep's start
            finished_at REAL,                 -- NULL while that sweep runs
            seconds REAL,                     -- how long the last finished sweep took
            progress_at REAL NOT NULL         -- the last sign of life: a start, a tip, an end
        )"""
    )
    db.execute("CREATE INDEX deliveries_sent_at ON deliveries (delivered_at) WHERE status = 'sent'")


def _v6_feedback(db: Database) -> None:
    """One-tap feedback: a chat's 👍/👎 per tip (one vote, changeable), and its ✅ check-ins,
    one per local day (the subscriber's date when they pressed, kept as that date)."""
    db.execute(
        """CREATE TABLE feedback (
            chat_id INTEGER NOT NULL,
            tip_id TEXT NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at INTEGER NOT NULL,        -- UTC epoch seconds of the latest press
            PRIMARY KEY (chat_id, tip_id)
        )"""
    )
    db.execute("CREATE INDEX feedback_by_tip ON feedback (tip_id, vote)")
    db.execute(
        """CREATE TABLE checkins (
            chat_id INTEGER NOT NULL,
            local_date TEXT NOT NULL,         -- the chat's local date at the press
            tip_id TEXT NOT NULL,             -- the tip whose button was pressed
            checked_at INTEGER NOT NULL,      -- UTC epoch seconds
            PRIMARY KEY (chat_id, local_date)
        )"""
    )


def _v7_preferences(db: Database) -> None:
    """What a chat chose to receive: its topics (NULL: all of them) and a pause's end."""
    db.execute("ALTER TABLE subscribers ADD COLUMN topics TEXT")  # topic ids, comma-separated
    db.execute("ALTER TABLE subscribers ADD COLUMN paused_until INTEGER")  # UTC epoch seconds


def _v8_plants(db: Database) -> None:
    """The "30 plants a week" tally: each different plant a chat ate, once per local week."""
    db.execute(
        """CREATE TABLE plants (
            chat_id INTEGER NOT NULL,
            week TEXT NOT NULL,               -- the Monday of the chat's local week, ISO date
            plant TEXT NOT NULL,              -- the plant's name in the shipped plant list
            added_at INTEGER NOT NULL,        -- UTC epoch seconds
            PRIMARY KEY (chat_id, week, plant)
        )"""
    )


def _v9_channels(db: Database) -> None:
    """Channels a person subscribed from their private chat: one row per (person, channel).

    Keyed by the person's private chat, so their /export shows it and /delete_me erases it;
    the channel's own subscription is an ordinary `subscribers` row.
    """
    db.execute(
        """CREATE TABLE channel_owners (
            chat_id INTEGER NOT NULL,         -- the owner's private chat (their user id)
            channel_id INTEGER NOT NULL,      -- the channel's -100... chat id
            channel_name TEXT NOT NULL,       -- '@name' or its title, as last seen
            added_at INTEGER NOT NULL,        -- UTC epoch seconds
            PRIMARY KEY (chat_id, channel_id)
        )"""
    )
    db.execute("CREATE INDEX channel_owners_by_channel ON channel_owners (channel_id)")


_STATUSES_V10 = "'pending', 'sent', 'maybe_sent', 'failed', 'blocked', 'released'"


def _v10_claims(db: Database) -> None:
    """Claims that name who may finish them, and a final `maybe_sent` for a lost answer.

    SQLite cannot change a CHECK in place, so the deliveries table is copied once (about a
    minute for 14 million rows). Rows pending from an older version have no claim: whoever
    delivers next may resume them at once. The lease row also names its process, so a
    process restarted on the same host sees that the holder died and need not wait it out.
    """
    db.execute(
        f"""CREATE TABLE deliveries_v10 (
            chat_id INTEGER NOT NULL,
            local_date TEXT NOT NULL,         -- the claim's local date, in its zone at claim time
            tip_id TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ({_STATUSES_V10})),
            attempts INTEGER NOT NULL DEFAULT 0,
            delivered_at INTEGER NOT NULL,    -- UTC epoch seconds of the claim
            updated_at TEXT NOT NULL,         -- claimed, resumed or finished at (ISO, UTC)
            claim TEXT,                       -- the claim that may finish a pending row
            PRIMARY KEY (chat_id, local_date)
        )"""
    )
    db.execute(
        "INSERT INTO deliveries_v10 (chat_id, local_date, tip_id, status, attempts,"
        " delivered_at, updated_at) SELECT chat_id, local_date, tip_id, status, attempts,"
        " delivered_at, updated_at FROM deliveries"
    )
    db.execute("DROP TABLE deliveries")
    db.execute("ALTER TABLE deliveries_v10 RENAME TO deliveries")
    db.execute("CREATE INDEX deliveries_pending ON deliveries (chat_id) WHERE status = 'pending'")
    db.execute("CREATE INDEX deliveries_by_instant ON deliveries (chat_id, delivered_at, status)")
    db.execute("CREATE INDEX deliveries_sent_at ON deliveries (delivered_at) WHERE status = 'sent'")
    db.execute("ALTER TABLE lease ADD COLUMN process TEXT")  # boot, pid namespace, start time


MIGRATIONS: tuple[Migration, ...] = (
    _v1_tables,
    _v2_delivery_instants,
    _v3_row_problems,
    _v4_lease,
    _v5_operations,
    _v6_feedback,
    _v7_preferences,
    _v8_plants,
    _v9_channels,
    _v10_claims,
)
LATEST = len(MIGRATIONS)


def schema_version(db: Database) -> int:
    """The database's `PRAGMA user_version`: how many migrations it has had."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def upgrade(db: Database) -> None:
    """Run the migrations this database has not had, each in its own transaction.

    A database from a newer version is refused, never downgraded: its `user_version` stays.
    """
    _refuse_newer(schema_version(db))
    while _step(db):
        pass


def _step(db: Database) -> bool:
    """Apply the next migration, if any; False when the database is up to date."""
    with _immediate(db):
        version = schema_version(db)  # read under the write lock: another process may be here
        _refuse_newer(version)
        if version == LATEST:
            return False
        MIGRATIONS[version](db)
        db.execute(f"PRAGMA user_version = {version + 1}")
    return True


def _refuse_newer(version: int) -> None:
    if version > LATEST:
        raise DatabaseTooNew(
            f"the database is at schema version {version}, newer than this version of the bot"
            f" knows ({LATEST}); run the newer version, or restore a backup made for this one"
        )


@contextmanager
def _immediate(db: Database) -> Iterator[None]:
    """A transaction that takes the write lock at once, so two upgrades cannot interleave."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()
