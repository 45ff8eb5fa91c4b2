"""A pause in the due rule: no tips until it ends, then back by itself, across DST."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler.due import Schedule, is_due, is_paused, local_date, next_due, pause_end

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def deliveries(schedule: Schedule, start: datetime, end: datetime) -> list[date]:
    """Walk minute by minute as the sweep would: the local days that get a tip."""
    last, sent, now = None, [], start
    while now < end:
        if is_due(schedule, last, now):
            last = local_date(schedule, now)
            sent.append(last)
        now += timedelta(minutes=1)
    return sent


def test_a_pause_ends_at_the_start_of_the_day_after_the_paused_days():
    schedule = Schedule(time(8, 0), BERLIN)
    # Monday 2 March 2026, 10:00 in Berlin: /pause 3 skips Tue, Wed, Thu; Friday's tip comes.
    assert pause_end(schedule, 3, utc(2026, 3, 2, 9, 0)) == utc(2026, 3, 5, 23, 0)


def test_no_tip_while_paused_and_the_first_one_after_it_comes_by_itself():
    start = utc(2026, 3, 2, 9, 0)  # Monday, after the 08:00 tip would have gone out
    schedule = Schedule(time(8, 0), BERLIN, since=start)
    paused = replace(schedule, paused_until=pause_end(schedule, 3, start))
    sent = deliveries(paused, start, utc(2026, 3, 8, 12, 0))
    assert sent == [date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8)]


def test_next_due_while_paused_is_the_first_slot_after_the_pause():
    schedule = Schedule(time(8, 0), BERLIN, paused_until=utc(2026, 3, 5, 23, 0))
    now = utc(2026, 3, 3, 12, 0)
    assert next_due(schedule, date(2026, 3, 2), now) == utc(2026, 3, 6, 7, 0)
    assert is_paused(schedule, now) and not is_paused(schedule, utc(2026, 3, 5, 23, 0))


def test_today_is_skipped_when_paused_before_its_tip():
    now = utc(2026, 3, 2, 6, 0)  # 07:00 in Berlin, the tip is at 08:00
    schedule = Schedule(time(8, 0), BERLIN, since=now)
    paused = replace(schedule, paused_until=pause_end(schedule, 1, now))
    assert next_due(paused, None, now) == utc(2026, 3, 4, 7, 0)  # Wednesday 08:00


def test_a_pause_that_ended_changes_nothing():
    schedule = Schedule(time(8, 0), BERLIN, paused_until=utc(2026, 3, 1, 23, 0))
    now = utc(2026, 3, 2, 6, 0)
    unpaused = replace(schedule, paused_until=None)
    assert next_due(schedule, None, now) == next_due(unpaused, None, now)


def test_a_pause_across_the_spring_forward_keeps_the_local_time():
    # Berlin moves to summer time on Sunday 29 March 2026: 08:00 is 07:00 UTC before, 06:00 after.
    start = utc(2026, 3, 26, 12, 0)  # Thursday
    schedule = Schedule(time(8, 0), BERLIN, since=start)
    paused = replace(schedule, paused_until=pause_end(schedule, 3, start))
    assert paused.paused_until == utc(2026, 3, 29, 22, 0)  # Monday 00:00 CEST
    assert next_due(paused, date(2026, 3, 26), start) == utc(2026, 3, 30, 6, 0)
    sent = deliveries(paused, start, utc(2026, 3, 31, 12, 0))
    assert sent == [date(2026, 3, 30), date(2026, 3, 31)]


def test_a_pause_ending_on_the_fall_back_day_delivers_once_that_day():
    # Berlin falls back on Sunday 25 October 2026: midnight is 22:00 UTC the day before.
    start = utc(2026, 10, 22, 12, 0)
    schedule = Schedule(time(2, 30), BERLIN, since=start)  # 02:30 happens twice that night
    paused = replace(schedule, paused_until=pause_end(schedule, 2, start))
    assert paused.paused_until == utc(2026, 10, 24, 22, 0)
    sent = deliveries(paused, start, utc(2026, 10, 26, 12, 0))
    assert sent == [date(2026, 10, 25), date(2026, 10, 26)]


def test_a_midnight_tip_on_the_day_a_pause_ends_comes_at_that_midnight():
    schedule = Schedule(time(0, 0), BERLIN, paused_until=utc(2026, 3, 5, 23, 0))
    assert next_due(schedule, date(2026, 3, 2), utc(2026, 3, 3, 12, 0)) == utc(2026, 3, 5, 23, 0)


def test_a_pause_set_in_berlin_then_a_move_to_new_york_ends_on_the_next_new_york_morning():
    paused_until = utc(2026, 3, 5, 23, 0)  # Berlin's Friday begins; still Thursday 18:00 in NY
    schedule = Schedule(time(8, 0), ZoneInfo("America/New_York"), paused_until=paused_until)
    now = utc(2026, 3, 3, 12, 0)
    assert next_due(schedule, date(2026, 3, 2), now) == utc(2026, 3, 6, 13, 0)  # Fri 08:00 EST
