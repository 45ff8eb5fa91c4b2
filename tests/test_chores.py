"""The safety sweep's chores in short steps: the planner's rules (no event loop, no clock),
then one round through the sweeper on a real file."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from pytest import approx

from bot.service.metrics import Metrics
from bot.service.sweeping import CHORE_PAUSE, Sweeper, SweepHeartbeat
from scheduler.delivery import Delivery
from storage import EventKind
from storage import upkeep as chores
from storage.upkeep import FIRST_SIZES, STEP_AIM, STEP_LIMIT, Chore, Round, Step

NOW = datetime(2026, 3, 21, 6, 0, tzinfo=UTC)
ALL = tuple(Chore)
QUICK = STEP_AIM / 10  # a step well under the aim


def run(plan: Round, outcomes: dict[Chore, list[int]], seconds: float = QUICK) -> list[Step]:
    """Play a round to its end; each chore does the next of its `outcomes` (else its size)."""
    steps = []
    while (step := chores.next_step(plan)) is not None:
        steps.append(step)
        left = outcomes.get(step.chore, [])
        plan = chores.record(plan, step, left.pop(0) if left else step.size, seconds)
    return steps


def test_chores_run_in_order_each_until_it_does_less_than_allowed():
    plan = chores.start(ALL, pages=10_000, free_pages=100)  # nothing to spare: no SPACE
    steps = run(plan, {Chore.DELIVERIES: [1_000, 300], Chore.EVENTS: [0], Chore.PLANTS: [5]})
    assert steps == [
        Step(Chore.DELIVERIES, 1_000),
        Step(Chore.DELIVERIES, 2_000),  # full and quick: doubled
        Step(Chore.EVENTS, FIRST_SIZES[Chore.EVENTS]),
        Step(Chore.PLANTS, FIRST_SIZES[Chore.PLANTS]),
    ]


def test_a_chore_this_process_lacks_is_left_out():
    plan = chores.start([Chore.EVENTS, Chore.DELIVERIES], pages=10_000, free_pages=0)
    assert [step.chore for step in run(plan, {Chore.DELIVERIES: [0], Chore.EVENTS: [0]})] == [
        Chore.DELIVERIES,
        Chore.EVENTS,
    ]


def test_space_given_back_stops_at_the_reserve():
    assert chores.spare_pages(pages=100_000, free_pages=2_500) == 500  # 2% kept for reuse
    assert chores.spare_pages(pages=1_000, free_pages=300) == 44  # at least 256 kept
    assert chores.spare_pages(pages=1_000, free_pages=100) == 0
    plan = chores.start([Chore.SPACE], pages=100_000, free_pages=2_500)
    assert run(plan, {}) == [
        Step(Chore.SPACE, 100),
        Step(Chore.SPACE, 200),  # full and quick: doubled
        Step(Chore.SPACE, 200),  # only what is left above the reserve
    ]


def test_a_slow_step_halves_the_next_and_a_quick_full_one_doubles_it():
    step = Step(Chore.DELIVERIES, 1_000)
    assert chores.resized(step, STEP_AIM * 1.5, True, 1_000) == 500
    assert chores.resized(step, STEP_LIMIT / 2, True, 1_000) == 500  # under the limit, over the aim
    assert chores.resized(step, STEP_AIM / 2, True, 1_000) == 1_000  # near the aim: kept
    assert chores.resized(step, STEP_AIM / 8, True, 1_000) == 2_000
    assert chores.resized(step, STEP_AIM / 8, False, 1_000) == 1_000  # did less: unknown
    assert chores.resized(step, 1.0, True, 30) == chores.SMALLEST
    assert chores.resized(Step(Chore.SPACE, 1_000), 0.0, True, 1_000) == 1_000  # its largest


def test_sizes_carry_over_to_the_next_round():
    plan = chores.start([Chore.EVENTS], pages=10_000, free_pages=0)
    plan = chores.record(plan, chores.next_step(plan), 2_000, STEP_AIM * 2)
    again = chores.start([Chore.EVENTS], 10_000, 0, plan.sizes)
    assert chores.next_step(again) == Step(Chore.EVENTS, 1_000)


def test_a_round_ends_when_its_budget_is_spent_and_the_rest_waits():
    plan = chores.start(ALL, pages=10_000, free_pages=0)
    steps = run(plan, {}, seconds=STEP_LIMIT)  # every chore always has more to do
    assert len(steps) == int(chores.ROUND_BUDGET / STEP_LIMIT)
    assert {step.chore for step in steps} == {Chore.DELIVERIES}
    assert len(run(plan, {}, seconds=0.0)) == chores.MAX_STEPS  # a bound without a clock


async def test_a_round_prunes_then_gives_space_back_pausing_between_steps(store):
    with store.transaction():
        for minute in range(30_000):
            store.record_event(EventKind.JOINED, NOW - timedelta(days=9, minutes=minute))
        store.record_event(EventKind.JOINED, NOW)
    ticks = itertools.count()
    timer = lambda: next(ticks) * 0.001  # noqa: E731  each step "takes" a millisecond
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    clock = lambda: NOW  # noqa: E731
    delivery = Delivery(store, lambda subscribers, now: {}, never_sends, clock)
    heartbeat = SweepHeartbeat(store, clock, "test", timer=timer)
    metrics = Metrics()
    sweeper = Sweeper(store, delivery, heartbeat, metrics, clock, pause)
    before = store.file_space()
    await sweeper.tidy()
    assert store.db.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    pruned = store.file_space()
    assert pruned.pages == before.pages and pruned.free_pages > before.free_pages + 100
    steps = len(pauses) + 1  # a pause between two steps, none before the first
    assert pauses == [CHORE_PAUSE] * (steps - 1) and steps >= 4
    assert metrics.registry.get_sample_value("gutbone_chores_longest_step_seconds") == approx(0.001)
    await sweeper.tidy()  # the pages the last round freed go back to the disk in this one
    space = store.file_space()
    assert space.free_pages == chores.MIN_RESERVE  # kept for the next rows to reuse
    assert space.pages == pruned.pages - (pruned.free_pages - chores.MIN_RESERVE)
    await sweeper.tidy()
    assert store.file_space() == space


async def never_sends(chat_id, claim, still_wanted):  # pragma: no cover
    raise AssertionError("the chores send nothing")
