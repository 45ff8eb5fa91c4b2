"""A day's delivery as one state machine: the table, what each outcome leads to, and the store
refusing any move the table does not allow."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from scheduler.lifecycle import (
    FINAL,
    TAKEN,
    TRANSITIONS,
    ClaimLost,
    DeliveryStatus,
    IllegalTransition,
    check,
    claimable_from,
    sql_list,
)
from scheduler.outcomes import (
    MAX_ATTEMPTS,
    UNCERTAIN_RETRY_AFTER,
    Finish,
    Follow,
    Gone,
    Migrated,
    NotSent,
    Rejected,
    RetryAfter,
    Sent,
    Transient,
    Uncertain,
    decide,
)
from scheduler.recording import Recorder
from scheduler.records import Claim
from storage import Store
from storage.migrations.later import STATUSES_V10

Status = DeliveryStatus
DAY = date(2026, 3, 2)
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
UTC_EIGHT = Schedule(time(8, 0), ZoneInfo("UTC"))


def test_the_table_names_every_state_and_the_schema_allows_exactly_those():
    assert set(TRANSITIONS) == {None, *Status}
    stored = {status.strip("'") for status in STATUSES_V10.split(", ")}
    assert stored == {str(status) for status in Status}
    assert {Status.PENDING, Status.SENT, Status.MAYBE_SENT} == TAKEN  # nothing claims them
    assert claimable_from() == {Status.FAILED, Status.BLOCKED, Status.RELEASED}
    assert {Status.SENT, Status.MAYBE_SENT, Status.FAILED, Status.BLOCKED, Status.RELEASED} == FINAL


@pytest.mark.parametrize(
    ("old", "new"),
    [(Status.SENT, Status.PENDING), (Status.MAYBE_SENT, Status.FAILED), (None, Status.SENT)],
)
def test_an_illegal_move_is_an_error(old, new):
    with pytest.raises(IllegalTransition, match="cannot go from"):
        check(old, new)


@pytest.mark.parametrize(
    ("old", "message"),
    [
        (Status.MAYBE_SENT, "a daily tip cannot go from maybe_sent to sent"),
        (None, "a daily tip cannot go from nothing to sent"),
    ],
)
def test_an_illegal_move_names_the_state_it_came_from_or_nothing(old, message):
    with pytest.raises(IllegalTransition) as raised:
        check(old, Status.SENT)
    assert str(raised.value) == message


def test_the_stores_sql_lists_name_exactly_the_statuses_in_a_stable_order():
    assert sql_list(claimable_from()) == "'blocked', 'failed', 'released'"
    assert sql_list(TAKEN) == "'maybe_sent', 'pending', 'sent'"


@pytest.mark.parametrize(
    ("outcome", "attempt", "lost_before", "decision"),
    [
        (Sent(), 1, False, Finish(Status.SENT)),
        (Sent(), 2, True, Finish(Status.SENT)),
        (Gone("blocked"), 1, False, Finish(Status.BLOCKED)),
        (Migrated(-100123), 1, False, Follow(-100123)),
        (Uncertain("read timeout"), 1, False, RetryAfter(UNCERTAIN_RETRY_AFTER)),
        (Uncertain("read timeout"), 2, True, Finish(Status.MAYBE_SENT)),  # one retry, then final
        (Transient("connection refused"), 1, False, RetryAfter(2.0)),
        (Transient("502"), MAX_ATTEMPTS, False, Finish(Status.FAILED)),
        (Transient("502"), MAX_ATTEMPTS, True, Finish(Status.MAYBE_SENT)),  # never resent later
        (Rejected("bad request"), 1, False, Finish(Status.FAILED)),
        (NotSent("a /stop"), 1, False, Finish(Status.RELEASED)),
        (NotSent("stopping"), 2, True, Finish(Status.MAYBE_SENT)),
    ],
)
def test_each_outcome_leads_to_one_step(outcome, attempt, lost_before, decision):
    assert decide(outcome, attempt, lost_before) == decision


def test_the_store_refuses_a_finish_that_is_not_its_claims_or_not_allowed(store):
    store.subscribe(1, "private", UTC_EIGHT, EIGHT)
    assert store.claim_delivery(1, DAY, "tip-a", EIGHT, claim="p1#0")
    with pytest.raises(ClaimLost):  # another process's claim
        store.finish_delivery(1, DAY, Status.SENT, EIGHT, None, claim="p2#0")
    store.finish_delivery(1, DAY, Status.SENT, EIGHT, None, claim="p1#0")
    with pytest.raises(ClaimLost, match="already closed as sent"):  # sent is final
        store.finish_delivery(1, DAY, Status.RELEASED, EIGHT, None, claim="p1#0")
    with pytest.raises(IllegalTransition):  # pending is not an end
        store.finish_delivery(1, DAY, Status.PENDING, EIGHT, None, claim="p1#0")
    assert store.delivery_status(1, DAY) is Status.SENT
    assert not store.claim_delivery(1, DAY, "tip-b", EIGHT)  # and the day stays taken


def test_a_tip_enters_the_rotation_only_when_delivered(store):
    for chat_id in (1, 2, 3):
        store.subscribe(chat_id, "private", UTC_EIGHT, EIGHT)
        assert store.claim_delivery(chat_id, DAY, f"tip-{chat_id}", EIGHT)
    assert store.seen_tips(1) == set()  # claimed is not seen
    store.finish_delivery(1, DAY, Status.SENT, EIGHT, None)
    store.finish_delivery(2, DAY, Status.FAILED, EIGHT, None)
    store.finish_delivery(3, DAY, Status.MAYBE_SENT, EIGHT, None)
    assert [store.seen_tips(chat) for chat in (1, 2, 3)] == [{"tip-1"}, set(), {"tip-3"}]


def test_a_write_transaction_takes_the_lock_first_so_another_commit_cannot_fail_it(db_path):
    first, second = Store.open(db_path), Store.open(db_path)
    first.subscribe(1, "private", UTC_EIGHT, EIGHT)
    with first.transaction():
        first.subscriber(1)  # a read...
        with pytest.raises(sqlite3.OperationalError, match="locked"):  # ...the other waits
            second.subscribe(2, "private", UTC_EIGHT, EIGHT)
        first.unsubscribe(1, EIGHT)  # ...then our write: never "database is locked"
    second.subscribe(2, "private", UTC_EIGHT, EIGHT)  # after the commit it goes through
    assert [first.is_active(1), second.is_active(2)] == [False, True]
    first.close()
    second.close()


def test_a_moved_group_whose_supergroup_already_had_its_tip_gets_no_second(store):
    old, new = -5, -1009999999999
    store.subscribe(old, "group", UTC_EIGHT, EIGHT)
    store.subscribe(new, "supergroup", UTC_EIGHT, EIGHT)
    assert store.claim_delivery(new, DAY, "tip-new", EIGHT, claim="p1#1")
    store.finish_delivery(new, DAY, Status.SENT, EIGHT, None, claim="p1#1")
    assert store.claim_delivery(old, DAY, "tip-old", EIGHT, claim="p1#2")
    assert not store.migrate_claim(old, new, DAY, "p1#2", EIGHT)  # the day is taken there
    assert store.delivery_status(new, DAY) is Status.SENT
    assert store.pending_deliveries() == []


def test_a_moved_group_with_a_free_day_keeps_its_claim_under_the_new_id(store):
    old, new = -6, -1008888888888
    store.subscribe(old, "group", UTC_EIGHT, EIGHT)
    assert store.claim_delivery(old, DAY, "tip-old", EIGHT, claim="p1#3")
    assert store.migrate_claim(old, new, DAY, "p1#3", EIGHT)
    store.finish_delivery(new, DAY, Status.SENT, EIGHT, None, claim="p1#3")
    assert store.seen_tips(new) == {"tip-old"}


def test_a_claimed_tip_is_not_sent_after_a_stop_or_a_pause(store):
    for chat_id in (1, 2, 3):
        store.subscribe(chat_id, "private", UTC_EIGHT, EIGHT)
        assert store.claim_delivery(chat_id, DAY, "tip", EIGHT, claim="p#1")
    store.unsubscribe(2, EIGHT)
    store.pause(3, 1, EIGHT)  # /pause 1 before today's tip went out: none today
    assert [store.may_send(chat, DAY, "p#1", EIGHT) for chat in (1, 2, 3)] == [True, False, False]
    assert not store.may_send(1, DAY, "p#2", EIGHT)  # another claim's row: not ours to send


def test_a_late_finish_after_the_successor_closed_the_day_is_claim_lost_not_an_error(store, caplog):
    """p1 claims and stalls; p2 resumes the claim and sends; p1 wakes and finishes late."""
    store.subscribe(1, "private", UTC_EIGHT, EIGHT)
    assert store.claim_delivery(1, DAY, "tip-a", EIGHT, claim="p1#0")
    (pending,) = store.pending_deliveries()
    assert store.resume_delivery(pending, "p2#0", EIGHT)
    outcomes: list[Status] = []
    successor = Recorder(store, lambda: EIGHT, [outcomes.append])
    successor.finish(Claim(1, DAY, "tip-a", "p2#0"), 1, Status.SENT)
    stalled = Recorder(store, lambda: EIGHT, [outcomes.append])
    with caplog.at_level("INFO"):
        stalled.finish(Claim(1, DAY, "tip-a", "p1#0"), 1, Status.RELEASED)
    assert store.delivery_status(1, DAY) is Status.SENT
    assert outcomes == [Status.SENT]  # the late finish counts nothing
    assert [r.levelname for r in caplog.records] == ["INFO"]
    assert "already closed as sent" in caplog.records[0].getMessage()
