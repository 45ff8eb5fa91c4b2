"""Follow-ups of presses in the background: in order per message, bounded, failures logged
once, and a stop that ends what is left."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import BadRequest

from bot.transport.follow_ups import FollowUps

MESSAGE, OTHER = (1, 10), (2, 20)


async def until(condition) -> None:
    """Let the other tasks run until `condition` holds."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


def step(done: list[str], name: str, gate: asyncio.Event | None = None):
    async def run() -> None:
        if gate is not None:
            await gate.wait()
        done.append(name)

    return run


async def test_one_messages_follow_ups_run_in_order_and_others_do_not_wait_for_them():
    follow_ups, done, gate = FollowUps(), [], asyncio.Event()
    follow_ups.submit(MESSAGE, step(done, "first", gate))
    follow_ups.submit(MESSAGE, step(done, "second"))
    follow_ups.submit(OTHER, step(done, "other"))
    await until(lambda: done == ["other"])  # the first waits; the second waits behind it
    gate.set()
    await until(lambda: done == ["other", "first", "second"])
    assert follow_ups.waiting == 0


async def test_past_the_limit_a_follow_up_is_not_made_and_says_so(caplog):
    caplog.set_level(logging.INFO)
    follow_ups, done, gate = FollowUps(limit=2), [], asyncio.Event()
    assert follow_ups.submit(MESSAGE, step(done, "a", gate))
    assert follow_ups.submit(OTHER, step(done, "b", gate))
    assert not follow_ups.submit(OTHER, step(done, "c"))
    assert follow_ups.refused == 1
    assert [r.getMessage() for r in caplog.records] == [
        "Follow-up of a press in chat 2 not made: 2 already waiting"
    ]
    gate.set()
    await until(lambda: follow_ups.waiting == 0)
    assert follow_ups.submit(OTHER, step(done, "d"))  # room again
    await until(lambda: done == ["a", "b", "d"])


async def test_a_failure_is_one_log_record_and_the_next_follow_up_still_runs(caplog):
    follow_ups, done = FollowUps(), []

    async def refused() -> None:
        raise BadRequest("Message to edit not found")

    async def bug() -> None:
        raise ValueError("a bug")

    for follow_up in (refused, bug, step(done, "next")):
        follow_ups.submit(MESSAGE, follow_up)
    await until(lambda: done == ["next"])
    warning, error = caplog.records
    assert (
        warning.getMessage() == "Follow-up of a press in chat 1 failed: Message to edit not found"
    )
    assert (warning.levelno, warning.exc_info) == (logging.WARNING, None)
    assert error.levelno == logging.ERROR and error.exc_info is not None  # a bug: its traceback
    assert follow_ups.waiting == 0


async def test_closing_cancels_what_is_left_in_one_line_and_takes_no_more(caplog):
    caplog.set_level(logging.INFO)
    follow_ups, done, never = FollowUps(), [], asyncio.Event()
    follow_ups.submit(MESSAGE, step(done, "stuck", never))
    follow_ups.submit(MESSAGE, step(done, "behind it"))
    follow_ups.submit(OTHER, step(done, "quick"))
    await until(lambda: done == ["quick"])
    await follow_ups.close(timeout=0)
    assert done == ["quick"] and follow_ups.waiting == 0
    assert [r.getMessage() for r in caplog.records] == [
        "Stopping: 2 follow-ups of presses not made"
    ]
    assert not follow_ups.submit(OTHER, step(done, "late"))
