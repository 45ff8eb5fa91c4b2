"""The delivery sweep with a scripted sender: exactly-once, retries, 429s, blocked chats."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.service.wiring import tip_chooser
from scheduler.delivery import TAKEOVER_AFTER, TAKEOVER_GRACE, Delivery, resumable_at
from scheduler.due import Schedule
from scheduler.engine import DeliveryLoop
from scheduler.outcomes import (
    MAX_ATTEMPTS,
    UNCERTAIN_RETRY_AFTER,
    Gone,
    Migrated,
    NotSent,
    Sent,
    Transient,
    Uncertain,
)
from scheduler.records import Claim, PendingDelivery
from storage import Store

EIGHT_UTC = Schedule(time(8, 0), ZoneInfo("UTC"))


class ScriptedSender:
    """Answers each send with the next scripted outcome for that chat, else `Sent()`."""

    def __init__(self) -> None:
        self.script: dict[int, list] = defaultdict(list)
        self.attempts: list[tuple[int, str]] = []
        self.delivered: list[tuple[int, str]] = []
        self.quiet: dict[int, bool] = {}  # each chat's last claim: silent or not

    async def send(self, chat_id: int, claim: Claim, still_wanted):
        if not still_wanted():  # as the gateway asks when the send's turn comes
            return NotSent("no longer wanted")
        self.attempts.append((chat_id, claim.tip_id))
        self.quiet[chat_id] = claim.quiet
        outcome = self.script[chat_id].pop(0) if self.script[chat_id] else Sent()
        if outcome == Sent():
            self.delivered.append((chat_id, claim.tip_id))
        return outcome


@pytest.fixture
def sender():
    return ScriptedSender()


def chooser(store: Store, library, seed: int = 3):
    """Each chat's next tip, as the bot chooses them."""
    return tip_chooser(store, library, random.Random(seed))


def make_delivery(store: Store, library, send, clock, sleep, **options) -> Delivery:
    send = getattr(send, "send", send)
    options.setdefault("workers", 50)
    options.setdefault("choose_tips", chooser(store, library))
    return Delivery(store, send=send, clock=clock, sleep=sleep, **options)


def subscribe(store, clock, *chat_ids, schedule=EIGHT_UTC):
    for chat_id in chat_ids:
        store.subscribe(chat_id, "private", schedule, clock())


async def test_each_subscriber_gets_one_tip_a_day(store, library, sender, clock, sleep):
    subscribe(store, clock, 1, 2, 3)
    delivery = make_delivery(store, library, sender, clock, sleep)
    clock.set(datetime(2026, 3, 2, 7, 59, tzinfo=UTC))
    assert await delivery.sweep() == {}
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert await delivery.sweep() == {"sent": 3}
    clock.advance(hours=6)
    assert await delivery.sweep() == {}
    clock.set(datetime(2026, 3, 3, 8, 0, 30, tzinfo=UTC))
    assert await delivery.sweep() == {"sent": 3}
    per_chat = defaultdict(list)
    for chat_id, tip_id in sender.delivered:
        per_chat[chat_id].append(tip_id)
    assert all(len(set(tips)) == 2 for tips in per_chat.values())


async def test_a_restart_does_not_send_twice(db_path, library, sender, clock, sleep):
    first = Store.open(db_path)
    subscribe(first, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    await make_delivery(first, library, sender, clock, sleep).sweep()
    first.close()
    second = Store.open(db_path)
    clock.advance(minutes=30)
    again = make_delivery(second, library, sender, clock, sleep)
    assert await again.sweep() == {}
    assert len(sender.delivered) == 1
    second.close()


async def test_a_crash_mid_send_resumes_the_claim(db_path, library, sender, clock, sleep):
    crashed = Store.open(db_path)
    subscribe(crashed, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    claims = make_delivery(crashed, library, sender, clock, sleep).claim_due(clock(), 10)
    crashed.close()  # the process died before sending: the claim stays pending
    restarted = Store.open(db_path)
    delivery = make_delivery(restarted, library, sender, clock, sleep)
    assert await delivery.sweep() == {"sent": 1}  # the first sweep resumes the claim
    assert await delivery.sweep() == {}
    assert sender.delivered == [(1, claims[0].tip_id)]
    restarted.close()


async def test_downtime_catch_up_the_same_day(store, library, sender, clock, sleep):
    subscribe(store, clock, 1)
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))  # back five hours late
    delivery = make_delivery(store, library, sender, clock, sleep)
    assert await delivery.sweep() == {"sent": 1}


