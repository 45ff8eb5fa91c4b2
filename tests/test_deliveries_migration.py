"""Migration 16 (compact deliveries) from a database one version older, filled as that
release left it: every subscriber's exactly-once state survives the copy."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from scheduler.lifecycle import DeliveryStatus
from storage import Store
from storage.migrations.deliveries_compact import v16_compact_deliveries
from storage.schema import MIGRATIONS
from tests.databases import database_at

NOW = datetime(2026, 3, 10, 8, 30, tzinfo=UTC)  # 10 March, after everyone's 08:00 tip
TODAY = date(2026, 3, 10)
EIGHT_UTC = Schedule(time(8), ZoneInfo("UTC"))


def epoch(day: int, hour: int = 8) -> int:
    return int(datetime(2026, 3, day, hour, tzinfo=UTC).timestamp())


# chat_id, local_date, tip_id, status, delivered_at, updated_at, claim: as the old code wrote
OLD_ROWS = [
    (1, "2026-03-10", "fiber-a", "sent", epoch(10), "2026-03-10T08:00:01+00:00", "old#1"),
    (1, "2026-03-09", "k2-b", "sent", epoch(9), "2026-03-09T08:00:01+00:00", "old#0"),
    (1, "2026-02-20", "tea", "sent", epoch(1) - 9 * 86400, "2026-02-20T08:00:00+00:00", None),
    (2, "2026-03-10", "brand-new-tip", "pending", epoch(10), "2026-03-10T08:00:02+00:00", "p#7"),
    (3, "2026-03-01", "ancient-claim", "pending", epoch(1), "2026-03-01T08:00:00+00:00", "p#1"),
    (4, "2026-03-10", "fiber-a", "failed", epoch(10), "2026-03-10T08:00:03+00:00", "p#8"),
]


@pytest.fixture
def upgraded(tmp_path):
    """A database at the version before this migration, with four subscribers and their
    deliveries written by plain SQL, then opened (and so upgraded) by the store."""
    path = tmp_path / "old.db"
    db = database_at(path, MIGRATIONS.index(v16_compact_deliveries))  # the version before
    since, due = epoch(1, 0), epoch(11)
    for chat_id in (1, 2, 3, 4):
        db.execute(
            "INSERT INTO subscribers (chat_id, chat_type, active, delivery_time, timezone,"
            " schedule_since, last_delivered_at, next_due_at, subscribed_at, updated_at)"
            " VALUES (?, 'private', 1, '08:00', 'UTC', ?, ?, ?, 's', 'u')",
            [chat_id, since, epoch(10), due],
        )
    db.conn.executemany(
        "INSERT INTO deliveries (chat_id, local_date, tip_id, status, delivered_at, updated_at,"
        " claim) VALUES (?, ?, ?, ?, ?, ?, ?)",
        OLD_ROWS,
    )
    db.conn.commit()
    db.close()
    store = Store.open(path)
    yield store
    store.close()


def test_recent_rows_and_every_pending_claim_are_kept_and_old_ones_go(upgraded):
    kept = upgraded.db.execute(
        "SELECT d.chat_id, date(d.local_day * 86400, 'unixepoch'), n.tip_id, d.status, d.claim"
        " FROM deliveries d JOIN tip_numbers n ON n.number = d.tip ORDER BY 1, 2"
    ).fetchall()
    assert kept == [
        (1, "2026-03-09", "k2-b", "sent", None),  # a finished row forgets its token
        (1, "2026-03-10", "fiber-a", "sent", None),
        (2, "2026-03-10", "brand-new-tip", "pending", "p#7"),  # numbered by the migration
        (3, "2026-03-01", "ancient-claim", "pending", "p#1"),  # pending: kept however old
        (4, "2026-03-10", "fiber-a", "failed", None),
    ]


def test_todays_sent_tip_is_not_sent_again(upgraded):
    assert upgraded.delivery_status(1, TODAY) is DeliveryStatus.SENT
    assert not upgraded.claim_delivery(1, TODAY, "another", NOW)
    assert upgraded.refresh(1, NOW).last_delivery == TODAY
    assert 1 not in [s.chat_id for s in upgraded.due_subscribers(NOW, 10)]


def test_a_pending_claim_survives_and_resumes(upgraded):
    pending = {p.chat_id: p for p in upgraded.pending_deliveries()}
    assert set(pending) == {2, 3}
    claim = pending[2]
    assert (claim.local_date, claim.tip_id, claim.claim) == (TODAY, "brand-new-tip", "p#7")
    assert claim.touched_at == datetime(2026, 3, 10, 8, 0, 2, tzinfo=UTC)
    assert upgraded.resume_delivery(claim, "new#0", NOW)
    assert upgraded.may_send(2, TODAY, "new#0", NOW)
    upgraded.finish_delivery(2, TODAY, DeliveryStatus.SENT, NOW, None, claim="new#0")
    assert "brand-new-tip" in upgraded.seen_tips(2)  # the tip entered the rotation
    assert not upgraded.claim_delivery(2, TODAY, "again", NOW)


def test_a_failed_day_may_be_claimed_again(upgraded):
    assert upgraded.claim_delivery(4, TODAY, "fiber-b", NOW, claim="p#9")
    assert upgraded.delivery_status(4, TODAY) is DeliveryStatus.PENDING
