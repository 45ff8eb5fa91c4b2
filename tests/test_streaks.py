"""The /streak rule (pure functions of check-in dates and the local today), the running
figures the store keeps instead of the dates, and its texts."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.commands.texts import render_checked_in, render_streak, render_vote_noted
from habits.streaks import (
    NONE,
    WINDOW,
    Streak,
    Tally,
    checked_on,
    fold,
    merge,
    recent_days,
    seen_on,
    streak,
)
from scheduler.due import Schedule, local_date

MON = date(2026, 3, 2)


def days(*offsets: int) -> list[date]:
    return [MON + timedelta(days=n) for n in offsets]


def test_no_check_ins():
    assert streak([], MON) == Streak(0, 0, today=False)


def test_days_in_a_row():
    assert streak(days(0, 1, 2), MON + timedelta(days=2)) == Streak(3, 3, today=True)


def test_today_not_done_yet_does_not_break_it():
    assert streak(days(0, 1, 2), MON + timedelta(days=3)) == Streak(3, 3, today=False)


def test_one_missed_day_is_frozen_and_adds_nothing():
    assert streak(days(0, 1, 3, 4), MON + timedelta(days=4)).current == 4


def test_two_missed_days_in_a_row_end_it():
    assert streak(days(0, 1, 4, 5), MON + timedelta(days=5)) == Streak(2, 2, today=True)


def test_a_second_freeze_needs_seven_days_after_the_first():
    # missed day 2 (frozen), then day 8: only 6 days later, so the streak breaks there
    assert streak(days(0, 1, 3, 4, 5, 6, 7, 9), MON + timedelta(days=9)).current == 1
    # missed day 2, then day 9: 7 days later, forgiven again
    assert streak(days(0, 1, 3, 4, 5, 6, 7, 8, 10), MON + timedelta(days=10)).current == 9


def test_yesterday_missed_can_be_frozen_until_today_ends():
    assert streak(days(0, 1, 2), MON + timedelta(days=4)).current == 3  # day 3 frozen
    assert streak(days(0, 1, 2), MON + timedelta(days=5)) == Streak(0, 3, today=False)


def test_yesterday_missed_needs_a_freeze_left():
    # day 2 was frozen already; missing day 5 (three days later) ends the streak at day 6
    assert streak(days(0, 1, 3, 4), MON + timedelta(days=6)) == Streak(0, 4, today=False)


def test_the_longest_streak_is_kept_after_a_break():
    assert streak(days(0, 1, 2, 3, 10, 11), MON + timedelta(days=11)) == Streak(2, 4, True)


def test_a_check_in_dated_after_today_keeps_the_streak():
    # checked in on day 3 in Tokyo, then moved to Los Angeles where it is still day 2
    assert streak(days(1, 2, 3), MON + timedelta(days=2)) == Streak(3, 3, today=True)


def local_day(zone: str, moment: datetime) -> date:
    return local_date(Schedule(datetime.min.time(), ZoneInfo(zone)), moment)


def test_local_days_across_the_dst_change():
    # Berlin springs forward on 29 March 2026: 23:30 local is 22:30 UTC before, 21:30 after
    berlin = [
        datetime(2026, 3, 27, 22, 30, tzinfo=UTC),  # Fri 23:30 CET
        datetime(2026, 3, 28, 22, 30, tzinfo=UTC),  # Sat 23:30 CET
        datetime(2026, 3, 29, 21, 30, tzinfo=UTC),  # Sun 23:30 CEST (a 23-hour day)
        datetime(2026, 3, 30, 21, 30, tzinfo=UTC),  # Mon 23:30 CEST
    ]
    checked = [local_day("Europe/Berlin", moment) for moment in berlin]
    assert checked == [date(2026, 3, 27), date(2026, 3, 28), date(2026, 3, 29), date(2026, 3, 30)]
    today = local_day("Europe/Berlin", datetime(2026, 3, 31, 6, 0, tzinfo=UTC))
    assert streak(checked, today) == Streak(4, 4, today=False)


def test_a_timezone_change_keeps_the_dates_checked_in_on():
    # Mon and Tue in Tokyo (evenings), then Wed morning in Los Angeles: Tokyo is ahead,
    # so in LA it is still Tuesday when Wednesday's check-in would come in Tokyo
    tokyo_mon = local_day("Asia/Tokyo", datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    tokyo_tue = local_day("Asia/Tokyo", datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    la_wed = local_day("America/Los_Angeles", datetime(2026, 3, 4, 17, 0, tzinfo=UTC))
    assert [tokyo_mon, tokyo_tue, la_wed] == days(0, 1, 2)
    assert streak([tokyo_mon, tokyo_tue, la_wed], la_wed) == Streak(3, 3, today=True)
    # checked in Tue 10:00 in Tokyo, then flew west: in LA it is Monday evening again
    early_tue = local_day("Asia/Tokyo", datetime(2026, 3, 3, 1, 0, tzinfo=UTC))
    la_today = local_day("America/Los_Angeles", datetime(2026, 3, 3, 6, 0, tzinfo=UTC))
    assert (early_tue, la_today) == (tokyo_tue, tokyo_mon)
    assert streak([tokyo_mon, early_tue], la_today) == Streak(2, 2, today=True)


@given(st.sets(st.integers(0, 60)), st.integers(0, 70))
def test_streaks_never_exceed_the_check_ins_and_current_at_most_longest(offsets, today):
    checked = days(*offsets)
    result = streak(checked, MON + timedelta(days=today))
    assert 0 <= result.current <= result.longest <= len(checked)
    if checked:
        assert result.longest >= 1


@given(st.sets(st.integers(0, 40), min_size=1))
def test_without_a_miss_the_streak_is_every_day(offsets):
    run = sorted(offsets)
    full = list(range(run[0], run[-1] + 1))
    assert streak(days(*full), MON + timedelta(days=run[-1])).current == len(full)


def test_the_streak_message():
    assert "No check-ins yet" in render_streak(Streak(0, 0, today=False))
    shown = render_streak(Streak(1, 12, today=True))
    assert "Current streak: 1 day</b>" in shown and "Longest: 12 days" in shown
    assert "Today is done ✅" in shown and "One missed day in any 7 days is forgiven" in shown
    assert "Not checked in today yet" in render_streak(Streak(0, 3, today=False))


def test_the_answers_to_a_press():
    assert render_vote_noted(1, None) == "Thanks — noted 👍"
    assert render_vote_noted(-1, 1) == "Changed to 👎, thanks"
    assert render_vote_noted(-1, -1) == "Already noted 👎"
    assert render_checked_in(True) != render_checked_in(False)


# Running figures: folding the days one by one answers what the whole list does --------------


def folded(offsets) -> Tally:
    tally = NONE
    for day in days(*offsets):
        tally = fold(tally, day)
    return tally


@given(st.lists(st.integers(0, 90), unique=True).map(sorted), st.integers(0, 100))
def test_folding_days_in_order_gives_the_streak_of_all_the_days(offsets, today):
    tally, seen = folded(offsets), MON + timedelta(days=today)
    expected = streak(days(*offsets), seen)
    assert seen_on(tally, seen) == expected or (
        seen < tally.last - timedelta(days=WINDOW - 1)  # a today before the window: only
        and seen_on(tally, seen) == replace(expected, today=False)  # `today` can differ
    )


def test_folding_examples_from_the_rules():
    for offsets, today, expected in [
        ([], 0, Streak(0, 0, False)),
        ([0, 1, 2], 3, Streak(3, 3, False)),
        ([0, 1, 3, 4], 4, Streak(4, 4, True)),  # day 2 frozen
        ([0, 1, 4, 5], 5, Streak(2, 2, True)),  # two missed: a new run
        ([0, 1, 3, 4, 5, 6, 7, 9], 9, Streak(1, 7, True)),  # second freeze too soon
        ([0, 1, 3, 4, 5, 6, 7, 8, 10], 10, Streak(9, 9, True)),  # 7 days later: forgiven
        ([0, 1, 2], 5, Streak(0, 3, False)),
        ([0, 1, 2, 3, 10, 11], 11, Streak(2, 4, True)),
        ([1, 2, 3], 2, Streak(3, 3, True)),  # a check-in dated after today
    ]:
        assert seen_on(folded(offsets), MON + timedelta(days=today)) == expected, offsets


def test_the_figures_of_a_run():
    tally = folded([0, 1, 3, 4, 40, 41, 43])
    assert (tally.days, tally.last, tally.frozen, tally.freezes) == (3, *days(43, 42), 1)
    assert tally.longest == 4
    assert recent_days(tally) == days(40, 41, 43)  # day 0..4 are older than the window


def test_pressing_twice_the_same_day_changes_nothing():
    tally = folded([0, 1])
    assert fold(tally, MON + timedelta(days=1)) is tally
    assert fold(tally, MON) is tally  # an earlier day that has one already


def test_a_late_day_after_moving_west_is_remembered_but_not_counted_again():
    # Mon and Wed checked in (Tue frozen); the chat moves west and presses for Tue
    tally = folded([0, 2])
    late = fold(tally, MON + timedelta(days=1))
    assert late != tally and checked_on(late, MON + timedelta(days=1))
    assert (late.days, late.last, late.frozen, late.longest) == (2, *days(2, 1), 2)
    assert fold(late, MON + timedelta(days=1)) is late  # never twice
    # the run goes on from its last day as before
    assert seen_on(fold(late, MON + timedelta(days=3)), MON + timedelta(days=3)).current == 3


def test_a_late_day_older_than_the_window_is_ignored():
    tally = folded([0, WINDOW + 5])
    assert fold(tally, MON + timedelta(days=1)) is tally
    assert not checked_on(tally, MON)  # remembered no longer


def test_today_before_the_last_check_in_is_answered_from_the_window():
    tally = folded([0, 1, 2])
    assert seen_on(tally, MON + timedelta(days=1)) == Streak(3, 3, today=True)
    assert not checked_on(folded([0, 2]), MON + timedelta(days=1))


def test_merging_keeps_the_better_run_and_folds_the_other_in():
    group, supergroup = folded([0, 1, 2, 3, 4]), folded([5])
    merged = merge(group, supergroup)
    assert seen_on(merged, MON + timedelta(days=5)) == Streak(6, 6, today=True)
    assert merge(supergroup, group) == merged
    long_ago = folded([0, 1, 2, 3, 4, 5, 6, 7, 20])  # longest 8, current run 1
    assert seen_on(merge(long_ago, folded([21, 22])), MON + timedelta(days=22)) == Streak(
        3, 8, True
    )
    assert merge(NONE, group) == group
    one_day, long_run = folded([40]), folded(range(42))  # the long run is kept, not shortened
    assert seen_on(merge(one_day, long_run), MON + timedelta(days=41)) == Streak(42, 42, True)
