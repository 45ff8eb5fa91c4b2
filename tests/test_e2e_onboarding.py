"""End to end: the welcome's pickers, /timezone and /time without arguments, tapped."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.commands.texts import render_ask_an_admin, render_picker_gone, render_stale_button
from emulator import GROUP_USER_ID
from storage import Store
from tests.conftest import PacingTime
from tests.e2e import buttons, press, running_bot

CHAT = 6161
GROUP, MEMBER = -1001234000088, 2002
MONDAY_EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # the default 08:00 UTC; clock: 06:00


async def tap(telegram, chat_id, message, label, edits_before, **kwargs):
    """Press the button labelled `label`; the message as the press left it."""
    data = buttons(telegram.message(chat_id, message.message_id))[label]
    assert (await press(telegram, chat_id, message.message_id, data, **kwargs))["text"] is None
    await telegram.wait_for_edits(chat_id, edits_before + 1)
    return telegram.message(chat_id, message.message_id)


async def test_a_new_user_taps_europe_a_page_and_berlin(bot, telegram, store):
    welcome_text = await bot.ask(CHAT, "/start")
    assert "Tap nothing and your tips come at the time shown above" in welcome_text
    welcome = telegram.messages_to(CHAT)[-1]
    assert {"Europe", "America", "UTC", "07:00", "20:00"} <= set(buttons(welcome))
    shown = await tap(telegram, CHAT, welcome, "Europe", 0)
    assert "<b>Europe</b> — page 1 of 3: the most-used places" in shown.text
    assert list(buttons(shown))[:4] == ["Moscow", "Istanbul", "Berlin", "London"]
    shown = await tap(telegram, CHAT, welcome, "More ›", 1)
    assert "page 2 of 3" in shown.text and "Berlin" not in buttons(shown)
    assert "Andorra" in buttons(shown)
    shown = await tap(telegram, CHAT, welcome, "‹ Prev", 2)
    assert "🕗 07:00" in buttons(shown)  # the welcome's times stay under its region pages
    shown = await tap(telegram, CHAT, welcome, "Berlin", 3)
    assert store.subscriber(CHAT).schedule.timezone.key == "Europe/Berlin"
    assert len(telegram.messages_to(CHAT)) == 1  # one message, edited in place
    assert "08:00</b> (Europe/Berlin)" in await bot.ask(CHAT, "/settings")
    confirmation = await bot.ask(CHAT, "/timezone Europe/Berlin")
    assert shown.text.startswith(confirmation) and "And your time?" in shown.text


async def test_someone_who_taps_nothing_gets_tips_at_the_defaults(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    assert buttons(telegram.messages_to(CHAT)[-1])
    clock.set(MONDAY_EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    assert store.subscriber(CHAT).schedule.at == time(8, 0)


async def test_already_subscribed_gets_no_pickers_in_the_welcome(bot, telegram):
    await bot.ask(CHAT, "/start")
    again = await bot.ask(CHAT, "/start")
    assert "Welcome back" in again and telegram.messages_to(CHAT)[-1].reply_markup is None


async def test_a_new_users_welcome_keeps_the_times_after_a_city_then_the_time_ends_it(
    bot, telegram, store
):
    await bot.ask(CHAT, "/start")
    welcome = telegram.messages_to(CHAT)[-1]
    shown = await tap(telegram, CHAT, welcome, "Europe", 0)
    shown = await tap(telegram, CHAT, welcome, "Berlin", 1)
    assert store.subscriber(CHAT).schedule.timezone.key == "Europe/Berlin"
    assert "🕗 And your time?" in shown.text
    assert {"06:00", "07:00", "20:00", "✓ Done"} <= set(buttons(shown))
    assert "Europe" not in buttons(shown)  # the zone is chosen: only the time is left
    shown = await tap(telegram, CHAT, welcome, "07:00", 2)
    subscriber = store.subscriber(CHAT)
    assert (subscriber.schedule.timezone.key, subscriber.schedule.at) == ("Europe/Berlin", time(7))
    assert shown.reply_markup is None and "And your" not in shown.text  # both made: done
    assert len(telegram.messages_to(CHAT)) == 1


async def test_a_welcome_time_first_keeps_the_regions_and_done_dismisses_them(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    welcome = telegram.messages_to(CHAT)[-1]
    shown = await tap(telegram, CHAT, welcome, "09:00", 0)
    assert store.subscriber(CHAT).schedule.at == time(9)
    assert "🌍 And your timezone?" in shown.text
    assert {"Europe", "UTC", "✓ Done"} <= set(buttons(shown)) and "07:00" not in buttons(shown)
    shown = await tap(telegram, CHAT, welcome, "✓ Done", 1)
    assert shown.reply_markup is None and "And your timezone?" in shown.text  # text stays
    assert store.subscriber(CHAT).schedule.timezone.key == "UTC"


async def test_the_time_picker_alone_still_ends_with_the_confirmation(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/time")
    picker = telegram.messages_to(CHAT)[-1]
    shown = await tap(telegram, CHAT, picker, "06:00", 0)
    assert shown.reply_markup is None and "And your" not in shown.text


async def test_time_without_arguments_offers_common_times(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    text = await bot.ask(CHAT, "/time")
    assert "<code>/time 07:45</code> to set any other" in text
    picker = telegram.messages_to(CHAT)[-1]
    shown = await tap(telegram, CHAT, picker, "07:00", 0)
    assert store.subscriber(CHAT).schedule.at == time(7, 0)
    assert shown.text == await bot.ask(CHAT, "/time 07:00")


async def test_timezone_without_arguments_offers_regions_and_utc(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone Asia/Tokyo")
    assert "Tap your region" in await bot.ask(CHAT, "/timezone")
    picker = telegram.messages_to(CHAT)[-1]
    shown = await tap(telegram, CHAT, picker, "Pacific", 0)
    shown = await tap(telegram, CHAT, picker, "« Regions", 1)
    assert "Tap your region" in shown.text
    await tap(telegram, CHAT, picker, "UTC", 2)
    assert store.subscriber(CHAT).schedule.timezone.key == "UTC"


async def test_stale_forged_and_out_of_range_picks_are_answered_cleanly(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    picker = telegram.messages_to(CHAT)[-1]
    expected = {
        "v1:tzr:Europe:99": render_picker_gone(),
        "v1:tzr:Mars:0": render_picker_gone(),
        "v1:tz:Mars/Olympus": render_picker_gone(),
        "v1:tz:Asia/Calcutta": render_picker_gone(),  # an alias was never offered
        "v1:tz:Etc/GMT+5": render_picker_gone(),
        "v1:at:25:00": render_stale_button(),
        "v1:tz:Europe/Berlin/../x": render_stale_button(),
    }
    for data, text in expected.items():
        assert (await press(telegram, CHAT, picker.message_id, data))["text"] == text
    assert telegram.edits == []
    assert store.subscriber(CHAT).schedule.timezone.key == "UTC"


async def test_in_a_group_a_member_is_refused_and_an_admin_picks(bot, telegram, store):
    telegram.make_admin(GROUP, GROUP_USER_ID)
    group = {"chat_type": "supergroup"}
    await bot.ask(GROUP, "/start", user_id=GROUP_USER_ID, **group)
    welcome = telegram.messages_to(GROUP)[-1]
    data = buttons(welcome)["09:00"]
    answer = await press(telegram, GROUP, welcome.message_id, data, user_id=MEMBER)
    assert answer["text"] == render_ask_an_admin()
    assert store.subscriber(GROUP).schedule.at == time(8, 0) and telegram.edits == []
    assert await bot.ask(GROUP, "/timezone", user_id=MEMBER, **group) == render_ask_an_admin()
    await tap(telegram, GROUP, welcome, "09:00", 0, user_id=GROUP_USER_ID)
    assert store.subscriber(GROUP).schedule.at == time(9, 0)


async def test_a_picker_from_before_a_restart_still_works(telegram, db_path, library, clock, sleep):
    store = Store.open(db_path)
    async with running_bot(telegram, store, library, clock, sleep, PacingTime()) as bot:
        await bot.ask(CHAT, "/start")
        welcome = telegram.messages_to(CHAT)[-1]
        await tap(telegram, CHAT, welcome, "Asia", 0)
    store.close()
    store = Store.open(db_path)
    async with running_bot(telegram, store, library, clock, sleep, PacingTime()):
        await tap(telegram, CHAT, welcome, "More ›", 1)
        await tap(telegram, CHAT, welcome, "Amman", 2)
        assert store.subscriber(CHAT).schedule.timezone.key == "Asia/Amman"
    store.close()
