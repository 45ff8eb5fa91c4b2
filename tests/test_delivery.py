"""The delivery sweep with a scripted sender: exactly-once, retries, 429s, blocked chats."""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler.delivery import MAX_ATTEMPTS, Delivery
from scheduler.due import Schedule
from scheduler.outcomes import Gone, Migrated, RateLimited, Sent, Transient
from storage import Store
from tips import next_tip

EIGHT_UTC = Schedule(time(8, 0), ZoneInfo("UTC"))


class ScriptedSender:
    """Answers each send with the next scripted outcome for that chat, else `Sent()`."""

    def __init__(self) -> None:
        self.script: dict[int, list] = defaultdict(list)
        self.attempts: list[tuple[int, str]] = []
        self.delivered: list[tuple[int, str]] = []

    async def send(self, chat_id: int, tip_id: str):
        self.attempts.append((chat_id, tip_id))
        outcome = self.script[chat_id].pop(0) if self.script[chat_id] else Sent()
        if outcome == Sent():
            self.delivered.append((chat_id, tip_id))
        return outcome


@pytest.fixture
def sender():
    return ScriptedSender()


def make_delivery(store: Store, library, sender, clock, sleep) -> Delivery:
    rng = random.Random(3)
    return Delivery(
        store,
        lambda chat_id, now: next_tip(store, library.tips, chat_id, rng, now).id,
        sender.send,
        clock,
        rate=1000,
        sleep=sleep,
    )


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
    assert await again.resume_pending() == {}
    assert await again.sweep() == {}
    assert len(sender.delivered) == 1
    second.close()


async def test_a_crash_mid_send_resumes_the_claim(db_path, library, sender, clock, sleep):
    crashed = Store.open(db_path)
    subscribe(crashed, clock, 1)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    claims = make_delivery(crashed, library, sender, clock, sleep).claim_due(clock())
    crashed.close()  # the process died before sending: the claim stays pending
    restarted = Store.open(db_path)
    delivery = make_delivery(restarted, library, sender, clock, sleep)
    assert await delivery.resume_pending() == {"sent": 1}
    assert await delivery.sweep() == {}
    assert sender.delivered == [(1, claims[0].tip_id)]
    restarted.close()


async def test_downtime_catch_up_the_same_day(store, library, sender, clock, sleep):
    subscribe(store, clock, 1)
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))  # back five hours late
    delivery = make_delivery(store, library, sender, clock, sleep)
    assert await delivery.sweep() == {"sent": 1}


async def test_429_waits_and_resends_the_same_tip(store, library, sender, clock, sleep):
    subscribe(store, clock, 1)
    sender.script[1] = [RateLimited(7)]
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    assert await make_delivery(store, library, sender, clock, sleep).sweep() == {"sent": 1}
    assert sleep.calls == [7]
    assert sender.attempts[0] == sender.attempts[1]
    assert len(sender.delivered) == 1


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
    assert sleep.calls == [2, 4, 8, 16, 30]
    clock.advance(minutes=5)
    assert await delivery.sweep() == {}
    clock.advance(minutes=6)
    assert await delivery.sweep() == {"sent": 1}


async def test_shutdown_releases_claims_not_yet_sent(store, library, sender, clock, sleep):
    subscribe(store, clock, 1, 2)
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    in_flight, finish = [], asyncio.Event()

    async def slow_send(chat_id: int, tip_id: str) -> Sent:
        in_flight.append(chat_id)
        await finish.wait()
        return Sent()

    rng = random.Random(3)
    choose = lambda chat_id, now: next_tip(store, library.tips, chat_id, rng, now).id  # noqa: E731
    delivery = Delivery(store, choose, slow_send, clock, rate=1000, workers=1, sleep=sleep)
    sweeping = asyncio.create_task(delivery.sweep())
    while not in_flight:  # one send in flight, the other claim waiting for the worker
        await asyncio.sleep(0)
    stopping = asyncio.create_task(delivery.shutdown(timeout=5))
    await asyncio.sleep(0)
    finish.set()
    assert await sweeping == {"sent": 1, "released": 1}
    await stopping
    [unsent] = {1, 2} - set(in_flight)
    assert store.pending_deliveries() == []
    assert store.subscriber(unsent).last_delivery is None
    assert await make_delivery(store, library, sender, clock, sleep).sweep() == {"sent": 1}
    assert [chat for chat, _ in sender.delivered] == [unsent]


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
