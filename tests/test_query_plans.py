"""Every query on the hot path finds its rows through a key or an index, never by a SCAN:
the statements are the real ones, captured as the store runs them, then EXPLAINed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

from storage import Store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MON = date(2026, 3, 2)


def statements(store: Store, call: Callable[[], object]) -> list[str]:
    """The SQL `call` runs (values inlined), transaction control aside."""
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        store.db.conn.set_trace_callback(None)
    control = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")
    return [sql for sql in seen if not sql.lstrip().upper().startswith(control)]


def plans(store: Store, call: Callable[[], object]) -> list[str]:
    """Each statement's query plan, its steps joined by " | " (empty for a plain insert)."""
    return [
        " | ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
        for sql in statements(store, call)
    ]


def test_check_ins_read_and_write_one_row_by_its_key(store):
    store.check_in(1, MON, "a", NOW)
    found = plans(store, lambda: store.check_in(1, date(2026, 3, 3), "a", NOW))
    found += plans(store, lambda: store.checked_in(1, MON))
    found += plans(store, lambda: store.streak_of(1, MON))
    assert found[0] == "SEARCH streaks USING INTEGER PRIMARY KEY (rowid=?)"
    assert all("SCAN" not in plan for plan in found) and len(found) == 4


def test_a_groups_streak_moves_by_key(store):
    store.check_in(-5, MON, "a", NOW)
    moved = [
        plan for plan in plans(store, lambda: store.migrate(-5, -1005, NOW)) if "streaks" in plan
    ]
    assert moved and all("PRIMARY KEY" in plan and "SCAN" not in plan for plan in moved)


def test_plants_read_add_and_prune_by_key(store):
    store.add_plants(1, MON, ["oats"], NOW)
    found = plans(store, lambda: store.plants_of(1, MON))
    assert found == ["SEARCH plants USING PRIMARY KEY (chat_id=? AND week=?)"]
    added = plans(store, lambda: store.add_plants(1, date(2026, 3, 9), ["kale"], NOW))
    assert "SEARCH plants USING PRIMARY KEY (chat_id=? AND week<?)" in added  # the old weeks
    assert all("SCAN" not in plan for plan in added)


def test_the_sweep_prunes_plants_through_the_week_index(store):
    store.add_plants(1, MON, ["oats"], NOW)
    [plan] = plans(store, lambda: store.prune_plants(date(2026, 3, 9), 100))
    assert "USING COVERING INDEX plants_by_week (week<?)" in plan and "SCAN" not in plan
