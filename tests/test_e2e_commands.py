"""End to end: the real Application over HTTP against the emulator, command by command."""

from __future__ import annotations

import logging
from datetime import time
from html import escape

import pytest

from bot.commands.texts import render_stale_button
from emulator import GROUP_USER_ID

CHAT = 4242


async def test_command_menu_is_registered(bot, telegram):
    assert [c["command"] for c in telegram.menu_seen(CHAT)][:3] == ["tip", "settings", "time"]


async def test_start_subscribes_and_explains(bot, store):
    welcome = await bot.ask(CHAT, "/start")
    assert "Welcome to GutBone Daily" in welcome
    assert "08:00" in welcome and "UTC" in welcome and "Next tip" in welcome
    assert "not medical advice" in welcome
    assert store.subscriber(CHAT).active
    assert "Welcome back!</b> You're subscribed." in await bot.ask(CHAT, "/start")


async def test_tip_cites_a_source_and_does_not_repeat(bot, library):
    seen = set()
    for _ in range(len(library.tips_in(["k2"]))):
        reply = await bot.ask(CHAT, "/tip k2")
        assert "📚" in reply
        seen.add(reply)
    assert len(seen) == len(library.tips_in(["k2"]))


async def test_tip_by_alias_and_unknown_topic(bot, library):
    reply = await bot.ask(CHAT, "/tip Calcium")
    titles = {tip.title for tip in library.tips_in(["minerals"])}
    assert any(title in reply for title in titles)
    unknown = await bot.ask(CHAT, "/tip <b>chocolate")
    assert 'I don\'t have a topic called "&lt;b&gt;chocolate"' in unknown
    assert "/tip fiber" in unknown and "/tip probiotics" in unknown


async def test_avoid_draws_from_the_avoid_topic(bot, library):
    titles = {tip.title for tip in library.avoid_tips}
    for _ in range(3):
        reply = await bot.ask(CHAT, "/avoid")
        assert any(title in reply for title in titles)


async def test_time_and_timezone_change_settings(bot, store):
    await bot.ask(CHAT, "/start")
    assert "07:30" in await bot.ask(CHAT, "/time 7:30")
    assert "Europe/Berlin" in await bot.ask(CHAT, "/timezone berlin")
    settings = await bot.ask(CHAT, "/settings")
    assert "07:30" in settings and "Europe/Berlin" in settings and "on ✅" in settings
    assert settings.endswith("/time 7pm or /timezone berlin.")  # the chat's own city
    subscriber = store.subscriber(CHAT)
    assert subscriber.schedule.at == time(7, 30)
    assert subscriber.schedule.timezone.key == "Europe/Berlin"


async def test_the_settings_example_is_the_subscribers_own_city(bot):
    await bot.ask(CHAT, "/start")
    assert (await bot.ask(CHAT, "/settings")).endswith("/timezone and your city.")  # UTC
    await bot.ask(CHAT, "/timezone Australia/Sydney")
    assert (await bot.ask(CHAT, "/settings")).endswith("/time 7pm or /timezone sydney.")


@pytest.mark.parametrize(
    ("argument", "stored"),
    [("7pm", time(19)), ("7:30 pm", time(19, 30)), ("7.15", time(7, 15)), ("19h", time(19)),
     ("0730", time(7, 30)), ("19:00", time(19)), ("7 am", time(7)), ("12am", time(0)),
     ("12pm", time(12))],
)  # fmt: skip
async def test_times_as_people_type_them_are_saved(bot, store, argument, stored):
    await bot.ask(CHAT, "/start")
    assert f"Daily at <b>{stored:%H:%M}</b>" in await bot.ask(CHAT, f"/time {argument}")
    assert store.subscriber(CHAT).schedule.at == stored


@pytest.mark.parametrize(
    "argument", ["25:00", "7:75", "13pm", "banana", "7", "noon", "12:345", "x" * 3000]
)
async def test_bad_time_explains_in_one_line_and_changes_nothing(bot, store, argument):
    await bot.ask(CHAT, "/start")
    reply = await bot.ask(CHAT, f"/time {argument}")
    assert "\n" not in reply and "/time 7pm" in reply and "/time 19:00" in reply
    assert (argument in reply) == (len(argument) <= 16)
    assert store.subscriber(CHAT).schedule.at == time(8, 0)


