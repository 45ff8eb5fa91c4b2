"""The year of storage (`benchmarks.storage_year`) on a small audience: its figures only mean
something if the year it simulates is the bot's, every subscriber served once a local day."""

from datetime import date, timedelta

from benchmarks.storage_sizes import figures
from benchmarks.storage_year import START, peak, simulate
from scheduler.delivery import KEEP_DELIVERIES
from scheduler.due import Schedule, local_date, slot
from scheduler.lifecycle import DeliveryStatus

SUBSCRIBERS, DAYS = 50, 10
PRUNED_BEFORE = KEEP_DELIVERIES + timedelta(days=2)  # whole local days, by the UTC date


def owed_days(schedule: Schedule, days: int) -> list[date]:
    """The local days whose tip the year owes: from the local day it began on (a time set on
    that day keeps its tip owed) to the last whose delivery time comes before the year ends."""
    end, day, owed = START + timedelta(days=days), local_date(schedule, START), []
    while slot(schedule, day) < end:
        owed.append(day)
        day += timedelta(days=1)
    return owed


def test_a_small_year_serves_each_local_day_once_and_measures_the_file(tmp_path):
    year, world = simulate(tmp_path / "year.db", SUBSCRIBERS, DAYS, report=lambda _: None)
    store, stayed = year.store, set(range(1, SUBSCRIBERS + 1)) - year.touched
    end = START + timedelta(days=DAYS)
    assert len(stayed) >= SUBSCRIBERS - DAYS  # one /stop a day at most, at this size
    for chat_id in sorted(stayed):
        subscriber = store.subscriber(chat_id)
        assert subscriber is not None and subscriber.active
        owed = owed_days(subscriber.schedule, DAYS)
        assert year.tips[chat_id] == len(owed) >= DAYS, chat_id
        kept = [day for day in owed if slot(subscriber.schedule, day) >= end - KEEP_DELIVERIES]
        pruned = [day for day in owed if slot(subscriber.schedule, day) < end - PRUNED_BEFORE]
        assert {store.delivery_status(chat_id, day) for day in kept} == {DeliveryStatus.SENT}
        assert {store.delivery_status(chat_id, day) for day in pruned} == {None}, chat_id
    assert year.duplicates == 0
    assert not any(store.is_active(chat_id) for chat_id in year.stopped)
    assert year.actions["check-ins"] > 0 and year.actions["plant messages"] > 0
    assert len(year.stalls) >= DAYS * 24 * 12  # the chores every 5 simulated minutes, in steps

    peaks = [peak(year, world, count=20, later=later) for later in range(2)]
    for claimed, cpu in peaks:  # all moved to the peak minute, and only they, on either day
        assert claimed == 20 and cpu > 0
    shown = figures(year, peaks)
    store.close()

    size = year.months[-1][1]
    assert [day for day, _ in year.months] == [DAYS]
    assert 0 < sum(size.by_name.values()) <= size.bytes
    assert size.by_name["subscribers"] > 0
    last = shown[-1]
    assert last.headline and last.name == f"bytes per subscriber after {DAYS} days"
    assert int(last.value) == round(size.bytes / SUBSCRIBERS)
    [claims] = [f for f in shown if f.name.startswith("storage: CPU per claim, 20 due")]
    assert claims.name.endswith("(least of 2 days)")
    least = min(cpu / claimed * 1e6 for claimed, cpu in peaks)
    assert claims.value == f"{least:,.1f} µs"
