"""The one backoff policy: its arithmetic for any settings, and each retry loop's own settings."""

import math
from itertools import islice

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.transport.gateway import REPLY_BACKOFF
from bot.transport.startup import STARTUP_BACKOFF
from scheduler.backoff import Backoff
from scheduler.engine import SWEEP_BACKOFF
from scheduler.outcomes import SEND_BACKOFF


@st.composite
def backoffs(draw: st.DrawFn) -> Backoff:
    first = draw(st.floats(0.001, 100))
    return Backoff(
        first=first,
        cap=draw(st.floats(first, 10_000)),
        factor=draw(st.floats(1, 10)),
        attempts=draw(st.none() | st.integers(1, 20)),
    )


failures = st.integers(1, 10**6)


@given(backoffs(), failures)
def test_a_wait_is_never_shorter_than_the_first_nor_longer_than_the_cap(policy, n):
    assert policy.first <= policy.delay(n) <= policy.cap


@given(backoffs(), st.integers(1, 200))
def test_each_wait_is_the_last_times_the_factor_until_the_cap(policy, n):
    expected = min(policy.delay(n) * policy.factor, policy.cap)
    assert math.isclose(policy.delay(n + 1), expected, rel_tol=1e-9)


@given(backoffs())
def test_the_first_wait_is_first(policy):
    assert policy.delay(1) == policy.first


@given(backoffs(), failures)
def test_it_gives_up_exactly_when_the_attempts_are_used(policy, n):
    assert policy.gives_up(n) == (policy.attempts is not None and n >= policy.attempts)


@given(backoffs())
def test_delays_are_each_retrys_wait_in_turn(policy):
    waits = list(islice(policy.delays(), 50))
    retries = 50 if policy.attempts is None else min(50, policy.attempts - 1)
    assert waits == [policy.delay(n) for n in range(1, retries + 1)]


def test_a_loop_retrying_for_years_does_not_overflow():
    assert Backoff(first=1.0, cap=60.0).delay(10**9) == 60.0


@pytest.mark.parametrize(
    "settings",
    [
        {"first": 0.0, "cap": 1.0},
        {"first": 2.0, "cap": 1.0},
        {"first": 1.0, "cap": 2.0, "factor": 0.5},
        {"first": 1.0, "cap": 2.0, "attempts": 0},
    ],
)
def test_settings_that_are_no_backoff_are_refused(settings):
    with pytest.raises(ValueError):
        Backoff(**settings)


def test_there_is_no_wait_before_a_first_failure():
    with pytest.raises(ValueError):
        STARTUP_BACKOFF.delay(0)


@pytest.mark.parametrize(
    ("policy", "waits"),
    [
        (STARTUP_BACKOFF, [1, 2, 4, 8, 16, 32, 60, 60]),  # until Telegram answers
        (REPLY_BACKOFF, [2, 4]),  # three tries in all
        (SEND_BACKOFF, [2, 4, 8, 16]),  # five tries, then failed for today's sweep
        (SWEEP_BACKOFF, [1, 2, 4, 8, 16, 30, 30, 30]),  # until a sweep succeeds
    ],
    ids=["start-up", "reply", "daily tip", "sweep"],
)
def test_each_retry_loop_keeps_its_own_settings(policy, waits):
    assert list(islice(policy.delays(), 8)) == waits
