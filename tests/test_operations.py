"""The operator's figures, the sweep's heartbeat and health verdict, and backups, against a
real SQLite file (no Telegram)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.commands.texts import render_stats
from scheduler.due import Schedule
from scheduler.records import DeliveryStatus
from storage import DatabaseDamaged, Store
from storage.migrations.later import EVENT_KINDS_V5
from storage.reports.offline import BackupRefused, NotUpgraded, backup, inspect, open_current
from storage.schema import LATEST
from storage.tables.events import KEEP_EVENTS, EventKind
from storage.tables.heartbeat import Heartbeat, LeaseHolder, health_problem

UTC_EIGHT = Schedule(time(8, 0), ZoneInfo("UTC"))
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
TEN_MINUTES = timedelta(minutes=10)


def test_event_kinds_match_the_schema():
    assert {f"'{kind}'" for kind in EventKind} == set(EVENT_KINDS_V5.split(", "))


def deliver(store: Store, chat_id: int, day: date, at: datetime, status: DeliveryStatus) -> None:
    assert store.claim_delivery(chat_id, day, "t1", at)
    store.finish_delivery(chat_id, day, status, at, at + TEN_MINUTES)


def known_history(store: Store) -> None:
    """Five chats over a week: joins, a stop, a block, tips sent, one failure, one 429."""
    long_ago = NOW - timedelta(days=30)
    for chat_id in (1, 2, 3):
        store.subscribe(chat_id, "private", UTC_EIGHT, long_ago)  # outside the 7 days
    store.subscribe(4, "private", UTC_EIGHT, NOW - timedelta(days=2))
    store.subscribe(5, "group", UTC_EIGHT, NOW - timedelta(days=1))
    store.set_schedule(6, NOW, chat_type="private", default=UTC_EIGHT, at=time(9))  # never joined
    store.unsubscribe(3, NOW - timedelta(days=3))
    store.unsubscribe(3, NOW - timedelta(days=3))  # already gone: not counted twice
    yesterday, today = NOW - timedelta(days=1), NOW.replace(hour=8)
    deliver(store, 1, yesterday.date(), yesterday.replace(hour=8), DeliveryStatus.SENT)
    deliver(store, 1, today.date(), today, DeliveryStatus.SENT)
    deliver(store, 2, today.date(), today, DeliveryStatus.BLOCKED)  # left, today
    deliver(store, 4, today.date(), today, DeliveryStatus.FAILED)
    store.record_event(EventKind.RATE_LIMITED, NOW - timedelta(hours=2))
    store.record_event(EventKind.RATE_LIMITED, NOW - timedelta(hours=30))  # over 24 h ago


def test_the_figures_after_a_known_week(store):
    known_history(store)
    store.sweep_started("host:1:ab", NOW - timedelta(minutes=3))
    store.sweep_finished(NOW - timedelta(minutes=3) + timedelta(seconds=2), 2.0)
    stats = store.stats(NOW)
    assert (stats.active, stats.inactive, stats.unreadable) == (3, 3, 0)  # 1, 4, 5 | 2, 3, 6
    assert (stats.joined_7d, stats.left_7d) == (2, 2)
    assert (stats.sent_today, stats.sent_yesterday) == (1, 1)
    assert stats.due_backlog == 2  # 4 (its retry at 08:10) and 5 (08:00): not yet claimed
    assert (stats.rate_limited_24h, stats.failed_24h) == (1, 1)
    assert stats.last_sweep.seconds == 2.0 and not stats.last_sweep.running
    assert stats.paused == 0 and stats.tip_feedback == ()


def test_the_figures_rendered(store):
    known_history(store)
    store.sweep_started("host:1:ab", NOW - timedelta(minutes=3))
    store.sweep_finished(NOW - timedelta(minutes=3) + timedelta(seconds=2), 2.0)
    assert render_stats(store.stats(NOW)).splitlines() == [
        "📊 GutBone Daily, 2026-03-04 12:00 UTC",
        "Subscribers: 3 active, paused 0, 3 inactive",
        "Last 7 days: 2 joined, 2 left",
        "Tips sent (UTC days): 1 today, 1 yesterday",
        "Due now, not yet claimed: 2",
        "Last sweep: 11:57:02 UTC (178 s ago), took 2.0 s",
        "Last 24 h: 1 × 429, 1 failed deliveries",
        "Top and bottom tips by 👍/👎: no feedback collected yet",
    ]


def test_an_empty_database_has_zeros_and_no_sweep(store):
    stats = store.stats(NOW)
    assert (stats.active, stats.inactive, stats.joined_7d, stats.due_backlog) == (0, 0, 0, 0)
    assert stats.last_sweep is None
    assert "Last sweep: none yet" in render_stats(stats)
    assert stats.as_json()["last_sweep"] is None


def test_old_events_are_pruned_in_batches(store):
    for hours in (1, 24 * 9, 24 * 10, 24 * 11):
        store.record_event(EventKind.FAILED, NOW - timedelta(hours=hours))
    assert store.prune_events(NOW - KEEP_EVENTS, limit=2) == 2
    assert store.prune_events(NOW - KEEP_EVENTS, limit=2) == 1
    assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == 1


# health -----------------------------------------------------------------------------------

LEASE = LeaseHolder("host:7:cafe", NOW + timedelta(seconds=40))


def beat(started: datetime, finished: datetime | None, progress: datetime) -> Heartbeat:
    return Heartbeat("host:7:cafe", started, finished, 1.0 if finished else None, progress)


@pytest.mark.parametrize(
    ("lease", "heartbeat", "problem"),
    [
        (LEASE, beat(NOW - timedelta(seconds=70), NOW - timedelta(seconds=69), NOW), None),
        (LEASE, beat(NOW - timedelta(hours=3), None, NOW - timedelta(seconds=5)), None),
        (None, None, "no process holds the delivery lease: is the bot running?"),
        (
            LeaseHolder("host:7:cafe", NOW - timedelta(seconds=90)),
            beat(NOW, NOW, NOW),
            "the delivery lease of host:7:cafe expired 90 s ago",
        ),
        (LEASE, None, "host:7:cafe holds the delivery lease but no sweep has run yet"),
        (
            LEASE,
            beat(NOW - timedelta(hours=1), NOW - timedelta(minutes=59), NOW - timedelta(hours=1)),
            "the last sweep was 3600 s ago (over 600 s)",
        ),
        (
            LEASE,
            beat(NOW - timedelta(hours=1), None, NOW - timedelta(minutes=11)),
            "a sweep has run since 2026-03-04 11:00:00 UTC with no tip finished for 660 s"
            " (over 600 s)",
        ),
    ],
)
def test_health_verdicts(lease, heartbeat, problem):
    assert health_problem(lease, heartbeat, NOW, TEN_MINUTES) == problem


def test_a_sweep_that_started_again_keeps_the_last_duration(store):
    store.sweep_started("a", NOW - timedelta(minutes=5))
    store.sweep_finished(NOW - timedelta(minutes=4), 60.0)
    store.sweep_started("a", NOW)
    last = store.stats(NOW).last_sweep
    assert last.running and last.seconds == 60.0 and last.progress_at == NOW


# offline: read-only, backups ---------------------------------------------------------------


def test_open_current_refuses_an_older_schema_and_never_upgrades_it(db_path, store):
    older = LATEST - 1
    store.db.execute(f"PRAGMA user_version = {older}")
    expected = f"schema version {older}, this version uses {LATEST}: start the bot"
    with pytest.raises(NotUpgraded, match=expected):
        open_current(db_path)
    assert inspect(db_path).version == older  # reported, not changed


def test_inspect_finds_damage(tmp_path):
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    with pytest.raises(DatabaseDamaged):
        inspect(damaged)


def test_backup_refuses_to_replace_the_database_itself(store, db_path):
    with pytest.raises(BackupRefused, match="is the database itself"):
        backup(db_path, db_path, force=True)


def test_the_operations_schema_counts_sent_tips_by_index(store):
    plan = store.db.execute(
        "EXPLAIN QUERY PLAN SELECT count(*) FROM deliveries WHERE status = 'sent'"
        " AND delivered_at >= 0 AND delivered_at < 1"
    ).fetchall()
    assert "deliveries_by_instant" in " ".join(str(row[-1]) for row in plan)
    names = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master")}
    assert {"events", "events_by_kind", "heartbeat"} <= names


def test_backup_refuses_to_overwrite_unless_forced(store, db_path, tmp_path):
    target = tmp_path / "copy.db"
    target.write_text("precious")
    with pytest.raises(BackupRefused, match="already exists; pass --force to replace it"):
        backup(db_path, target)
    assert target.read_text() == "precious"
    assert backup(db_path, target, force=True).version == LATEST
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy.db", "data"]  # no partial


async def test_a_backup_taken_while_deliveries_are_written_is_whole(store, db_path, tmp_path):
    """A writer keeps committing in this loop while the backup runs in a thread."""
    for chat_id in range(1, 201):
        store.subscribe(chat_id, "private", UTC_EIGHT, NOW - timedelta(days=1))
    writing = asyncio.Event()

    async def deliveries() -> int:
        written = 0
        for chat_id in range(1, 201):
            deliver(store, chat_id, NOW.date(), NOW, DeliveryStatus.SENT)
            written += 1
            writing.set()
            await asyncio.sleep(0)
        return written

    writer = asyncio.create_task(deliveries())
    await writing.wait()
    report = await asyncio.to_thread(backup, db_path, tmp_path / "during.db")
    assert await writer == 200
    copy = sqlite3.connect(tmp_path / "during.db")
    assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM subscribers").fetchone() == (200,)
    sent = copy.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone()[0]
    pending = copy.execute("SELECT count(*) FROM deliveries WHERE status = 'pending'").fetchone()
    assert 0 <= sent <= 200 and pending[0] in (0, 1)  # a consistent snapshot, mid-sweep
    assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert report.subscribers == 200 and (tmp_path / "during.db").stat().st_mode & 0o077 == 0