async def test_a_send_that_timed_out_is_retried_once_later_and_no_more(
    store, library, sender, clock, sleep
):
    subscribe(store, clock, 1, 2)
    sender.script[1] = [Uncertain("Timed out")]
    sender.script[2] = [Uncertain("Timed out"), Uncertain("Timed out")]
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    delivery = make_delivery(store, library, sender, clock, sleep)
    assert await delivery.sweep() == {"sent": 1, "maybe_sent": 1}
    assert sleep.calls == [UNCERTAIN_RETRY_AFTER] * 2
    assert [chat for chat, _ in sender.attempts].count(2) == 2
    clock.advance(minutes=30)
    assert await delivery.sweep() == {}  # maybe sent is final: that day is never sent again
    assert [chat for chat, _ in sender.attempts].count(2) == 2


async def test_blocked_chat_is_deactivated_and_left_alone(store, library, sender, clock, sleep):
    subscribe(store, clock, 1, 2)
    sender.script[1] = [Gone("Forbidden: bot was blocked by the user")]
    delivery = make_delivery(store, library, sender, clock, sleep)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert await delivery.sweep() == {"blocked": 1, "sent": 1}
    assert not store.subscriber(1).active
    clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))
    await delivery.sweep()
    assert [chat for chat, _ in sender.attempts].count(1) == 1


async def test_migrated_group_moves_and_gets_its_tip(store, library, sender, clock, sleep):
    store.subscribe(-5, "group", EIGHT_UTC, clock())
    sender.script[-5] = [Migrated(-1009999999999)]
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert await make_delivery(store, library, sender, clock, sleep).sweep() == {"sent": 1}
    assert sender.delivered[0][0] == -1009999999999
    assert store.subscriber(-1009999999999).active
    assert store.subscriber(-5) is None


async def test_transient_errors_back_off_then_retry_later(store, library, sender, clock, sleep):
    subscribe(store, clock, 1)
    sender.script[1] = [Transient("Bad Gateway")] * MAX_ATTEMPTS
    delivery = make_delivery(store, library, sender, clock, sleep)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert await delivery.sweep() == {"failed": 1}
    assert sleep.calls == [2, 4, 8, 16]  # five attempts, no pointless wait after the last
    clock.advance(minutes=5)
    assert await delivery.sweep() == {}
    clock.advance(minutes=6)
    assert await delivery.sweep() == {"sent": 1}


async def test_a_stop_releases_its_claims_for_the_next_process(
    store, library, sender, clock, sleep
):
    subscribe(store, clock, 1, 2, 3)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    waiting, answered = [], asyncio.Event()

    async def slow_send(chat_id: int, claim: Claim, still_wanted) -> Sent | NotSent:
        """Chat 1's request goes out and its answer takes long; the others wait their turn."""
        waiting.append(chat_id)
        if chat_id == 1 and still_wanted():
            await asyncio.Event().wait()  # never answered before the stop gives up
        await answered.wait()
        return Sent() if still_wanted() else NotSent("stopping")

    delivery = make_delivery(store, library, slow_send, clock, sleep, workers=3)
    loop = DeliveryLoop(delivery.sweep, store.earliest_due, clock, on_stop=delivery.stop_starting)
    loop.start()
    while len(waiting) < 3:
        await asyncio.sleep(0)
    stopping = asyncio.create_task(loop.stop(timeout=0.05))
    await asyncio.sleep(0)
    answered.set()  # the stop came first: the queued ones are handed back unsent
    await stopping
    assert store.pending_deliveries() == []
    day = clock().date()
    # Chat 1's request was out: maybe delivered, so handed back for its one retry; the
    # others never left.
    assert {store.delivery_status(chat, day) for chat in (1, 2, 3)} == {"released"}
    again = make_delivery(store, library, sender, clock, sleep)
    assert await again.sweep() == {"sent": 3}
    assert sorted(chat for chat, _ in sender.delivered) == [1, 2, 3]


