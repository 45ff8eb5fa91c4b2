"""The delivery loop over a process's life, on virtual time: consecutive due minutes, schedule
changes while it runs, a failed sweep, a rolling restart, a `kill -9` and a frozen holder."""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.service.wiring import tip_chooser
from scheduler.delivery import Delivery
from scheduler.due import Schedule
from scheduler.engine import BACKOFF_SECONDS, SAFETY_SWEEP_SECONDS, DeliveryLoop
from scheduler.lease import LEASE_TTL, STANDBY_POLL, Lease
from scheduler.outcomes import Sent
from scheduler.records import Claim
from storage import Store
from tests import simulation
from tests.simulation import FakeTelegram, SimProcess, World, open_store, tiny_library
from tests.virtual_time import VirtualTimeLoop, run_virtual, sleep_until, virtual_clock

MORNING = datetime(2026, 3, 2, 7, 59, 30, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")
EIGHT = Schedule(time(8, 0), UTC_ZONE)


def at(hour: int, minute: int, second: float = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=UTC) + timedelta(seconds=second)


class Recorder:
    """A Telegram that accepts everything at once and remembers when."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, datetime]] = []

    async def send(self, chat_id: int, claim: Claim, still_wanted) -> Sent:
        if still_wanted():
            self.sent.append((chat_id, virtual_clock()))
        return Sent()

    def lateness(self, chat_id: int, due: datetime) -> float:
        [(_, when)] = [entry for entry in self.sent if entry[0] == chat_id]
        return (when - due).total_seconds()


def delivery_for(store: Store, send) -> Delivery:
    choose = tip_chooser(store, tiny_library(), random.Random(1))
    return Delivery(store, choose, send, virtual_clock, workers=4)


def subscribe_at(store: Store, chat_id: int, hour: int, minute: int) -> None:
    since = MORNING - timedelta(days=1)
    store.subscribe(chat_id, "private", Schedule(time(hour, minute), UTC_ZONE), since)


def test_every_due_minute_in_a_row_goes_out_on_time_and_so_does_a_changed_time(tmp_path):
    async def life() -> tuple[Recorder, DeliveryLoop]:
        store, telegram = Store.open(tmp_path / "bot.db"), Recorder()
        for chat_id, minute in ((1, 0), (2, 1), (3, 2), (4, 3)):  # 08:00, 08:01, 08:02, 08:03
            subscribe_at(store, chat_id, 8, minute)
        subscribe_at(store, 5, 9, 0)
        delivery = delivery_for(store, telegram.send)
        loop = DeliveryLoop(delivery.sweep, store.earliest_due, virtual_clock)
        loop.start()
        await sleep_until(at(8, 1, 30))
        changed = store.set_schedule(  # /time 08:05 in chat 5, while the bot runs
            5, virtual_clock(), chat_type="private", default=EIGHT, at=time(8, 5)
        )
        loop.wake_at(store.earliest_due())
        assert changed.schedule.at == time(8, 5)
        await sleep_until(at(8, 30))
        await loop.stop(timeout=1)
        store.close()
        return telegram, loop

    telegram, loop = run_virtual(life(), MORNING)
    for chat_id, minute in ((1, 0), (2, 1), (3, 2), (4, 3), (5, 5)):
        assert 0 <= telegram.lateness(chat_id, at(8, minute)) < 1, chat_id
    # Woken for each due minute, once at start, and by safety sweeps in the idle half hour.
    assert loop.sweeps <= 1 + 5 + 30 * 60 // 300 + 1


def test_a_clock_that_jumped_past_the_due_time_is_swept_when_the_loop_is_woken(tmp_path):
    """The sandbox's `:tomorrow`: the loop naps on the old time; told to look again, it sweeps
    at once what the jump made due."""
    jumped = timedelta()

    def clock() -> datetime:
        return virtual_clock() + jumped

    async def life() -> list[tuple[int, datetime]]:
        nonlocal jumped
        store, telegram = Store.open(tmp_path / "bot.db"), Recorder()
        subscribe_at(store, 1, 9, 0)  # an hour after the loop starts
        choose = tip_chooser(store, tiny_library(), random.Random(1))
        loop_delivery = Delivery(store, choose, telegram.send, clock, workers=4)
        loop = DeliveryLoop(loop_delivery.sweep, store.earliest_due, clock)
        loop.start()
        await asyncio.sleep(1)  # the loop naps until 09:00 by its clock
        jumped = timedelta(hours=2)  # the clock moves on past it
        loop.wake_at(clock())  # not earlier than the sweep it planned: no news to it
        loop.look_again()
        await asyncio.sleep(1)
        sent = list(telegram.sent)
        await loop.stop(timeout=1)
        store.close()
        return sent

    sent = run_virtual(life(), MORNING)
    assert [(chat_id, when) for chat_id, when in sent] == [(1, MORNING + timedelta(seconds=1))]


def test_a_failed_sweep_is_tried_again_within_seconds_and_its_sends_are_awaited(tmp_path):
    class FlakyStore(Store):
        failures = 0

        def due_subscribers(self, now, limit):
            if self.failures:
                self.failures -= 1
                raise sqlite3.OperationalError("database is locked")
            return super().due_subscribers(now, limit)

    async def life() -> tuple[Recorder, FlakyStore, int]:
        store, telegram = FlakyStore.open(tmp_path / "bot.db"), Recorder()
        subscribe_at(store, 1, 8, 0)
        subscribe_at(store, 2, 8, 0)
        delivery = delivery_for(store, telegram.send)
        loop = DeliveryLoop(delivery.sweep, store.earliest_due, virtual_clock)
        loop.start()
        await sleep_until(at(7, 59, 59))
        store.failures = 2  # the 08:00 sweep fails, and its first retry
        await sleep_until(at(8, 0, 30))
        failures = loop.failures
        await loop.stop(timeout=1)
        return telegram, store, failures

    telegram, store, failures = run_virtual(life(), MORNING)
    expected = BACKOFF_SECONDS[0] + BACKOFF_SECONDS[1]
    assert all(telegram.lateness(chat, at(8, 0)) <= expected + 1 for chat in (1, 2))
    assert failures == 0 and store.pending_deliveries() == []
    store.close()


def test_an_error_on_one_tip_is_that_tips_outcome_not_the_sweeps(tmp_path):
    async def life() -> tuple[Counter, Store]:
        store = Store.open(tmp_path / "bot.db")
        for chat_id in (1, 2, 3):
            subscribe_at(store, chat_id, 7, 0)

        async def send(chat_id, claim, still_wanted):
            if chat_id == 2:
                raise RuntimeError("a bug in the sender")
            return Sent()

        report = await delivery_for(store, send).sweep()
        return report, store

    report, store = run_virtual(life(), MORNING)
    assert report == {"sent": 2}
    [pending] = store.pending_deliveries()  # the broken one stays claimed, to be resumed
    assert pending.chat_id == 2
    store.close()


def two_processes(tmp_path, rng_seed: int = 1, faults: float = 0.0):
    """A world as the simulation builds it, with chats due at 08:00 and no faults."""
    loop = asyncio.get_running_loop()
    assert isinstance(loop, VirtualTimeLoop)
    path = tmp_path / "bot.db"
    open_store(path).close()
    world = World(random.Random(rng_seed), loop, path, faults=faults, latencies=(0.1,))
    store = open_store(path)
    for chat_id in range(1, 11):
        subscribe_at(store, chat_id, 8, 0)
        world.schedules[chat_id] = Schedule(time(8, 0), UTC_ZONE)
    store.close()
    return world, FakeTelegram(world)


def per_chat(world: World) -> Counter[int]:
    return Counter(message.chat_id for message in world.delivered)


def worst_lateness(world: World) -> float:
    return max((m.at - at(8, 0)).total_seconds() for m in world.delivered)


def test_a_rolling_restart_makes_no_tip_late(tmp_path):
    async def life() -> World:
        world, telegram = two_processes(tmp_path)
        old = SimProcess("old", world, telegram, tiny_library())
        await old.start()
        await sleep_until(at(7, 59, 40))
        new = SimProcess("new", world, telegram, tiny_library())
        await new.start()  # a standby beside it
        await sleep_until(at(7, 59, 55))
        await old.stop()  # SIGTERM to the old one, five seconds before the minute
        await sleep_until(at(8, 2))
        await new.stop()
        return world

    world = run_virtual(life(), MORNING)
    assert per_chat(world) == {chat: 1 for chat in range(1, 11)}
    assert {m.process for m in world.delivered} == {"new"}
    assert worst_lateness(world) < 3


def test_after_a_kill_9_the_restarted_process_takes_over_at_once(tmp_path):
    async def life() -> tuple[World, datetime]:
        world, telegram = two_processes(tmp_path)
        dead = SimProcess("dead", world, telegram, tiny_library())
        await dead.start()
        await sleep_until(at(8, 0, 0.01))  # it has claimed the minute's first tips
        assert dead.store.pending_deliveries()
        await dead.crash()
        restarted_at = virtual_clock()
        again = SimProcess("again", world, telegram, tiny_library())
        await again.start()  # systemd's Restart=, at once; the dead lease has 60 s to run
        await sleep_until(at(8, 3))
        await again.stop()
        return world, restarted_at

    world, restarted_at = run_virtual(life(), MORNING)
    assert per_chat(world) == {chat: 1 for chat in range(1, 11)}
    last = max(m.at for m in world.delivered)
    assert (last - restarted_at).total_seconds() < 30


@pytest.mark.parametrize("fenced", [True, False], ids=["fenced", "without-the-fence"])
def test_a_frozen_holder_sends_nothing_it_no_longer_owns(tmp_path, monkeypatch, fenced):
    async def life() -> World:
        world, telegram = two_processes(tmp_path)
        first_tries: set[int] = set()
        original = FakeTelegram._answer

        async def refuse_first(self, process, chat_id, tip_id):
            if chat_id not in first_tries:  # every first try fails: the holder backs off
                first_tries.add(chat_id)
                raise simulation.RequestNotSent("connection refused")
            return await original(self, process, chat_id, tip_id)

        monkeypatch.setattr(FakeTelegram, "_answer", refuse_first)
        holder = SimProcess("holder", world, telegram, tiny_library())
        if not fenced:  # the test can fail: a holder that never asks whether it still may
            holder.delivery.may_deliver = lambda: True
            holder.store.may_send = lambda chat_id, day, claim, now: True
        await holder.start()
        standby = SimProcess("standby", world, telegram, tiny_library())
        await standby.start()
        await sleep_until(at(8, 0, 0.5))  # claimed, tried once, waiting to try again
        holder.running.clear()  # SIGSTOP
        await sleep_until(at(8, 1, 30))
        holder.running.set()  # SIGCONT: its retries must find it no longer owns anything
        await sleep_until(at(8, 5))
        for process in (holder, standby):
            await process.stop()
        return world

    world = run_virtual(life(), MORNING)
    if not fenced:
        assert max(per_chat(world).values()) == 2  # woken, it sends what the standby sent
        return
    assert per_chat(world) == {chat: 1 for chat in range(1, 11)}
    assert worst_lateness(world) <= LEASE_TTL + 10
    assert all(m.process == "standby" for m in world.delivered if m.at > at(8, 0, 1))


def test_a_sweep_that_leaves_something_owed_does_not_spin():
    """A database swapped under the bot stops its sweeps while tips stay owed: it must not
    busy-loop on a due time in the past (a leftover process once did, at 42 % of a core)."""

    async def life() -> int:
        swept = []

        async def sweep_nothing() -> None:
            swept.append(virtual_clock())

        owed = MORNING - timedelta(hours=1)
        loop = DeliveryLoop(sweep_nothing, lambda: owed, virtual_clock)
        loop.start()
        await sleep_until(MORNING + timedelta(minutes=1))
        await loop.stop(timeout=1)
        return len(swept)

    assert run_virtual(life(), MORNING) <= 61  # about one a second, not thousands


def sweeps_of(life_of_loop, *, until: datetime, lease_of=None, owed=lambda: None):
    """The moments a loop swept (virtual time from MORNING), and the loop: `life_of_loop`
    gets the running loop and may poke at it."""

    async def life() -> tuple[list[datetime], DeliveryLoop]:
        swept: list[datetime] = []

        async def sweep() -> None:
            swept.append(virtual_clock())

        loop = DeliveryLoop(sweep, owed, virtual_clock, lease=lease_of and lease_of())
        loop.start()
        await life_of_loop(loop)
        await sleep_until(until)
        await loop.stop(timeout=1)
        return swept, loop

    return run_virtual(life(), MORNING)


def test_with_nothing_owed_the_next_sweep_is_the_safety_one(caplog):
    async def nothing(loop: DeliveryLoop) -> None:
        loop.wake_at(None)  # a change that leaves nothing owed moves nothing

    safety = MORNING + timedelta(seconds=SAFETY_SWEEP_SECONDS)
    with caplog.at_level(logging.DEBUG, logger="scheduler.engine"):
        swept, loop = sweeps_of(nothing, until=safety + timedelta(seconds=1))
    assert swept == [MORNING, safety]
    assert loop.sweeps == 2
    assert f"Sweep finished; the next at {safety}" in caplog.messages


def test_a_wake_up_due_in_half_a_second_is_swept_on_the_dot():
    async def poke(loop: DeliveryLoop) -> None:
        await sleep_until(MORNING + timedelta(seconds=10))
        loop.wake_at(virtual_clock() + timedelta(seconds=0.5))

    swept, _ = sweeps_of(poke, until=MORNING + timedelta(seconds=20))
    assert swept == [MORNING, MORNING + timedelta(seconds=10.5)]


def test_failed_sweeps_back_off_then_count_from_one_again(caplog):
    failing = [sqlite3.OperationalError("database is locked")] * 3
    swept: list[datetime] = []

    async def life() -> DeliveryLoop:
        async def sweep() -> None:
            swept.append(virtual_clock())
            if failing:
                raise failing.pop()

        loop = DeliveryLoop(sweep, lambda: None, virtual_clock)
        loop.start()
        await sleep_until(MORNING + timedelta(seconds=30))
        await loop.stop(timeout=1)
        return loop

    with caplog.at_level(logging.ERROR, logger="scheduler.engine"):
        loop = run_virtual(life(), MORNING)
    assert [(moment - MORNING).total_seconds() for moment in swept] == [0, 1, 3, 7]
    assert (loop.sweeps, loop.failures) == (1, 0)
    assert caplog.messages == [
        f"The daily sweep failed (OperationalError: database is locked); again in {delay:g} s"
        for delay in BACKOFF_SECONDS[:3]
    ]


def test_a_due_time_that_cannot_be_read_means_a_sweep_again_in_a_second(caplog):
    def unreadable() -> datetime | None:
        raise sqlite3.OperationalError("disk I/O error")

    async def nothing(loop: DeliveryLoop) -> None:
        pass

    with caplog.at_level(logging.WARNING, logger="scheduler.engine"):
        swept, _ = sweeps_of(nothing, until=MORNING + timedelta(seconds=2.5), owed=unreadable)
    assert [(moment - MORNING).total_seconds() for moment in swept] == [0, 1, 2]
    assert caplog.messages[0] == (
        "Could not read the next due time (disk I/O error); sweeping again soon"
    )


def test_a_loop_that_never_started_can_be_woken_and_stopped():
    async def life() -> None:
        loop = DeliveryLoop(lambda: asyncio.sleep(0), lambda: None, virtual_clock)
        loop.wake_at(virtual_clock())  # a /time before the loop runs
        await loop.stop(timeout=1)

    run_virtual(life(), MORNING)


def test_a_standby_sweeps_nothing_and_takes_over_within_its_poll(tmp_path):
    store = Store.open(tmp_path / "bot.db")
    holder = Lease(store, lambda: MORNING, "holder", ttl=3600)
    holder.renew()  # another process delivers

    async def release_after_a_minute(loop: DeliveryLoop) -> None:
        await sleep_until(MORNING + timedelta(seconds=61))
        holder.release()  # its clean stop, between two of the standby's looks

    swept, _ = sweeps_of(
        release_after_a_minute,
        until=MORNING + timedelta(minutes=7),
        lease_of=lambda: Lease(store, virtual_clock, "standby"),
    )
    store.close()
    takeover = swept[0]
    released = MORNING + timedelta(seconds=61)
    assert released <= takeover <= released + timedelta(seconds=STANDBY_POLL)
    assert swept == [takeover, takeover + timedelta(seconds=SAFETY_SWEEP_SECONDS)]  # no more


def test_a_loop_that_dies_says_so_and_tells_the_process_but_a_stop_is_no_death(tmp_path, caplog):
    store = Store.open(tmp_path / "bot.db")
    fatal: list[BaseException] = []

    def broken_housekeeping() -> None:
        raise RuntimeError("a bug")

    async def life(housekeeping, stop: bool) -> None:
        lease = Lease(store, virtual_clock, "me")
        loop = DeliveryLoop(
            lambda: asyncio.sleep(0),
            lambda: None,
            virtual_clock,
            lease=lease,
            housekeeping=housekeeping,
        )
        loop.start(on_fatal=fatal.append)
        await asyncio.sleep(1)
        if stop:
            await loop.stop(timeout=1)

    with caplog.at_level(logging.CRITICAL, logger="scheduler.engine"):
        run_virtual(life(broken_housekeeping, stop=False), MORNING)
        run_virtual(life(lambda: None, stop=True), MORNING)
    store.close()
    [error] = fatal  # the broken loop's, not the stopped one's
    assert isinstance(error, ExceptionGroup)
    assert [str(inner) for inner in error.exceptions] == ["a bug"]
    assert caplog.messages == [
        "The delivery loop stopped: ExceptionGroup: unhandled errors in a TaskGroup "
        "(1 sub-exception)"
    ]
