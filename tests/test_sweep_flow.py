"""How a sweep keeps its sends going: a bounded number in flight, refilled as each one ends
(a slow send holds back nobody else), every final status told to the listeners, and a
database that refuses a claim stopping the sweep only after the sends in flight are done."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime

import pytest

from scheduler.outcomes import Gone, Sent
from storage import Store
from tests.test_delivery import make_delivery, subscribe

EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class HeldSender:
    """Sends at once, but the `held` chats' sends wait until `release` is set; counts the
    sends in flight at once. A held send that is cancelled takes as many turns of the event
    loop as its chat id to end (as a client closing its connection would)."""

    def __init__(self, *held: int, gone: frozenset[int] = frozenset()) -> None:
        self.held, self.gone = held, gone
        self.release = asyncio.Event()
        self.in_flight = self.most_in_flight = 0
        self.sent: list[int] = []

    async def send(self, chat_id, claim, still_wanted):
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await (self.release.wait() if chat_id in self.held else asyncio.sleep(0))
        except asyncio.CancelledError:
            for _ in range(chat_id):
                await asyncio.sleep(0)
            raise
        finally:
            self.in_flight -= 1
        if chat_id in self.gone:
            return Gone("bot was blocked by the user")
        self.sent.append(chat_id)
        return Sent()


async def test_a_slow_send_holds_back_no_other_and_at_most_workers_are_in_flight(
    store, library, clock, sleep
):
    subscribe(store, clock, *range(1, 21))
    clock.set(EIGHT)
    sender = HeldSender(1)
    delivery = make_delivery(store, library, sender, clock, sleep, workers=4)
    sweep = asyncio.create_task(delivery.sweep())
    for _ in range(1_000):  # turns of the event loop, no clock: the others all go meanwhile
        if len(sender.sent) == 19:
            break
        await asyncio.sleep(0)
    assert sorted(sender.sent) == list(range(2, 21))  # all but the held one, while it waits
    sender.release.set()
    assert await sweep == {"sent": 20}
    assert sender.most_in_flight == 4


async def test_each_final_status_is_told_to_the_outcome_listeners(store, library, clock, sleep):
    subscribe(store, clock, 1, 2, 3)
    clock.set(EIGHT)
    told: list[str] = []
    sent: list[tuple[int, object]] = []
    sender = HeldSender(gone=frozenset({2}))
    delivery = make_delivery(
        store,
        library,
        sender,
        clock,
        sleep,
        outcome_listeners=[told.append],
        sent_listeners=[lambda chat_id, day: sent.append((chat_id, day))],
    )
    assert await delivery.sweep() == {"sent": 2, "blocked": 1}
    assert sorted(told) == ["blocked", "sent", "sent"]
    assert sorted(sent) == [(1, EIGHT.date()), (3, EIGHT.date())]


class RefusingClaims(Store):
    """The real store, except that the second claim batch meets a locked database."""

    batches = 0

    def due_subscribers(self, now, limit):
        self.batches += 1
        if self.batches == 2:
            raise sqlite3.OperationalError("database is locked")
        return super().due_subscribers(now, limit)


async def test_a_refused_claim_ends_the_sweep_with_its_error_after_the_sends_in_flight(
    db_path, library, clock, sleep
):
    store = RefusingClaims.open(db_path)
    subscribe(store, clock, *range(1, 9))
    clock.set(EIGHT)
    sender = HeldSender(1)
    delivery = make_delivery(store, library, sender, clock, sleep, workers=4)
    sweep = asyncio.create_task(delivery.sweep())
    for _ in range(1_000):
        if store.batches == 2:
            break
        await asyncio.sleep(0)
    assert not sweep.done()  # the held send still runs: the sweep waits for it
    sender.release.set()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        await sweep
    assert sorted(sender.sent) == [1, 2, 3, 4]  # the first batch, every send finished
    assert store.pending_deliveries() == []  # and recorded
    store.close()


async def test_a_cancelled_sweep_returns_only_once_every_send_it_started_is_recorded(
    store, library, clock, sleep
):
    subscribe(store, clock, 1, 5, 3)
    clock.set(EIGHT)
    sender = HeldSender(1, 5)  # two sends still waiting when the stop comes
    delivery = make_delivery(store, library, sender, clock, sleep, workers=4)
    sweep = asyncio.create_task(delivery.sweep())
    for _ in range(1_000):
        if sender.sent == [3] and sender.in_flight == 2:
            break
        await asyncio.sleep(0)
    sweep.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sweep
    assert sender.in_flight == 0
    assert store.pending_deliveries() == []  # each ended with a final status, none orphaned


class OneByOne:
    """Every send waits until the test releases it, oldest first."""

    def __init__(self) -> None:
        self.waiting: list[asyncio.Event] = []

    async def send(self, chat_id, claim, still_wanted):
        released = asyncio.Event()
        self.waiting.append(released)
        await released.wait()
        return Sent()

    def release(self, count: int) -> None:
        for released in self.waiting[:count]:
            released.set()
        del self.waiting[:count]


class ClaimSizes(Store):
    """The real store, keeping how many due subscribers each claim batch asked for."""

    def due_subscribers(self, now, limit):
        self.sizes.append(limit)
        return super().due_subscribers(now, limit)


async def turns(count: int = 50) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


@pytest.mark.parametrize(("workers", "refill"), [(6, 1), (8, 2)])
async def test_more_are_claimed_as_soon_as_a_quarter_of_the_workers_are_free(
    db_path, library, clock, sleep, workers, refill
):
    store = ClaimSizes.open(db_path)
    store.sizes = []
    subscribe(store, clock, *range(1, 31))
    clock.set(EIGHT)
    sender = OneByOne()
    delivery = make_delivery(store, library, sender, clock, sleep, workers=workers)
    sweep = asyncio.create_task(delivery.sweep())
    await turns()
    for _ in range(2 * refill):  # one send ends at a time
        sender.release(1)
        await turns()
    assert store.sizes == [workers, refill, refill]
    while not sweep.done():
        sender.release(workers)
        await turns()
    assert await sweep == {"sent": 30}
    store.close()
