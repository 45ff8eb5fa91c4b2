"""Check-ins in a real SQLite file: one ✅ per local day, kept as one row of running figures
per chat (`storage.tables.streaks`), and what older databases' check-ins become."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from habits.streaks import Streak, streak
from storage import Store
from tests.databases import database_at

CHAT, OTHER = 8080, 8081
MON = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def day(n: int) -> date:
    return MON + timedelta(days=n)


def test_one_check_in_per_local_day(store):
    assert store.check_in(CHAT, MON)
    assert not store.check_in(CHAT, MON)  # idempotent: one check-in a day, whichever tip
    assert store.check_in(CHAT, day(1))
    assert store.checked_in(CHAT, MON) and store.checked_in(CHAT, day(1))
    assert not store.checked_in(OTHER, MON) and not store.checked_in(CHAT, day(2))
    assert store.streak_of(CHAT, day(2)) == Streak(2, 2, today=False)
    assert store.db.execute("SELECT count(*) FROM streaks").fetchone()[0] == 1


def test_a_late_day_after_moving_west_counts_once_and_keeps_the_run(store):
    store.check_in(CHAT, MON)
    store.check_in(CHAT, day(2))  # Tuesday missed: frozen
    assert store.check_in(CHAT, day(1))  # the timezone moved west: Tuesday again
    assert not store.check_in(CHAT, day(1))  # pressed again: nothing new
    assert store.checked_in(CHAT, day(1))
    assert store.streak_of(CHAT, day(1)) == Streak(2, 2, today=True)
    assert store.streak_of(CHAT, day(3)) == Streak(2, 2, today=False)


def test_a_group_moving_to_its_supergroup_keeps_the_better_run(store):
    for n in range(5):
        store.check_in(-5, day(n))
    store.check_in(-1005, day(5))  # the supergroup's first day
    store.migrate(-5, -1005, NOW)
    assert store.streak_of(-1005, day(5)) == Streak(6, 6, today=True)
    assert store.streak_of(-5, day(5)) == Streak(0, 0, today=False)


def test_export_shows_the_figures_and_erase_deletes_them(store):
    for n in (0, 1, 3):
        store.check_in(CHAT, day(n))
    store.check_in(OTHER, MON)
    [row] = store.export_chat(CHAT, NOW)["tables"]["streaks"]
    assert row == {
        "chat_id": CHAT,
        "days": 3,
        "last_day": "2026-03-05",
        "frozen_day": "2026-03-04",
        "freezes": 1,
        "longest": 3,
        "recent": 0b1101,  # bit i: last_day - i days
    }
    assert store.erase_chat(CHAT, NOW)["streaks"] == 1
    assert store.streak_of(CHAT, day(3)) == Streak(0, 0, today=False)
    assert store.checked_in(OTHER, MON)


def test_a_version_11_database_keeps_every_chats_streak(tmp_path):
    rng = random.Random(14)
    chats = {
        chat_id: sorted(day(n) for n in range(200) if rng.random() < share)
        for chat_id, share in enumerate([0.0, 0.3, 0.6, 0.9, 0.97, 1.0] * 5, start=1)
    }
    path = tmp_path / "v11.db"
    db = database_at(path, 11)
    rows = [(chat, d.isoformat(), "k2-a", 0) for chat, days in chats.items() for d in days]
    rng.shuffle(rows)  # stored in any order; folded in order of the day
    db.conn.executemany("INSERT INTO checkins VALUES (?, ?, ?, ?)", rows)
    db.conn.commit()
    db.close()
    store = Store.open(path)
    try:
        assert "checkins" not in store.db.table_names()
        for chat_id, days in chats.items():
            for today in (day(199), day(200), day(201), day(205)):
                assert store.streak_of(chat_id, today) == streak(days, today), (chat_id, today)
    finally:
        store.close()