async def test_many_subscribers_each_exactly_once(store, library, sender, clock, sleep):
    zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]
    for chat_id in range(1, 1201):
        zone = ZoneInfo(zones[chat_id % 4])
        store.subscribe(chat_id, "private", Schedule(time(8, 0), zone), clock())
    delivery = make_delivery(store, library, sender, clock, sleep)
    end = clock() + timedelta(days=2)
    while clock() < end:
        await delivery.sweep()
        clock.advance(minutes=15)
    per_chat = Counter(chat for chat, _ in sender.delivered)
    assert set(per_chat) == set(range(1, 1201))
    assert set(per_chat.values()) == {2}


async def test_a_stop_while_the_tip_waits_its_turn_means_no_tip(store, library, clock, sleep):
    subscribe(store, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    sent = []

    async def send_after_a_stop(chat_id: int, claim: Claim, still_wanted):
        store.unsubscribe(chat_id, clock())  # the person says /stop while the tip is queued
        if not still_wanted():
            return NotSent("no longer wanted")
        sent.append(chat_id)
        return Sent()

    delivery = make_delivery(store, library, send_after_a_stop, clock, sleep, workers=4)
    assert await delivery.sweep() == {"released": 1}
    assert sent == [] and store.pending_deliveries() == []
    assert not store.subscriber(1).active


async def test_a_claim_left_from_yesterday_is_closed_not_sent(
    db_path, library, sender, clock, sleep
):
    crashed = Store.open(db_path)
    subscribe(crashed, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    make_delivery(crashed, library, sender, clock, sleep).claim_due(clock(), 10)
    crashed.close()
    clock.set(datetime(2026, 3, 3, 8, 0, tzinfo=UTC))  # back the next morning
    restarted = Store.open(db_path)
    assert await make_delivery(restarted, library, sender, clock, sleep).sweep() == {"sent": 1}
    assert len(sender.delivered) == 1  # today's tip only, not yesterday's beside it
    restarted.close()


async def test_a_claim_carries_the_quiet_choice_whether_fresh_or_resumed(
    db_path, library, sender, clock, sleep
):
    crashed = Store.open(db_path)
    subscribe(crashed, clock, 1, 2)
    crashed.set_quiet(2, True, clock(), chat_type="private", default=EIGHT_UTC)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    fresh = make_delivery(crashed, library, sender, clock, sleep).claim_due(clock(), 10)
    assert {claim.chat_id: claim.quiet for claim in fresh} == {1: False, 2: True}
    crashed.close()  # died before sending: the next process resumes both claims
    restarted = Store.open(db_path)
    assert await make_delivery(restarted, library, sender, clock, sleep).sweep() == {"sent": 2}
    assert sender.quiet == {1: False, 2: True}
    restarted.close()


async def test_a_running_process_picks_up_a_claim_left_pending(
    store, library, sender, clock, sleep
):
    subscribe(store, clock, 1, 2)
    clock.set(datetime(2026, 3, 2, 7, 59, tzinfo=UTC))
    delivery = make_delivery(store, library, sender, clock, sleep)
    assert await delivery.sweep() == {}  # the first sweep of this process (nobody due yet)
    clock.set(datetime(2026, 3, 2, 8, 1, tzinfo=UTC))
    [orphan, _] = delivery.claim_due(clock(), 10)  # claimed, then an error lost the sends
    assert await delivery.sweep() == {"sent": 2}  # its own claims, not in flight: at once
    assert {chat for chat, _ in sender.delivered} == {1, 2}
    assert orphan.chat_id in {1, 2}


class FullDisk(Store):
    """The real store, except that writing a final status fails while `full` is set."""

    full = False

    def finish_delivery(self, *args, **kwargs):
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")
        return super().finish_delivery(*args, **kwargs)


async def test_an_outcome_the_disk_refused_is_kept_and_written_later(
    db_path, library, sender, clock, sleep
):
    store = FullDisk.open(db_path)
    subscribe(store, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    delivery = make_delivery(store, library, sender, clock, sleep)
    store.full = True
    assert await delivery.sweep() == {"sent": 1}
    clock.advance(minutes=30)
    assert await delivery.sweep() == {}  # still pending on disk, but known as sent: no resend
    store.full = False
    assert await delivery.sweep() == {}
    assert store.pending_deliveries() == []
    assert len(sender.delivered) == 1
    store.close()


async def test_old_delivery_records_are_pruned_in_small_batches(
    store, library, sender, clock, sleep
):
    subscribe(store, clock, 1, 2, 3)
    delivery = make_delivery(store, library, sender, clock, sleep)
    for day in range(2, 22):  # twenty days of tips, 2 to 21 March
        clock.set(datetime(2026, 3, day, 8, 0, tzinfo=UTC))
        assert await delivery.sweep() == {"sent": 3}
    rows = lambda: store.db.execute("SELECT count(*) FROM deliveries").fetchone()[0]  # noqa: E731
    assert rows() == 60
    assert delivery.tidy() == 60  # all looked at; 3 days before 21 March: 2 to 17 March go
    assert rows() == 3 * 4
    assert delivery.tidy() == 0  # nothing more grows old before the UTC date moves
    clock.advance(days=1)
    assert await delivery.sweep() == {"sent": 3}  # pruning never makes a day owed again
    assert await delivery.sweep() == {}
    assert delivery.tidy(limit=5) == 5  # a step looks at no more than it is given
    assert delivery.tidy() == 10  # the next goes on after the chat that step ended in
    assert rows() == 3 * 4  # 18 March went


async def test_a_stop_after_following_a_group_records_the_supergroups_claim(
    store, library, clock, sleep
):
    store.subscribe(-5, "group", EIGHT_UTC, clock())
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    waiting = asyncio.Event()

    async def move_then_hang(chat_id: int, claim: Claim, still_wanted):
        if chat_id == -5:
            return Migrated(-1009999999999)
        waiting.set()
        await asyncio.Event().wait()  # the supergroup's send never comes back before the stop

    delivery = make_delivery(store, library, move_then_hang, clock, sleep)
    loop = DeliveryLoop(delivery.sweep, store.earliest_due, clock, on_stop=delivery.stop_starting)
    loop.start()
    await waiting.wait()
    await loop.stop(timeout=0.05)
    assert store.pending_deliveries() == []  # recorded under the supergroup, not left pending
    assert store.delivery_status(-1009999999999, clock().date()) == "released"


T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def pending_claim(claim: str, touched_at: datetime = T0) -> PendingDelivery:
    return PendingDelivery(1, T0.date(), "tip", claim, touched_at)


@pytest.mark.parametrize(
    ("claim", "dead", "held_since", "resumable"),
    [
        pytest.param("", (), None, None, id="made by hand: at once"),
        pytest.param("me#4", (), None, None, id="our own: at once"),
        pytest.param("gone#4", ("gone",), None, None, id="a dead process's: at once"),
        pytest.param("live#4", (), None, T0 + TAKEOVER_AFTER, id="a live one's: after the TTL"),
        pytest.param(
            "live#4",
            (),
            T0 + TAKEOVER_AFTER,
            T0 + TAKEOVER_AFTER + TAKEOVER_GRACE,
            id="and the grace after we took the lease",
        ),
        pytest.param(
            "live#4", (), T0 - TAKEOVER_AFTER, T0 + TAKEOVER_AFTER, id="a lease long held: TTL"
        ),
        pytest.param("host#12#4", (), None, T0 + TAKEOVER_AFTER, id="a holder id with a #"),
        pytest.param("host#12#4", ("host#12",), None, None, id="dead, its id with a #"),
    ],
)
def test_when_a_pending_claim_may_be_resumed(claim, dead, held_since, resumable):
    assert resumable_at(pending_claim(claim), "me", dead, held_since) == resumable


def test_next_wake_is_the_earliest_due_time_or_none(store, library, sender, clock, sleep):
    delivery = make_delivery(store, library, sender, clock, sleep)
    assert delivery.next_wake() is None  # nobody subscribed, nothing pending
    subscribe(store, clock, 1)
    assert delivery.next_wake() == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_a_prune_the_disk_refuses_prunes_nothing_and_says_why(
    db_path, library, sender, clock, sleep, caplog
):
    store = Store.open(db_path)
    delivery = make_delivery(store, library, sender, clock, sleep)
    store.close()
    with caplog.at_level(logging.WARNING, logger="scheduler.delivery"):
        assert delivery.tidy() == 0
    assert caplog.messages == [
        "Could not prune old delivery records: Cannot operate on a closed database."
    ]


class UnreadableFence(Store):
    """A store whose check just before a send fails (a locked or broken disk)."""

    def may_send(self, chat_id, day, claim, now):
        raise sqlite3.OperationalError("disk I/O error")


async def test_a_fence_the_database_cannot_answer_says_no(db_path, library, clock, sleep, caplog):
    store = UnreadableFence.open(db_path)
    subscribe(store, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    answers: list[bool] = []
    delivery: Delivery

    async def send(chat_id, claim, still_wanted):
        answers.append(still_wanted())
        delivery.stop_starting()  # one look is enough (a fence that keeps failing re-claims)
        return NotSent("no longer wanted")

    delivery = make_delivery(store, library, send, clock, sleep)
    with caplog.at_level(logging.WARNING, logger="scheduler.delivery"):
        await delivery.sweep()
    store.close()
    assert answers == [False]  # fails closed: not sent
    assert caplog.messages == ["Could not check chat 1 before sending: disk I/O error"]


async def test_an_error_after_a_lost_answer_records_the_tip_as_maybe_sent(
    store, library, clock, sleep, caplog
):
    subscribe(store, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    answers = [Uncertain("Timed out")]

    async def send(chat_id, claim, still_wanted):
        if answers:
            return answers.pop()
        raise RuntimeError("a bug in the sender")

    delivery = make_delivery(store, library, send, clock, sleep)
    with caplog.at_level(logging.ERROR, logger="scheduler.delivery"):
        assert await delivery.sweep() == {"maybe_sent": 1}
    assert store.delivery_status(1, clock().date()) == "maybe_sent"
    assert caplog.messages == [
        "Daily tip for chat 1 stopped by an error (RuntimeError: a bug in the sender); "
        "recorded as maybe sent"
    ]


async def test_a_stop_after_a_lost_answer_records_the_tip_as_maybe_sent(
    store, library, sender, clock
):
    subscribe(store, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    sender.script[1] = [Uncertain("Timed out")]
    delivery: Delivery

    async def stopped_while_waiting(seconds: float) -> None:
        delivery.stop_starting()  # SIGTERM while the retry waits

    delivery = make_delivery(store, library, sender, clock, stopped_while_waiting)
    await delivery.sweep()
    assert len(sender.attempts) == 1
    assert store.delivery_status(1, clock().date()) == "maybe_sent"  # final: never resent
