"""Claims left pending, taken over by the next sweep: whose, when, and with which tip.

A process that dies (or hangs) between claiming a day's tip and recording its outcome leaves
the claim pending. The next sweep, of the same process or a successor, resumes it: at once
when it is its own or a dead process's, after the lease's TTL (and a grace after taking the
lease) when its owner may still be alive, and closes it unsent when its local day is over.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.claiming import TAKEOVER_AFTER, TAKEOVER_GRACE
from scheduler.due import Schedule
from storage import Store
from tests.test_delivery import FullDisk, ScriptedSender, make_delivery, subscribe

EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SEVEN_UTC = Schedule(time(7, 0), ZoneInfo("UTC"))
ONE_PAST_EIGHT_UTC = Schedule(time(8, 1), ZoneInfo("UTC"))


@pytest.fixture
def sender():
    return ScriptedSender()


def another_tip(library, tip_id: str):
    """A chooser that picks, for everyone, a tip other than `tip_id`."""
    other = next(tip.id for tip in library.tips_for(None) if tip.id != tip_id)
    return lambda subscribers, now: {subscriber.chat_id: other for subscriber in subscribers}


async def test_a_resumed_claim_sends_the_tip_it_claimed_not_a_new_pick(
    db_path, library, sender, clock, sleep, caplog
):
    crashed = Store.open(db_path)
    subscribe(crashed, clock, 1)
    clock.set(EIGHT)
    [claim] = make_delivery(crashed, library, sender, clock, sleep, me="first").claim_due(
        clock(), 10
    )
    crashed.close()  # died before sending
    restarted = Store.open(db_path)
    choose = another_tip(library, claim.tip_id)
    successor = make_delivery(
        restarted,
        library,
        sender,
        clock,
        sleep,
        me="next",
        dead=lambda: {"first"},
        choose_tips=choose,
    )
    with caplog.at_level(logging.INFO, "scheduler.delivery"):
        assert await successor.sweep() == {"sent": 1}
    assert sender.delivered == [(1, claim.tip_id)]
    assert "Resuming 1 daily tip(s) left pending" in [r.getMessage() for r in caplog.records]
    assert "unsent" not in caplog.text
    restarted.close()


async def test_a_claim_whose_day_is_over_is_closed_and_the_next_one_resumed(
    db_path, library, sender, clock, sleep, caplog
):
    crashed = Store.open(db_path)
    subscribe(crashed, clock, 1)
    first = make_delivery(crashed, library, sender, clock, sleep, me="first")
    clock.set(EIGHT)
    first.claim_due(clock(), 10)  # chat 1's tip for 2 March, never sent
    subscribe(crashed, clock, 2, schedule=SEVEN_UTC)  # from 3 March on
    clock.set(EIGHT + timedelta(days=1, hours=-1))
    [today] = first.claim_due(clock(), 10)  # chat 2's for 3 March, never sent either
    crashed.close()
    clock.set(EIGHT + timedelta(days=1))
    restarted = Store.open(db_path)
    with caplog.at_level(logging.INFO, "scheduler.delivery"):
        assert await make_delivery(
            restarted, library, sender, clock, sleep, me="first"
        ).sweep() == {
            "sent": 2  # chat 2's resumed, chat 1's for today claimed as usual
        }
    assert restarted.delivery_status(1, EIGHT.date()) == "released"
    assert (2, today.tip_id) in sender.delivered
    [closed] = [record for record in caplog.records if "unsent" in record.getMessage()]
    assert closed.getMessage() == "Closed chat 1's tip for 2026-03-02 unsent: that day is over"
    assert closed.chat_id == 1  # for the log's per-chat fields
    restarted.close()


async def test_a_live_owners_claim_waits_for_the_takeover_a_dead_ones_goes_at_once(
    db_path, library, sender, clock, sleep
):
    store = Store.open(db_path)
    subscribe(store, clock, 1, 2)
    clock.set(EIGHT)
    [live] = make_delivery(store, library, sender, clock, sleep, me="live").claim_due(clock(), 1)
    clock.advance(seconds=10)  # the dead process's claim is younger: it comes second
    [dead] = make_delivery(store, library, sender, clock, sleep, me="dead").claim_due(clock(), 1)
    took_lease = EIGHT + TAKEOVER_AFTER - timedelta(seconds=1)  # its grace ends past the TTL
    standby = make_delivery(
        store,
        library,
        sender,
        clock,
        sleep,
        me="standby",
        dead=lambda: {"dead"},
        held_since=lambda: took_lease,
    )
    clock.set(took_lease + timedelta(seconds=0.5))
    assert await standby.sweep() == {"sent": 1}
    assert sender.delivered == [(dead.chat_id, dead.tip_id)]
    takeover = took_lease + TAKEOVER_GRACE
    assert standby.next_resume_at == takeover  # the live owner's claim, still its own
    assert standby.next_wake() == takeover
    clock.set(takeover - timedelta(microseconds=1))
    assert await standby.sweep() == {}
    clock.set(takeover)
    assert await standby.sweep() == {"sent": 1}
    assert sender.delivered[1:] == [(live.chat_id, live.tip_id)]
    assert standby.next_resume_at is None
    store.close()


async def test_an_outcome_kept_in_memory_does_not_hold_back_the_claims_after_it(
    db_path, library, sender, clock, sleep
):
    store = FullDisk.open(db_path)
    subscribe(store, clock, 1)
    subscribe(store, clock, 2, schedule=ONE_PAST_EIGHT_UTC)
    clock.set(EIGHT)
    [dead] = make_delivery(store, library, sender, clock, sleep, me="dead").claim_due(clock(), 10)
    delivery = make_delivery(store, library, sender, clock, sleep, me="me", dead=lambda: {"dead"})
    store.full = True  # the dead process's tip goes now, its outcome is kept in memory
    clock.advance(seconds=10)
    assert await delivery.sweep() == {"sent": 1}
    clock.advance(seconds=51)
    [own] = delivery.claim_due(clock(), 10)  # chat 2's, then an error lost its send
    clock.advance(seconds=1)  # both pending on disk now, the kept one the older
    assert await delivery.sweep() == {"sent": 1}
    assert sender.delivered == [(dead.chat_id, dead.tip_id), (own.chat_id, own.tip_id)]
    store.close()


async def test_a_claim_finished_by_its_owner_meanwhile_is_skipped_not_the_rest(
    db_path, library, sender, clock, sleep
):
    store = Store.open(db_path)
    subscribe(store, clock, 1, 2)
    clock.set(EIGHT)
    first = make_delivery(store, library, sender, clock, sleep, me="dead")
    [gone, left] = first.claim_due(clock(), 10)
    real_pending = store.pending_deliveries

    def pending_then_finished():  # the owner records its outcome right after our read
        pending = real_pending()
        store.finish_delivery(gone.chat_id, gone.day, "sent", clock(), None, claim=gone.claim)
        return pending

    store.pending_deliveries = pending_then_finished
    standby = make_delivery(
        store, library, sender, clock, sleep, me="standby", dead=lambda: {"dead"}
    )
    assert await standby.sweep() == {"sent": 1}
    assert sender.delivered == [(left.chat_id, left.tip_id)]
    store.close()
