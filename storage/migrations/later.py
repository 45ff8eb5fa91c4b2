"""Migrations 3 to 10: the columns and tables added after the first layout, up to claims."""

from __future__ import annotations

from sqlite_utils import Database

__all__ = [
    "EVENT_KINDS_V5",
    "STATUSES_V10",
    "v3_row_problems",
    "v4_lease",
    "v5_operations",
    "v6_feedback",
    "v7_preferences",
    "v8_plants",
    "v9_channels",
    "v10_claims",
]


def v3_row_problems(db: Database) -> None:
    """Why a subscriber's row could not be used; set once, so a bad row is logged once."""
    db.execute("ALTER TABLE subscribers ADD COLUMN problem TEXT")


def v4_lease(db: Database) -> None:
    """Which process may deliver: one row per leased duty, held until `expires_at`."""
    db.execute(
        """CREATE TABLE lease (
            name TEXT PRIMARY KEY,            -- the duty: 'delivery'
            holder TEXT NOT NULL,             -- host, pid and a random part of one process
            expires_at REAL NOT NULL          -- UTC epoch seconds
        )"""
    )


EVENT_KINDS_V5 = "'joined', 'left', 'rate_limited', 'failed'"


def v5_operations(db: Database) -> None:
    """What operators ask about: recent events (kept a week), the last sweep, and an index
    to count the tips sent on a day without reading every delivery record."""
    db.execute(
        f"""CREATE TABLE events (
            at INTEGER NOT NULL,              -- UTC epoch seconds
            kind TEXT NOT NULL CHECK (kind IN ({EVENT_KINDS_V5}))
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


def v6_feedback(db: Database) -> None:
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


def v7_preferences(db: Database) -> None:
    """What a chat chose to receive: its topics (NULL: all of them) and a pause's end."""
    db.execute("ALTER TABLE subscribers ADD COLUMN topics TEXT")  # topic ids, comma-separated
    db.execute("ALTER TABLE subscribers ADD COLUMN paused_until INTEGER")  # UTC epoch seconds


def v8_plants(db: Database) -> None:
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


def v9_channels(db: Database) -> None:
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


STATUSES_V10 = "'pending', 'sent', 'maybe_sent', 'failed', 'blocked', 'released'"


def v10_claims(db: Database) -> None:
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
            status TEXT NOT NULL CHECK (status IN ({STATUSES_V10})),
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
