"""The query plans of the real statements: each hot one finds its rows by a key, never by a
SCAN of a table that grows with the subscribers, and every index left is one a plan uses.

Each test runs a store method with SQLite's trace on, so the statements checked are the ones
the code runs (with their values bound), then asks `EXPLAIN QUERY PLAN` about each.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from scheduler.due import Schedule
from scheduler.records import DeliveryStatus
from storage import Store

NOW = datetime(2026, 3, 2, 8, tzinfo=UTC)
NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MON = date(2026, 3, 2)
DAY = date(2026, 3, 2)
EIGHT_UTC = Schedule(time(8), ZoneInfo("UTC"))
_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")  # no plan to read


def statements(store: Store, call: Callable[[], object]) -> list[str]:
    """The SQL `call` runs (values inlined), transaction control and pragmas aside."""
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        call()
    finally:
        store.db.conn.set_trace_callback(None)
    return [sql for sql in seen if not sql.lstrip().upper().startswith(_CONTROL)]


def plans(store: Store, action: Callable[[], object], table: str) -> dict[str, str]:
    """Each statement `action` ran that names `table`, with its query plan as one text."""
    return {
        sql: " | ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in statements(store, action)
        if re.search(rf"\b{table}\b", sql)
    }


def with_history(store: Store) -> None:
    for chat_id in (1, 2):
        store.subscribe(chat_id, "private", EIGHT_UTC, NOW)
        store.mark_seen(chat_id, "a", NOW)
        store.vote(chat_id, "a", 1, NOW)


def by_rowid(found: dict[str, str]) -> None:
    assert found, "the action ran no statement on the table"
    for sql, plan in found.items():
        assert "SEARCH rotation USING INTEGER PRIMARY KEY (rowid=?)" in plan, (sql, plan)
        assert "SCAN" not in plan, (sql, plan)


def test_the_rotations_reads_and_writes_find_the_chat_by_its_rowid(store):
    with_history(store)
    by_rowid(plans(store, lambda: store.seen_tips(1), "rotation"))
    by_rowid(plans(store, lambda: store.last_seen_tip(1), "rotation"))
    by_rowid(plans(store, lambda: store.seen_histories([1, 2, 3]), "rotation"))
    by_rowid(plans(store, lambda: store.forget_seen(1, ["a"]), "rotation"))
    by_rowid(plans(store, lambda: store.migrate(1, 5, NOW), "rotation"))
    marked = plans(store, lambda: store.mark_seen(2, "b", NOW), "rotation")
    assert marked and not any("SCAN" in plan for plan in marked.values())


def test_a_finished_delivery_marks_its_tip_seen_by_keys_alone(store):
    store.subscribe(1, "private", EIGHT_UTC, NOW)
    store.claim_delivery(1, DAY, "a", NOW)
    found = plans(
        store, lambda: store.finish_delivery(1, DAY, DeliveryStatus.SENT, NOW, None), "rotation"
    )
    [(sql, plan)] = found.items()
    assert plan == "SEARCH deliveries USING PRIMARY KEY (chat_id=? AND local_day=?)", (sql, plan)


def test_a_chats_vote_is_found_by_the_primary_key(store):
    with_history(store)
    found = plans(store, lambda: store.vote(1, "a", -1, NOW), "votes")
    found |= plans(store, lambda: store.vote_of(1, "a"), "votes")
    found |= plans(store, lambda: store.migrate(1, 5, NOW), "votes")
    found |= plans(store, lambda: store.chat_votes([1]), "votes")  # /tip's
    found |= plans(store, lambda: store.vote_masks([1, 2, 3]), "votes")  # a claim batch's
    for sql, plan in found.items():
        if not sql.startswith("INSERT"):
            assert "SEARCH votes USING INTEGER PRIMARY KEY (rowid=?)" in plan, (sql, plan)
        assert "SCAN" not in plan, (sql, plan)


def test_a_chats_rows_are_exported_and_erased_by_key(store):
    with_history(store)
    found = plans(store, lambda: store.export_chat(1, NOW), "votes")
    found |= plans(store, lambda: store.export_chat(1, NOW), "rotation")
    found |= plans(store, lambda: store.erase_chat(1, NOW), "votes")
    found |= plans(store, lambda: store.erase_chat(2, NOW), "rotation")
    assert len(found) == 4
    for sql, plan in found.items():
        assert plan.startswith("SEARCH") and "SCAN" not in plan, (sql, plan)


def test_the_votes_per_tip_are_read_from_their_own_small_table_never_from_every_vote(store):
    """`tips stats` and `/stats` read `tip_votes` (one row a tip, kept by triggers), never
    `votes`, which grows with the subscribers."""
    with_history(store)
    assert plans(store, store.feedback_counts, "votes") == {}
    assert plans(store, lambda: store.stats(NOW), "votes") == {}
    [(sql, plan)] = plans(store, store.feedback_counts, "tip_votes").items()
    assert "SEARCH n USING INTEGER PRIMARY KEY" in plan, (sql, plan)


def test_the_per_tip_counts_follow_every_change_to_the_votes(store):
    store.vote(1, "a", 1, NOW)
    store.vote(2, "a", 1, NOW)
    store.vote(3, "a", -1, NOW)
    store.vote(2, "a", -1, NOW)  # changed
    store.vote(2, "b", 1, NOW)
    store.subscribe(3, "private", EIGHT_UTC, NOW)
    store.erase_chat(3, NOW)  # deleted
    store.migrate(2, 4, NOW)  # moved to a supergroup
    counted = {tip: (v.up, v.down) for tip, v in store.feedback_counts().items()}
    recount = store.db.execute(
        "SELECT n.tip_id, sum(v.up), sum(NOT v.up) FROM ("
        " SELECT value AS tip, 1 AS up FROM votes, json_each(tip_set_json(votes.liked))"
        " UNION ALL SELECT value, 0 FROM votes, json_each(tip_set_json(votes.disliked))"
        ") AS v JOIN tip_numbers AS n ON n.number = v.tip GROUP BY n.tip_id"
    ).fetchall()
    assert (
        counted
        == {tip: (up, down) for tip, up, down in recount}
        == {
            "a": (1, 1),
            "b": (1, 0),
        }
    )


def all_plans(store: Store, call: Callable[[], object]) -> list[str]:
    """Each statement's query plan, its steps joined by " | " (empty for a plain insert)."""
    return [
        " | ".join(row[3] for row in store.db.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
        for sql in statements(store, call)
    ]


def test_check_ins_read_and_write_one_row_by_its_key(store):
    store.check_in(1, MON)
    found = all_plans(store, lambda: store.check_in(1, date(2026, 3, 3)))
    found += all_plans(store, lambda: store.checked_in(1, MON))
    found += all_plans(store, lambda: store.streak_of(1, MON))
    assert found[0] == "SEARCH streaks USING INTEGER PRIMARY KEY (rowid=?)"
    assert all("SCAN" not in plan for plan in found) and len(found) == 4


def test_a_groups_streak_moves_by_key(store):
    store.check_in(-5, MON)
    moved = [
        plan
        for plan in all_plans(store, lambda: store.migrate(-5, -1005, NOON))
        if "streaks" in plan
    ]
    assert moved and all("PRIMARY KEY" in plan and "SCAN" not in plan for plan in moved)


def test_plants_read_add_and_prune_by_key(store):
    store.add_plants(1, MON, ["oats"])
    found = all_plans(store, lambda: store.plants_of(1, MON))
    assert found == ["SEARCH plants USING PRIMARY KEY (chat_id=? AND week=?)"]
    added = all_plans(store, lambda: store.add_plants(1, date(2026, 3, 9), ["kale"]))
    assert "SEARCH plants USING PRIMARY KEY (chat_id=? AND week<?)" in added  # the old weeks
    assert all("SCAN" not in plan for plan in added)


def test_the_sweep_prunes_plants_through_the_week_index(store):
    store.add_plants(1, MON, ["oats"])
    [plan] = all_plans(store, lambda: store.prune_plants(date(2026, 3, 9), 100))
    assert "USING COVERING INDEX plants_by_week (week<?)" in plan and "SCAN" not in plan