ZONE_TRY = (
    "Try a city, a country or an abbreviation: <code>/timezone Berlin</code>, "
    "<code>/timezone Japan</code>, <code>/timezone EST</code>; or /timezone alone to tap yours."
)
UNKNOWN_ZONE = 'I don\'t know a place or timezone called "{}". ' + ZONE_TRY
ZONE_USAGE = "That doesn't look like a place or a timezone. " + ZONE_TRY


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("x" * 65, ZONE_USAGE),
        ("Europe/Ber\x00lin", ZONE_USAGE),
        ("Mars/Olympus", UNKNOWN_ZONE.format("Mars/Olympus")),
        ("<script>", UNKNOWN_ZONE.format("&lt;script&gt;")),
        ("localtime", UNKNOWN_ZONE.format("localtime")),
        ("Factory", UNKNOWN_ZONE.format("Factory")),
        ("Etc/GMT+5", UNKNOWN_ZONE.format("Etc/GMT+5")),
        ("qwzx plorp", UNKNOWN_ZONE.format("qwzx plorp")),
    ],
)
async def test_bad_timezone_explains_in_one_line_and_changes_nothing(
    bot, telegram, store, argument, expected
):
    await bot.ask(CHAT, "/start")
    assert await bot.ask(CHAT, f"/timezone {argument}") == expected
    assert "\n" not in expected and telegram.messages_to(CHAT)[-1].reply_markup is None
    assert store.subscriber(CHAT).schedule.timezone.key == "UTC"


@pytest.mark.parametrize(
    ("argument", "stored"),
    [
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("kiev", "Europe/Kyiv"),
        ("istanbul", "Europe/Istanbul"),
    ],
)
async def test_cities_and_aliases_are_stored_as_the_canonical_zone(bot, store, argument, stored):
    await bot.ask(CHAT, "/start")
    assert f"({stored})" in await bot.ask(CHAT, f"/timezone {argument}")
    assert store.subscriber(CHAT).schedule.timezone.key == stored


