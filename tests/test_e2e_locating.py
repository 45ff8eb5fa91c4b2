"""End to end: the time zone in one step. 📍 a location shared through the reply keyboard
(private chats), or 🕰 the time it is where you are, narrowed to the zones at that time."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands.texts import (
    render_ask_an_admin,
    render_clock_gone,
    render_location_private_only,
    render_stale_button,
)
from emulator import GROUP_USER_ID
from tests.e2e import buttons, press

CHAT = 7171
GROUP, MEMBER = -1001234000099, 2002
NEW_YORK, SEA = (40.7128, -74.0060), (30.0, -40.0)
LOCATION, CLOCK = "📍 Send my location", "🕰 Pick the time it is here"


async def reply_to(telegram, chat_id: int, act) -> str:
    """Do `act` as the user; the bot's next message in the chat."""
    before = len(telegram.messages_to(chat_id))
    act()
    return (await telegram.wait_for_messages(chat_id, before + 1))[before].text


async def tap(telegram, chat_id, message, label, edits_before, **kwargs):
    """Press the button labelled `label`; the message as the press left it."""
    data = buttons(telegram.message(chat_id, message.message_id))[label]
    assert (await press(telegram, chat_id, message.message_id, data, **kwargs))["text"] is None
    await telegram.wait_for_edits(chat_id, edits_before + 1)
    return telegram.message(chat_id, message.message_id)


async def ask_for_location(telegram, welcome) -> str:
    """Tap 📍 under `welcome`: the message that brings the location keyboard."""
    data = buttons(welcome)[LOCATION]
    return await reply_to(
        telegram, CHAT, lambda: telegram.user_presses(CHAT, welcome.message_id, data)
    )


async def test_a_new_user_shares_a_location_in_new_york(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    welcome = telegram.messages_to(CHAT)[-1]
    assert {LOCATION, CLOCK, "Europe", "07:00"} <= set(buttons(welcome))
    assert "Send my location" in await ask_for_location(telegram, welcome)
    assert telegram.reply_keyboard(CHAT) == [{"text": LOCATION, "request_location": True}]
    saved = await reply_to(
        telegram,
        CHAT,
        lambda: telegram.user_taps_keyboard_button(CHAT, LOCATION, location=NEW_YORK),
    )
    assert "08:00</b> (America/New_York)" in saved
    assert store.subscriber(CHAT).schedule.timezone.key == "America/New_York"
    assert telegram.reply_keyboard(CHAT) is None  # the location keyboard is gone
    assert saved == await bot.ask(CHAT, "/timezone America/New_York")  # the same confirmation
    clock.set(datetime(2026, 3, 2, 12, 59, tzinfo=UTC))  # 07:59 in New York
    assert await bot.delivery.sweep() == {}
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))  # 08:00 in New York
    assert await bot.delivery.sweep() == {"sent": 1}


