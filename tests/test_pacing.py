"""Telegram's budgets as arithmetic on a clock the test holds: bursts, steady rates, pauses."""

from itertools import pairwise

import pytest

from scheduler.pacing import GLOBAL_429_CHATS, GLOBAL_429_WINDOW, Limits, Pacer

LIMITS = Limits(overall_per_second=30, overall_burst=10, private_interval=1.0, private_burst=3)


def send_times(pacer: Pacer, chat_id: int | None, count: int, paid: bool = False) -> list[float]:
    """When `count` messages to one chat go out if each leaves as soon as it may."""
    times, now = [], 0.0
    for _ in range(count):
        now = max(now, pacer.ready_at(chat_id, paid))
        pacer.spend(chat_id, now, paid)
        times.append(round(now, 6))
    return times


def test_a_private_chat_gets_a_short_burst_then_one_a_second():
    assert send_times(Pacer(LIMITS), 42, 6) == [0, 0, 0, 1, 2, 3]


def test_a_group_gets_twenty_a_minute_after_its_burst():
    pacer = Pacer(Limits(group_interval=3.0, group_burst=2))
    assert send_times(pacer, -100123, 4) == [0, 0, 3, 6]


def test_different_chats_share_the_overall_rate():
    pacer, now, times = Pacer(LIMITS), 0.0, []
    for chat_id in range(1, 41):
        now = max(now, pacer.ready_at(chat_id))
        pacer.spend(chat_id, now)
        times.append(now)
    assert times[:10] == [0] * 10  # the overall burst
    assert times[-1] == pytest.approx(30 / 30)  # then 30 a second: 30 more in one second
    gaps = {round(b - a, 6) for a, b in pairwise(times[10:])}
    assert gaps == {round(1 / 30, 6)}


def test_a_429_pause_holds_every_chat_until_it_is_over():
    pacer = Pacer(LIMITS)
    pacer.pause(until=7.0)
    assert pacer.ready_at(1) == pacer.ready_at(2) == pacer.ready_at(None) == 7.0
    pacer.pause(until=3.0)  # a shorter, older pause never shortens the current one
    assert pacer.ready_at(1) == 7.0


def test_a_429_for_one_chat_holds_back_that_chat_only():
    pacer = Pacer(LIMITS)
    assert pacer.rate_limited(1, now=0.0, until=3.0) is False  # not everyone
    assert pacer.ready_at(1) == 3.0
    assert pacer.ready_at(2) == pacer.ready_at(None) == float("-inf")
    pacer.rate_limited(1, now=0.5, until=2.0)  # a shorter, older pause never shortens it
    assert pacer.ready_at(1) == 3.0


def test_429s_from_several_chats_within_seconds_hold_back_everyone():
    pacer = Pacer(LIMITS)
    held = [pacer.rate_limited(chat, now=chat * 1.0, until=10.0) for chat in range(1, 4)]
    assert held == [False] * (GLOBAL_429_CHATS - 1) + [True]
    assert pacer.ready_at(99) == pacer.ready_at(None) == 10.0


def test_429s_from_several_chats_far_apart_hold_back_each_only():
    pacer = Pacer(LIMITS)
    apart = GLOBAL_429_WINDOW + 0.1
    held = [
        pacer.rate_limited(chat, now=chat * apart, until=chat * apart + 1) for chat in (1, 2, 3)
    ]
    assert held == [False, False, False]
    assert pacer.ready_at(99) == float("-inf")


def test_429s_from_one_chat_only_never_hold_back_everyone():
    pacer = Pacer(LIMITS)
    assert not any(pacer.rate_limited(7, now=n / 10, until=5.0) for n in range(10))


def test_a_429_for_no_chat_holds_back_everyone():
    pacer = Pacer(LIMITS)
    assert pacer.rate_limited(None, now=0.0, until=4.0) is True
    assert pacer.ready_at(1) == pacer.ready_at(None) == 4.0


def test_a_paused_chat_is_remembered_until_its_pause_is_over():
    pacer = Pacer(LIMITS)
    pacer.rate_limited(1, now=0.0, until=30.0)
    pacer.forget_idle_chats(now=10.0)
    assert pacer.ready_at(1) == 30.0
    pacer.forget_idle_chats(now=31.0)
    assert pacer.tracked_chats == 0


def test_paid_broadcasts_have_their_own_budget_and_replies_keep_theirs():
    pacer = Pacer(Limits(overall_per_second=30, overall_burst=1, paid_per_second=1000))
    tips = send_times(pacer, None, 200, paid=True)
    assert tips[-1] == pytest.approx(0.1, abs=0.01)  # 200 at 1000/s after a burst of 100
    assert pacer.ready_at(5) == float("-inf")  # the free budget is untouched: go at once


def test_idle_chats_are_forgotten_so_memory_stays_flat():
    pacer = Pacer(LIMITS)
    for chat_id in range(1, 1001):
        pacer.spend(chat_id, 0.0)
    assert pacer.tracked_chats == 1000
    pacer.forget_idle_chats(now=0.5)
    assert pacer.tracked_chats == 1000  # their budgets are not full again yet
    pacer.forget_idle_chats(now=1.5)
    assert pacer.tracked_chats == 0


def test_the_paid_burst_is_a_tenth_of_a_seconds_worth_and_at_least_one():
    fast = Pacer(Limits(paid_per_second=1000))
    assert send_times(fast, None, 101, paid=True)[-2:] == [0, 0.001]  # 100 at once, then paced
    slow = Pacer(Limits(paid_per_second=5))
    assert send_times(slow, None, 3, paid=True) == [0, 0.2, 0.4]


def test_a_message_not_said_to_be_paid_spends_the_free_budget():
    pacer = Pacer(Limits(overall_per_second=30, overall_burst=1, paid_per_second=1000))
    pacer.spend(None, 0.0)
    assert pacer.ready_at(None) == pytest.approx(1 / 30)
    assert pacer.ready_at(None, paid=True) == float("-inf")


def test_429s_from_several_chats_exactly_a_window_apart_hold_back_each_only():
    pacer = Pacer(LIMITS)
    half = GLOBAL_429_WINDOW / 2
    held = [pacer.rate_limited(chat, now=(chat - 1) * half, until=99.0) for chat in (1, 2, 3)]
    assert held == [False, False, False]  # the first is out of the window when the third comes


def test_a_chat_whose_budget_is_full_again_just_now_is_forgotten():
    pacer = Pacer(LIMITS)
    pacer.spend(1, 0.0)  # due again at 1.0
    pacer.rate_limited(2, now=0.0, until=1.0)  # paused until 1.0
    pacer.forget_idle_chats(now=1.0)
    assert pacer.tracked_chats == 0


def test_a_batch_is_ready_when_that_many_conform_and_never_more_than_a_burst_less_one():
    pacer = Pacer(Limits(overall_per_second=10, overall_burst=5))
    send_times(pacer, None, 5)  # the burst, all at 0: the next may go at 0.1
    assert pacer.batch_ready_at(1) == pytest.approx(0.1)
    assert pacer.batch_ready_at(3) == pytest.approx(0.3)
    assert pacer.batch_ready_at(8) == pytest.approx(0.4)  # 4 at most: a late wake loses nothing
    assert Pacer(Limits(overall_burst=1)).batch_ready_at(8) == float("-inf")  # one at a time
    pacer.pause(until=2.0)
    assert pacer.batch_ready_at(3) == 2.0
