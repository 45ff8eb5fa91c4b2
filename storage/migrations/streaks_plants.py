"""Migrations 14 and 15: check-ins and plants kept as small running figures, not histories.

14: `checkins` (a row per chat per day, kept forever) becomes `streaks`, one row per chat of
running figures, folded from the chat's days in order by the rules of `habits.streaks`.
15: `plants` keeps one row per (chat, week) with the week's names in order, and only the
recent weeks: those from two weeks before the latest week stored on.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby

from sqlite_utils import Database

from habits.streaks import NONE, fold
from storage.tables import streaks

__all__ = ["v14_streaks", "v15_plants"]


def v14_streaks(db: Database) -> None:
    """Each chat's check-in days folded into its running figures; the days themselves go
    (the tip pressed and the press's time were never read back)."""
    db.execute(
        """CREATE TABLE streaks (
            chat_id INTEGER PRIMARY KEY,
            days INTEGER NOT NULL,            -- check-in days of the current run
            last_day TEXT NOT NULL,           -- its last check-in, the chat's local ISO date
            frozen_day TEXT,                  -- its latest frozen (forgiven) missed day
            freezes INTEGER NOT NULL,         -- missed days it forgave
            longest INTEGER NOT NULL,         -- the longest run ever, in check-in days
            recent INTEGER NOT NULL           -- bit i set: a check-in on last_day - i days
        )"""
    )
    found = db.execute("SELECT chat_id, local_date FROM checkins ORDER BY chat_id, local_date")
    rows = []
    for chat_id, days in groupby(found, key=lambda row: row[0]):
        figures = NONE
        for _, day in days:
            figures = fold(figures, date.fromisoformat(day))
        rows.append(streaks.row(chat_id, figures))
    db.conn.executemany("INSERT INTO streaks VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    db.execute("DROP TABLE checkins")


def v15_plants(db: Database) -> None:
    """One row per (chat, week), names in the order added; weeks older than two weeks before
    the latest one any chat stored are dropped (the database's own "today", so a bot upgraded
    after a long stop keeps the weeks it had)."""
    db.execute("ALTER TABLE plants RENAME TO plants_v8")
    db.execute(
        """CREATE TABLE plants (
            chat_id INTEGER NOT NULL,
            week TEXT NOT NULL,               -- the Monday of the chat's local week, ISO date
            names TEXT NOT NULL,              -- the week's plants in the order added, one a line
            PRIMARY KEY (chat_id, week)
        ) WITHOUT ROWID"""
    )
    db.execute("CREATE INDEX plants_by_week ON plants (week)")  # the sweep's pruning
    found = db.execute(
        "SELECT chat_id, week, plant FROM plants_v8"
        " WHERE week >= (SELECT date(max(week), '-14 days') FROM plants_v8)"
        " ORDER BY chat_id, week, added_at, rowid"
    )
    rows = [
        (chat_id, week, "\n".join(plant for *_, plant in names))
        for (chat_id, week), names in groupby(found, key=lambda row: (row[0], row[1]))
    ]
    db.conn.executemany("INSERT INTO plants VALUES (?, ?, ?)", rows)
    db.execute("DROP TABLE plants_v8")
