"""One delivering process: the lease in the database, the standby, and two real processes."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.service.lease import process_alive, process_identity
from scheduler.due import Schedule
from scheduler.lease import Lease
from storage import Store
from tests.conftest import FakeClock
from tests.test_process import BotProcess, bot_env

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
TTL = 60.0


def test_only_one_process_holds_the_lease(db_path):
    first, second = Store.open(db_path), Store.open(db_path)  # two connections, one file
    assert first.acquire_lease("a", START, TTL)
    assert not second.acquire_lease("b", START + timedelta(seconds=59), TTL)
    assert first.renew_lease("a", START + timedelta(seconds=30), TTL)
    assert not second.acquire_lease("b", START + timedelta(seconds=89), TTL)  # renewed to 90 s
    assert second.acquire_lease("b", START + timedelta(seconds=90), TTL)  # lapsed: taken over
    assert not first.renew_lease("a", START + timedelta(seconds=91), TTL)
    assert not first.acquire_lease("a", START + timedelta(seconds=91), TTL)
    first.release_lease("a")  # not its lease any more: nothing happens
    assert not first.acquire_lease("a", START + timedelta(seconds=92), TTL)
    second.release_lease("b")
    assert first.acquire_lease("a", START + timedelta(seconds=93), TTL)
    first.close()
    second.close()


def test_a_standby_says_so_once_and_takes_over_when_the_lease_lapses(store, caplog):
    clock = FakeClock(START)
    holder = Lease(store, clock, "a", ttl=TTL)
    standby = Lease(store, clock, "b", ttl=TTL)
    with caplog.at_level(logging.INFO, logger="scheduler.lease"):
        assert holder.renew() and holder.held()
        assert not standby.renew() and not standby.held()
        clock.advance(seconds=20)
        assert not standby.renew()
        clock.advance(seconds=TTL)  # the holder died and stopped renewing
        assert not holder.held()  # (its own view lapses first, with a margin)
        assert standby.renew() and standby.held()
    assert [r.getMessage() for r in caplog.records] == [
        "Delivering: this process holds the delivery lease (a)",
        "Standby: another process is delivering; taking over when it stops",
        "Delivering: this process holds the delivery lease (b)",
    ]


def test_the_holder_stops_sweeping_before_its_lease_can_lapse(store):
    clock = FakeClock(START)
    lease = Lease(store, clock, "a", ttl=TTL)
    lease.renew()
    clock.advance(seconds=TTL * 2 / 3 - 1)
    assert lease.held()
    clock.advance(seconds=1)
    assert not lease.held()  # a standby could take over in 20 s: start nothing new


def test_a_clean_stop_hands_the_lease_over_at_once(store):
    clock = FakeClock(START)
    first = Lease(store, clock, "a", ttl=TTL)
    second = Lease(store, clock, "b", ttl=TTL)
    first.renew()
    assert not second.renew()
    first.release()
    assert second.renew()


def test_a_standby_says_so_at_its_first_look(store, caplog):
    clock = FakeClock(START)
    Lease(store, clock, "a", ttl=TTL).renew()
    with caplog.at_level(logging.INFO, logger="scheduler.lease"):
        assert not Lease(store, clock, "b", ttl=TTL).renew()
    assert [r.getMessage() for r in caplog.records] == [
        "Standby: another process is delivering; taking over when it stops"
    ]


def test_a_standby_takes_over_at_the_instant_the_lease_lapses(store):
    clock = FakeClock(START)
    Lease(store, clock, "a", ttl=TTL).renew()
    standby = Lease(store, clock, "b", ttl=TTL)
    clock.advance(seconds=TTL)  # the store's own rule: lapsed at `expires_at`, not after
    assert standby.renew()


def test_held_since_is_when_the_lease_was_taken_and_a_normal_takeover_names_no_dead(store):
    clock = FakeClock(START)
    holder = Lease(store, clock, "a", ttl=TTL)
    standby = Lease(store, clock, "b", ttl=TTL)
    assert holder.held_since is None
    holder.renew()
    clock.advance(seconds=20)
    holder.renew()  # a renewal is no new take
    assert not standby.renew()
    assert holder.held_since == START and standby.held_since is None
    clock.advance(seconds=TTL)
    assert standby.renew()
    assert standby.held_since == clock() and standby.dead == set() and holder.dead == set()


def test_a_holder_that_lost_its_lease_says_so_and_stops(store, caplog):
    clock = FakeClock(START)
    holder = Lease(store, clock, "a", ttl=TTL)
    holder.renew()
    clock.advance(seconds=TTL)  # the holder hung past its lease; another process took it
    assert Lease(store, clock, "b", ttl=TTL).renew()
    with caplog.at_level(logging.INFO, logger="scheduler.lease"):
        assert not holder.renew() and not holder.held()
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("ERROR", "Lost the delivery lease to another process; delivering stops here")
    ]


def test_a_lease_the_database_cannot_renew_is_kept_until_its_margin_and_the_log_says_why(
    db_path, caplog
):
    clock = FakeClock(START)
    store = Store.open(db_path)
    lease = Lease(store, clock, "a", ttl=TTL)
    assert lease.renew()
    store.close()  # every statement now fails with an sqlite3 error
    with caplog.at_level(logging.WARNING, logger="scheduler.lease"):
        assert lease.renew()  # kept for now: it was held and has not lapsed
        clock.advance(seconds=TTL)
        assert not lease.renew()  # but not past its own margin
    closed = "Cannot operate on a closed database."
    assert [r.getMessage() for r in caplog.records] == [
        f"Could not renew the delivery lease: {closed}",
        f"Could not renew the delivery lease: {closed}",
    ]


def test_a_released_lease_is_not_held_and_a_failed_release_says_why(db_path, caplog):
    clock = FakeClock(START)
    store = Store.open(db_path)
    lease = Lease(store, clock, "a", ttl=TTL)
    lease.renew()
    lease.release()
    assert not lease.held()
    lease.renew()
    store.close()
    with caplog.at_level(logging.WARNING, logger="scheduler.lease"):
        lease.release()
    assert not lease.held()
    assert [r.getMessage() for r in caplog.records] == [
        "Could not release the delivery lease (it lapses): Cannot operate on a closed database."
    ]


def many_due_subscribers(db_path, count: int) -> list[int]:
    """`count` chats, subscribed yesterday, whose time came a minute ago."""
    now = datetime.now(UTC)
    at = max((now - timedelta(minutes=1)).time().replace(second=0, microsecond=0), time(0))
    if at > now.time():
        at = time(0)
    store = Store.open(db_path)
    chats = list(range(1000, 1000 + count))
    for chat_id in chats:
        store.subscribe(chat_id, "private", Schedule(at, ZoneInfo("UTC")), now - timedelta(days=1))
    store.close()
    return chats


async def test_two_processes_on_one_database_send_each_tip_once(telegram, tmp_path):
    db_path = tmp_path / "bot.db"
    chats = many_due_subscribers(db_path, 50)
    first = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    await first.wait_for_log("holds the delivery lease", timeout=20)
    second = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    await second.wait_for_log("Standby: another process is delivering", timeout=20)
    assert await telegram.wait_until(lambda: len(telegram.sent) >= len(chats), timeout=30)
    await asyncio.sleep(1.5)  # room for any second tip to arrive
    assert Counter(message.chat_id for message in telegram.sent) == {chat: 1 for chat in chats}
    assert await second.stop(signal.SIGTERM) == 0
    assert await first.stop(signal.SIGTERM) == 0
    assert "Daily sweep" in first.log
    assert "Daily sweep" not in second.log  # the standby never swept


def test_a_dead_holders_lease_is_taken_at_once_a_live_or_unknown_ones_waits(store, caplog):
    clock = FakeClock(START)
    verdicts = {"p-a": True}  # what the host says of each holder's process
    alive = verdicts.get
    holder = Lease(store, clock, "a", process="p-a", alive=alive, ttl=TTL)
    restarted = Lease(store, clock, "b", process="p-b", alive=alive, ttl=TTL)
    assert holder.renew()
    clock.advance(seconds=5)
    assert not restarted.renew()  # alive: a standby waits
    verdicts["p-a"] = None  # another host: cannot tell, so wait for the lease to lapse
    assert not restarted.renew()
    verdicts["p-a"] = False  # killed: taken over now, not in 55 s
    with caplog.at_level(logging.INFO, logger="scheduler.lease"):
        assert restarted.renew() and restarted.held()
    assert restarted.dead == {"a"}
    assert "holder a has died: taking over now" in caplog.text
    assert not holder.renew()  # if it was not dead after all, it learns it lost the lease


def test_a_process_identity_tells_a_live_process_from_a_dead_one():
    import subprocess

    mine = process_identity()
    assert mine is not None and process_alive(mine) is True
    child = subprocess.Popen(["sleep", "30"])
    identity = process_identity(child.pid)
    assert process_alive(identity) is True
    child.kill()
    child.wait()
    assert process_alive(identity) is False  # gone, and a new process there would differ
    boot, space, pid, started = identity.rsplit("/", 3)
    assert process_alive(f"{boot}/{space}/{os.getpid()}/{started}") is False  # pid reused
    assert process_alive(f"another-boot/{space}/{pid}/{started}") is None
    assert process_alive(None) is None
