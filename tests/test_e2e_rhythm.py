"""End to end: a returning subscriber's /start, quiet delivery and the weekend time, through the
real Application and the emulator, days walked on the suite's clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.commands.texts import render_quiet_changed
from tests.e2e import buttons, press

CHAT = 5151
BERLIN = ZoneInfo("Europe/Berlin")
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 2 March; the clock starts at 06:00


async def test_a_returning_subscriber_is_welcomed_back_with_their_settings(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone Europe/Berlin")
    await bot.ask(CHAT, "/time 07:15")
    assert "stopped" in await bot.ask(CHAT, "/stop")
    back = await bot.ask(CHAT, "/start")
    assert "👋 <b>Welcome back!</b> Your daily tip is on again." in back
    assert "Daily at <b>07:15</b> (Europe/Berlin)" in back and "🗂 Topics: all" in back
    assert "🆕 New since you left: " in back and "🖼 a small picture of your week" in back
    assert "Welcome to GutBone Daily" not in back
    assert telegram.messages_to(CHAT)[-1].reply_markup is None  # no onboarding pickers
    assert store.subscriber(CHAT).active
    again = await bot.ask(CHAT, "/start")  # still subscribed: welcomed back too
    assert "Welcome back!</b> You're subscribed." in again and "🆕 New lately" in again


async def test_a_blocked_then_unblocked_subscriber_is_welcomed_back(bot, telegram, clock):
    await bot.ask(CHAT, "/start")
    telegram.block(CHAT)
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"blocked": 1}
    telegram.unblock(CHAT)
    assert "Welcome back!</b> Your daily tip is on again." in await bot.ask(CHAT, "/start")


async def test_settings_chosen_before_any_start_still_get_the_onboarding(bot, telegram):
    await bot.ask(CHAT, "/timezone Asia/Tokyo")  # stored, not subscribed: never left
    welcome = await bot.ask(CHAT, "/start")
    assert "Welcome to GutBone Daily" in welcome and "(Asia/Tokyo)" in welcome
    assert "Europe" in buttons(telegram.messages_to(CHAT)[-1])


async def test_quiet_delivery_from_settings_reaches_the_next_daily_tip(bot, telegram, clock):
    await bot.ask(CHAT, "/start")
    assert not telegram.messages_to(CHAT)[-1].disable_notification
    assert "🔔 Quiet delivery: off" in await bot.ask(CHAT, "/settings")
    settings = telegram.messages_to(CHAT)[-1]
    data = buttons(settings)["▫️ 🔕 Quiet delivery"]
    answer = await press(telegram, CHAT, settings.message_id, data)
    assert answer["text"] == render_quiet_changed(True)
    [edited] = await telegram.wait_for_edits(CHAT, 1)
    assert "🔕 Quiet delivery: on, no sound" in edited.text
    assert "✅ 🔕 Quiet delivery" in buttons(edited)
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    assert telegram.messages_to(CHAT)[-1].disable_notification  # the daily tip: no sound
    await press(telegram, CHAT, settings.message_id, buttons(edited)["✅ 🔕 Quiet delivery"])
    await telegram.wait_for_edits(CHAT, 2)
    clock.set(EIGHT + timedelta(days=1))
    assert await bot.delivery.sweep() == {"sent": 1}
    assert not telegram.messages_to(CHAT)[-1].disable_notification  # a sound again


async def walk_tips(bot, store, clock, days: int) -> list[tuple[str, time]]:
    """Sweep as the delivery loop would, at each next due instant (and a minute before, when
    nothing may go): each daily tip's local weekday and time, in Berlin."""
    sent = []
    for _ in range(days):
        due = store.earliest_due()
        clock.set(due - timedelta(minutes=1))
        assert await bot.delivery.sweep() == {}
        clock.set(due)
        assert await bot.delivery.sweep() == {"sent": 1}
        local = due.astimezone(BERLIN)
        sent.append((local.strftime("%a"), local.time()))
    return sent


async def test_weekend_time_saturday_and_sunday_at_it_monday_at_the_weekday_time(
    bot, telegram, store, clock
):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone Europe/Berlin")
    await bot.ask(CHAT, "/time 07:00")
    saved = await bot.ask(CHAT, "/time weekends 09:30")
    assert "🗓 Weekends at <b>09:30</b>" in saved and "Daily at <b>07:00</b>" in saved
    sent = await walk_tips(bot, store, clock, 8)  # Monday 2 March to Monday 9 March
    weekdays = [(day, time(7)) for day in ("Mon", "Tue", "Wed", "Thu", "Fri")]
    assert sent == [*weekdays, ("Sat", time(9, 30)), ("Sun", time(9, 30)), ("Mon", time(7))]
    assert len(telegram.messages_to(CHAT)) == 4 + 8  # the replies and one tip a day


async def test_a_weekend_time_changed_after_saturdays_tip_sends_nothing_more_that_day(
    bot, telegram, store, clock
):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone Europe/Berlin")
    await bot.ask(CHAT, "/time weekends 09:30")
    clock.set(datetime(2026, 3, 7, 8, 30, tzinfo=UTC))  # Saturday 09:30 in Berlin
    assert await bot.delivery.sweep() == {"sent": 1}
    clock.set(datetime(2026, 3, 7, 9, 0, tzinfo=UTC))  # 10:00: asks for 11:00 at weekends
    assert "Weekends at <b>11:00</b>" in await bot.ask(CHAT, "/time weekends 11:00")
    for hour in (10, 12, 22):  # 11:00, 13:00 and 23:00 on Saturday: no second tip
        clock.set(datetime(2026, 3, 7, hour, 0, tzinfo=UTC))
        assert await bot.delivery.sweep() == {}
    assert store.earliest_due() == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # Sunday 11:00
    assert "Weekends" not in await bot.ask(CHAT, "/time weekends off")
    assert store.earliest_due() == datetime(2026, 3, 8, 7, 0, tzinfo=UTC)  # Sunday 08:00


async def test_bad_weekend_times_get_one_line_and_change_nothing(bot, store):
    await bot.ask(CHAT, "/start")
    for bad in ("/time weekends 25:00", "/time weekends soon", "/time weekend 9:30 pm x"):
        answer = await bot.ask(CHAT, bad)
        assert "<code>/time weekends 09:30</code>" in answer and "Traceback" not in answer
    assert store.subscriber(CHAT).schedule.weekend_at is None
    picker = await bot.ask(CHAT, "/time weekends")
    assert "Your weekend time" in picker


async def test_the_weekend_picker_in_settings_sets_and_clears_it(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/settings")
    settings = telegram.messages_to(CHAT)[-1]
    steps = [
        ("🗓 Weekends: same time", "Your weekend time"),
        ("09:00", "🗓 Weekends at <b>09:00</b>"),
        ("🗓 Weekends: 09:00", "Your weekend time"),
        ("Same as weekdays", "Your settings"),
    ]
    for count, (label, expected) in enumerate(steps, start=1):
        data = buttons(telegram.message(CHAT, settings.message_id))[label]
        assert (await press(telegram, CHAT, settings.message_id, data))["text"] is None
        [*_, edited] = await telegram.wait_for_edits(CHAT, count)
        assert expected in edited.text
        if count == 2:
            assert store.subscriber(CHAT).schedule.weekend_at == time(9)
    assert store.subscriber(CHAT).schedule.weekend_at is None
    assert "Weekends at" not in telegram.message(CHAT, settings.message_id).text
