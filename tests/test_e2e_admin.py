"""End to end: `/stats` for operators only, and the Prometheus endpoint, through the emulator."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.commands.parsing import closest_command
from bot.commands.texts import COMMANDS, render_unknown_command
from bot.service.context import services_of
from bot.service.sweeping import PROGRESS_EVERY, Sweeper, SweepHeartbeat
from storage.tables import heartbeat
from tests.e2e import running_bot
from tests.test_process import free_port

ADMIN, STRANGER = 9001, 9002
KNOWN = [name for name, _ in COMMANDS]
GROUP = -1009001000000
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


async def a_known_morning(bot, telegram, clock) -> None:
    """Four chats start at 06:00, one stops; at 08:00 a sweep sends three tips, one after a 429."""
    for chat_id in (11, 12, 13, 14):
        assert "Welcome" in await bot.ask(chat_id, "/start")
    assert "stopped" in await bot.ask(14, "/stop")
    telegram.rate_limit_next(12, retry_after=2)
    clock.set(EIGHT)
    await services_of(bot.app).sweeper.sweep()


async def test_stats_is_an_unknown_command_for_everyone_else(
    telegram, store, library, clock, sleep, pacing
):
    async with running_bot(
        telegram, store, library, clock, sleep, pacing, ADMIN_USER_IDS=str(ADMIN)
    ) as bot:
        unknown = render_unknown_command("/stats", closest_command("/stats", KNOWN))
        assert await bot.ask(STRANGER, "/stats") == unknown
        assert await bot.ask(STRANGER, "/x") == render_unknown_command("/x", None)
        telegram.user_sends(GROUP, "/stats", chat_type="supergroup", user_id=ADMIN)
        telegram.user_sends(GROUP, "/stats", chat_type="supergroup", user_id=STRANGER)
        addressed = await bot.ask(GROUP, "/stats@GutBoneDailyBot", chat_type="supergroup")
        assert addressed == unknown  # what an unknown /command@GutBoneDailyBot gets
        assert len(telegram.messages_to(GROUP)) == 1  # the unaddressed ones: silence, as today
    assert "Subscribers" not in "".join(m.text for m in telegram.messages_to(STRANGER))


async def test_an_admin_sees_the_figures_of_a_known_morning(
    telegram, store, library, clock, sleep, pacing
):
    async with running_bot(
        telegram, store, library, clock, sleep, pacing, ADMIN_USER_IDS=f"5,{ADMIN}"
    ) as bot:
        await a_known_morning(bot, telegram, clock)
        lines = (await bot.ask(ADMIN, "/stats")).splitlines()
    assert lines[:5] == [
        "📊 GutBone Daily, 2026-03-02 08:00 UTC",
        "Subscribers: 3 active, paused 0, 1 inactive",
        "Last 7 days: 4 joined, 1 left",
        "Tips sent (UTC days): 3 today, 0 yesterday",
        "Due now, not yet claimed: 0",
    ]
    assert re.fullmatch(r"Last sweep: 08:00:00 UTC \(0 s ago\), took \d+\.\d s", lines[5])
    assert lines[6:] == [
        "Last 24 h: 1 × 429, 0 failed deliveries",
        "Top and bottom tips by 👍/👎: no feedback collected yet",
    ]


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_are_served_on_loopback(telegram, store, library, clock, sleep, pacing):
    port = free_port()
    async with running_bot(
        telegram, store, library, clock, sleep, pacing, METRICS_PORT=str(port)
    ) as bot:
        await a_known_morning(bot, telegram, clock)  # five replies, a sweep, a 429
        async with httpx.AsyncClient() as client:
            answer = await client.get(f"http://127.0.0.1:{port}/metrics")
        async with httpx.AsyncClient() as client:
            elsewhere = await client.get(f"http://127.0.0.1:{port}/")
    found = samples(answer.text)
    assert found[("gutbone_deliveries_total", (("outcome", "sent"),))] == 3
    for outcome in ("failed", "blocked", "released"):  # there from the start, at 0
        assert found[("gutbone_deliveries_total", (("outcome", outcome),))] == 0
    assert found[("gutbone_rate_limited_total", ())] == 1
    assert found[("gutbone_gateway_queue_depth", (("priority", "reply"),))] == 0
    assert found[("gutbone_gateway_queue_depth", (("priority", "tip"),))] == 0
    states = {"active": 3, "paused": 0, "inactive": 1, "unreadable": 0}
    for state, count in states.items():
        assert found[("gutbone_subscribers", (("state", state),))] == count
    assert found[("gutbone_due_backlog", ())] == 0
    assert found[("gutbone_last_sweep_finished_timestamp_seconds", ())] == EIGHT.timestamp()
    assert found[("gutbone_delivery_lease_held", ())] == 0  # no sweeping in these tests
    assert found[("gutbone_database_readable", ())] == 1
    assert not [name for name, _ in found if name.endswith("_created")]
    assert elsewhere.status_code == 404
    assert found[("gutbone_sweep_seconds_count", ())] == 1
    assert found[("gutbone_reply_seconds_count", ())] == 5
    assert found[("gutbone_reply_seconds_bucket", (("le", "+Inf"),))] == 5
    async with httpx.AsyncClient() as client:  # stopped with the bot
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/metrics")


async def sweep_three_tips(bot, clock, timer) -> list[datetime]:
    """Three tips due at 08:00; the heartbeat's progress as each one finishes (the clock
    moving a second per tip)."""
    for chat_id in (21, 22, 23):
        await bot.ask(chat_id, "/start")
    clock.set(EIGHT)
    seen = []
    services = services_of(bot.app)
    services.delivery.outcome_listeners.remove(services.sweeper.heartbeat.progressed)
    beat = SweepHeartbeat(services.store, clock, "t", timer=timer)  # this one instead:
    services.delivery.outcome_listeners.insert(0, beat.progressed)
    sweeper = Sweeper(services.store, services.delivery, beat, services.metrics, clock)

    def tip_finished(_status) -> None:  # after the Sweeper's own listener
        seen.append(heartbeat.read(bot.app.bot_data.services.store.db).progress_at)
        clock.advance(seconds=1)

    bot.delivery.outcome_listeners.append(tip_finished)
    await sweeper.sweep()
    return seen


async def test_a_long_sweep_leaves_signs_of_progress_while_it_runs(bot, clock):
    ticks = iter(range(0, 10_000, int(PROGRESS_EVERY)))  # each look at the timer: 30 s later
    seen = await sweep_three_tips(bot, clock, lambda: float(next(ticks)))
    assert seen == [EIGHT, EIGHT + timedelta(seconds=1), EIGHT + timedelta(seconds=2)]


async def test_a_quick_sweep_writes_its_heartbeat_only_at_start_and_end(bot, store, clock):
    seen = await sweep_three_tips(bot, clock, lambda: 0.0)  # no time passes between tips
    assert seen == [EIGHT] * 3
    last = heartbeat.read(store.db)
    assert (last.started_at, last.finished_at) == (EIGHT, EIGHT + timedelta(seconds=3))