async def test_stop_keeps_settings_and_start_restores_them(bot, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/time 06:45")
    assert "stopped" in await bot.ask(CHAT, "/stop")
    assert not store.subscriber(CHAT).active
    assert "off" in await bot.ask(CHAT, "/settings")
    assert "06:45" in await bot.ask(CHAT, "/start")
    assert store.subscriber(CHAT).active


async def test_help_and_about(bot):
    help_text = await bot.ask(CHAT, "/help")
    assert "/timezone" in help_text and "/tip fiber" in help_text
    about = await bot.ask(CHAT, "/about")
    assert "Not medical advice" in about and "source" in about


async def test_plain_text_and_unknown_commands_get_a_hint(bot):
    assert "/help" in await bot.ask(CHAT, "hello there")
    assert "I don't know /frobnicate" in await bot.ask(CHAT, "/frobnicate")


async def test_bad_input_never_crashes_the_bot(bot, telegram, caplog):
    caplog.set_level(logging.ERROR)
    group = -100777
    await bot.ask(CHAT, "/about")
    telegram.user_sends_media(CHAT, "photo")
    telegram.user_sends_media(CHAT, "sticker")
    telegram.user_sends(CHAT, "/tpi")
    telegram.user_sends(CHAT, "/tip", edited=True)
    telegram.user_sends(CHAT, "x" * 20000)
    telegram.user_sends(CHAT, "/time " + "9" * 5000)
    stale = telegram.user_presses(CHAT, 1, "no-such-button")  # a message from an old version
    telegram.user_sends(group, "/tip@SomeOtherBot", chat_type="supergroup")
    telegram.user_sends(group, "just chatting", chat_type="supergroup")
    telegram.user_sends(group, "/unknown@SomeOtherBot", chat_type="supergroup")
    telegram.user_blocks_bot(CHAT)
    telegram.unblock(CHAT)  # and unblocks it again, so /help below is answered
    # One hint each for the photo, sticker, /tpi and long text, a usage line for /time;
    # nothing for the edit, the stale button, the kick, or group chatter for other bots.
    await telegram.wait_for_messages(CHAT, 1 + 5)
    assert "Commands" in await bot.ask(CHAT, "/help")
    assert len(telegram.messages_to(CHAT)) == 1 + 5 + 1
    assert telegram.messages_to(group) == []
    [answer] = await telegram.wait_for_calls("answerCallbackQuery")
    query_id = stale["callback_query"]["id"]
    assert (answer["callback_query_id"], answer["text"]) == (query_id, render_stale_button())
    assert "/help" in await bot.ask(group, "/whatever@GutBoneDailyBot", chat_type="supergroup")
    assert "📚" in await bot.ask(group, "/tip@GutBoneDailyBot", chat_type="supergroup")
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_every_tip_has_a_source_button_that_shows_the_full_reference(bot, telegram, library):
    await bot.ask(CHAT, "/tip k2")
    tip_message = telegram.messages_to(CHAT)[-1]
    [*_, button] = tip_message.reply_markup["inline_keyboard"][-1]  # the last one
    assert button["text"] == "📚 Source"
    telegram.user_presses(CHAT, tip_message.message_id, button["callback_data"])
    [*_, sources] = await telegram.wait_for_messages(CHAT, 2)
    tip = library.tip(button["callback_data"].removeprefix("v1:src:"))
    reference = library.references[tip.refs[0]]
    assert reference.title in sources.text
    assert reference.link in sources.text
    assert (await telegram.wait_for_calls("answerCallbackQuery"))[0]["callback_query_id"]


async def test_source_command_shows_the_last_tip_sources(bot, library):
    assert "haven't had a tip yet" in await bot.ask(CHAT, "/source")
    tip_text = await bot.ask(CHAT, "/avoid")
    shown = next(tip for tip in library.avoid_tips if tip.title in tip_text)
    sources = await bot.ask(CHAT, "/source")
    assert f"Sources for</b> <i>{escape(shown.title)}</i>" in sources
    assert library.references[shown.refs[0]].title in sources


async def test_a_retired_tip_button_answers_kindly(bot, telegram):
    await bot.ask(CHAT, "/tip")
    message = telegram.messages_to(CHAT)[-1]
    telegram.user_presses(CHAT, message.message_id, "source:gone-tip")
    [answer] = await telegram.wait_for_calls("answerCallbackQuery")
    assert "retired" in answer["text"]
    assert len(telegram.messages_to(CHAT)) == 1


async def test_a_reply_that_meets_the_flood_limit_is_resent(bot, telegram, pacing):
    telegram.rate_limit_next(CHAT, retry_after=3)
    assert "Commands" in await bot.ask(CHAT, "/help")
    assert pacing.now >= 3  # the gateway waited out the 429 (on its clock, not the wall's)
    refused = [body for _, _, body in telegram.errors if body.get("error_code") == 429]
    assert len(refused) == 1
    assert len(telegram.messages_to(CHAT)) == 1


async def test_blocking_the_bot_stops_deliveries_at_once(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    telegram.user_blocks_bot(CHAT)
    assert await telegram.wait_until(lambda: not store.subscriber(CHAT).active)


async def test_a_group_upgrade_moves_the_subscription(bot, telegram, store):
    group, supergroup = -300, -1000000000300
    telegram.make_admin(group, GROUP_USER_ID)  # group settings are for admins
    await bot.ask(group, "/start@GutBoneDailyBot", chat_type="group")
    telegram.group_upgrades(group, supergroup)
    assert await telegram.wait_until(lambda: store.subscriber(supergroup) is not None)
    assert store.subscriber(supergroup).active and store.subscriber(group) is None


async def test_source_of_a_retired_tip(bot, store, clock):
    store.mark_seen(CHAT, "fiber-retired-long-ago", clock())
    assert "retired" in await bot.ask(CHAT, "/source")


async def test_a_reply_that_meets_a_server_error_is_retried(bot, telegram, pacing):
    telegram.fail_with_server_error(times=2)
    assert "Commands" in await bot.ask(CHAT, "/help")
    assert pacing.now >= 2 + 4  # the gateway backed off twice (on its clock), then answered
    assert len(telegram.messages_to(CHAT)) == 1
