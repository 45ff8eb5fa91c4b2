"""The deliveries table: every index is used by a real query's plan; hot queries never scan it.

Each test runs `EXPLAIN QUERY PLAN` on the statement the code runs (or its exact text) and
asserts which index answers it: an index no plan names is bytes on every row for nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from scheduler.lifecycle import DeliveryStatus
from storage.tables import deliveries

EIGHT_UTC = Schedule(time(8), ZoneInfo("UTC"))
NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)


def plan(store, sql: str, params=()) -> str:
    """The query plan's steps, one per line."""
    rows = store.db.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return "\n".join(str(row[-1]) for row in rows)


def scans_a_table(steps: str, names: tuple[str, ...] = ("deliveries", "d")) -> bool:
    """A full scan of the table (by its name or alias) rather than a search of it; a scan of
    a small partial index, or of the rows a statement brings itself, is not one."""
    return any(
        step.split()[1] in names and "USING" not in step
        for step in steps.splitlines()
        if step.startswith("SCAN ")
    )


def test_the_deliveries_indexes_are_exactly_the_ones_the_plans_use(store):
    names = {
        row[0]
        for row in store.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'deliveries'"
        )
    }
    assert names == {"deliveries_by_instant", "deliveries_pending"}  # the key is the table


def test_stats_counts_sent_tips_of_a_utc_day_from_the_covering_index(store):
    steps = plan(
        store,
        "SELECT count(*) FROM deliveries WHERE status = ? AND delivered_at >= ?"
        " AND delivered_at < ?",
        [DeliveryStatus.SENT, 0, 1],
    )
    assert "COVERING INDEX deliveries_by_instant" in steps and not scans_a_table(steps)


def test_pruning_walks_the_primary_key_in_order(store):
    ran: list[str] = []
    store.db.conn.set_trace_callback(ran.append)
    try:
        store.prune_deliveries(NOW, 10)
    finally:
        store.db.conn.set_trace_callback(None)
    found = [sql for sql in ran if "deliveries" in sql and not sql.startswith(("BEGIN", "COMMIT"))]
    assert len(found) == 3  # the step's end, the rows to the end of the table, the delete
    for sql in found:
        steps = plan(store, sql)
        assert "USING PRIMARY KEY (chat_id>?" in steps and not scans_a_table(steps), steps


def test_pending_claims_come_from_the_partial_index_of_pending_rows(store):
    steps = plan(
        store,
        "SELECT chat_id, local_day, tip, claim, updated_at FROM deliveries"
        " WHERE status = ? ORDER BY updated_at",
        [DeliveryStatus.PENDING],
    )
    assert "deliveries_pending" in steps and not scans_a_table(steps)
    assert "TEMP B-TREE" not in steps  # already in order


def test_a_batch_of_claims_looks_each_chat_up_by_its_key(store):
    steps = plan(store, deliveries._claims_sql(3), [1] * 21)
    assert "SEARCH d USING PRIMARY KEY (chat_id=?)" in steps and not scans_a_table(steps)


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("SELECT status FROM deliveries WHERE chat_id = ? AND local_day = ?", [1, 2]),
        (
            "SELECT max(delivered_at) FROM deliveries WHERE chat_id = ?"
            f" AND status IN ({deliveries.TAKEN_SQL})",
            [1],
        ),
    ],
    ids=["one-day", "last-taken"],
)
def test_per_chat_queries_need_only_the_primary_key(store, sql, params):
    steps = plan(store, sql, params)
    assert "USING PRIMARY KEY (chat_id=?" in steps and not scans_a_table(steps)


def test_prune_walks_the_table_in_bounded_steps_and_keeps_pending_ones(store):
    for chat_id in (1, 2, 3):
        store.subscribe(chat_id, "private", EIGHT_UTC, NOW.replace(day=1))
        for day in (2, 3, 4):
            moment = NOW.replace(day=day)
            assert store.claim_delivery(chat_id, date(2026, 3, day), "fiber-a", moment)
            if (chat_id, day) != (3, 2):  # chat 3's tip of 2 March is left pending
                store.finish_delivery(
                    chat_id, date(2026, 3, day), DeliveryStatus.SENT, moment, None
                )
    before = NOW.replace(day=4)
    assert store.prune_deliveries(before, 3) == 3  # chat 1's three rows looked at
    assert store.prune_deliveries(before, 3) == 3  # chat 2's
    assert store.prune_deliveries(before, 3) == 3  # chat 3's: the pending one stays
    assert store.prune_deliveries(before, 3) == 0  # the end: the next step starts again
    left = store.db.execute("SELECT chat_id, local_day, status FROM deliveries").fetchall()
    assert sorted(left) == [
        (1, 20516, "sent"),
        (2, 20516, "sent"),
        (3, 20514, "pending"),
        (3, 20516, "sent"),
    ]