async def test_a_location_at_sea_gets_a_friendly_line_and_changes_nothing(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await ask_for_location(telegram, telegram.messages_to(CHAT)[-1])
    answer = await reply_to(
        telegram, CHAT, lambda: telegram.user_taps_keyboard_button(CHAT, LOCATION, location=SEA)
    )
    assert "No time zone covers that spot" in answer
    assert CLOCK in buttons(telegram.messages_to(CHAT)[-1])  # the other way, one tap away
    assert store.subscriber(CHAT).schedule.timezone.key == "UTC"
    assert telegram.reply_keyboard(CHAT) is not None  # still there, to try again


async def test_the_clock_picker_narrows_to_the_zones_at_that_time_and_saves(bot, telegram, store):
    await bot.ask(CHAT, "/start")  # 06:00 UTC on a Monday in March: 01:00 in New York
    welcome = telegram.messages_to(CHAT)[-1]
    shown = await tap(telegram, CHAT, welcome, CLOCK, 0)
    assert "What time is it where you are?" in shown.text
    times = buttons(shown)
    assert {"01:00", "06:00", "07:00", "11:30", "11:45"} <= set(times)
    shown = await tap(telegram, CHAT, welcome, "01:00", 1)
    assert "It's <b>01:00</b> there (UTC−5)" in shown.text
    assert list(buttons(shown))[:2] == ["New York", "Bogotá"]  # the most-used first
    shown = await tap(telegram, CHAT, welcome, "‹ Times", 2)
    shown = await tap(telegram, CHAT, welcome, "11:30", 3)
    assert next(iter(buttons(shown))) == "Kolkata"
    assert "🕗 07:00" in buttons(shown)  # the welcome's delivery times stay, marked apart
    shown = await tap(telegram, CHAT, welcome, "Kolkata", 4)
    assert store.subscriber(CHAT).schedule.timezone.key == "Asia/Kolkata"
    confirmation = await bot.ask(CHAT, "/timezone Asia/Kolkata")
    assert shown.text.startswith(confirmation) and "And your time?" in shown.text
    assert len(telegram.messages_to(CHAT)) == 2  # the welcome, edited in place; /timezone's


async def test_timezone_without_arguments_offers_both_shortcuts(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    assert "Tap your region" in await bot.ask(CHAT, "/timezone")
    picker = telegram.messages_to(CHAT)[-1]
    assert {LOCATION, CLOCK, "Europe", "UTC"} <= set(buttons(picker))
    await ask_for_location(telegram, picker)
    await reply_to(
        telegram,
        CHAT,
        lambda: telegram.user_sends_location(CHAT, 48.8566, 2.3522),  # Paris
    )
    assert store.subscriber(CHAT).schedule.timezone.key == "Europe/Paris"


async def test_stale_and_garbled_presses_are_answered_and_change_nothing(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    welcome = telegram.messages_to(CHAT)[-1]
    for data in ("v1:utc:abc", "v1:utc:99999", "v1:utc:", "v1:loc:x"):
        assert (await press(telegram, CHAT, welcome.message_id, data))["text"] == (
            render_stale_button()
        )
    assert telegram.edits == []
    # An offset no zone has now (the clocks changed since the picker came): the times now.
    answer = await press(telegram, CHAT, welcome.message_id, "v1:utc:17")
    assert answer["text"] == render_clock_gone()
    await telegram.wait_for_edits(CHAT, 1)
    assert "What time is it" in telegram.message(CHAT, welcome.message_id).text
    assert store.subscriber(CHAT).schedule.timezone.key == "UTC"


async def test_in_a_group_only_the_clock_is_offered_and_only_to_admins(bot, telegram, store):
    telegram.make_admin(GROUP, GROUP_USER_ID)
    group = {"chat_type": "supergroup"}
    await bot.ask(GROUP, "/start", user_id=GROUP_USER_ID, **group)
    welcome = telegram.messages_to(GROUP)[-1]
    assert CLOCK in buttons(welcome) and LOCATION not in buttons(welcome)
    data = buttons(welcome)[CLOCK]
    refused = await press(telegram, GROUP, welcome.message_id, data, user_id=MEMBER)
    assert refused["text"] == render_ask_an_admin()
    forged = await press(telegram, GROUP, welcome.message_id, "v1:loc", user_id=GROUP_USER_ID)
    assert forged["text"] == render_location_private_only()
    assert telegram.errors == []  # no location keyboard was tried in the group
    await tap(telegram, GROUP, welcome, CLOCK, 0, user_id=GROUP_USER_ID)
    telegram.user_sends_location(GROUP, *NEW_YORK, chat_type="supergroup")  # ignored in groups
    assert await bot.ask(GROUP, "/settings", user_id=GROUP_USER_ID, **group)
    assert store.subscriber(GROUP).schedule.timezone.key == "UTC"
    assert len(telegram.messages_to(GROUP)) == 2  # the welcome and /settings: nothing else


async def test_the_settings_timezone_button_offers_the_shortcuts_too(bot, telegram):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/settings")
    view = telegram.messages_to(CHAT)[-1]
    data = buttons(view)["🌍 Timezone"]
    picker = await reply_to(
        telegram, CHAT, lambda: telegram.user_presses(CHAT, view.message_id, data)
    )
    assert "Tap your region" in picker
    assert {LOCATION, CLOCK, "Europe"} <= set(buttons(telegram.messages_to(CHAT)[-1]))
