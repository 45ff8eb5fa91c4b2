"""End to end: a /help that fits a phone (➕ More and ⬅️ Back), the command menus each kind of
chat sees (command scopes), an unknown command named, /about and /privacy."""

from __future__ import annotations

from bot.commands.texts import (
    ADMIN_COMMANDS,
    COMMANDS,
    LEARNING,
    MAIN_COMMANDS,
    render_help,
    render_help_more,
    render_privacy,
)
from tests.e2e import buttons, press, running_bot

CHAT = 4242
GROUP, ADMIN, MEMBER, OPERATOR = -1004242000000, 501, 502, 9001


def names(menu: list[dict[str, str]]) -> list[str]:
    return [entry["command"] for entry in menu]


async def test_help_fits_a_phone_and_more_shows_the_rest_then_back(bot, telegram, library):
    first = await bot.ask(CHAT, "/help")
    assert len(first.splitlines()) <= 12 and "/settings" in first and "/privacy —" not in first
    message = telegram.messages_to(CHAT)[-1]
    more = buttons(message)["➕ More"]
    assert (await press(telegram, CHAT, message.message_id, more))["text"] is None
    [edited] = await telegram.wait_for_edits(CHAT, 1)
    assert edited.text == render_help_more(library.topics, False)
    assert "/privacy" in edited.text and "/tip fiber" in edited.text
    back = buttons(edited)["⬅️ Back"]
    await press(telegram, CHAT, message.message_id, back)
    [_, again] = await telegram.wait_for_edits(CHAT, 2)
    assert again.text == render_help(False) and "➕ More" in buttons(again)
    assert len(telegram.messages_to(CHAT)) == 1  # edited in place, never a new message


async def test_group_lines_only_in_groups(bot, telegram):
    private = await bot.ask(CHAT, "/help")
    group = await bot.ask(GROUP, "/help", chat_type="supergroup", user_id=MEMBER)
    assert "group" not in private
    assert "👥 In this group only its admins can change the daily tip." in group
    message = telegram.messages_to(GROUP)[-1]
    await press(telegram, GROUP, message.message_id, buttons(message)["➕ More"], user_id=MEMBER)
    [edited] = await telegram.wait_for_edits(GROUP, 1)
    assert "only its admins can use /start, /stop, /time" in edited.text


async def test_each_chat_sees_its_own_menu(telegram, store, library, clock, sleep, pacing):
    async with running_bot(
        telegram, store, library, clock, sleep, pacing, ADMIN_USER_IDS=str(OPERATOR)
    ):
        telegram.make_admin(GROUP, ADMIN)
        main = names(telegram.menu_seen(CHAT))
        assert main == [name for name, _ in MAIN_COMMANDS] and len(main) <= 8
        assert names(telegram.menu_seen(GROUP, MEMBER)) == main
        full = [name for name, _ in COMMANDS]
        assert names(telegram.menu_seen(GROUP, ADMIN)) == full
        operator = names(telegram.menu_seen(OPERATOR))
        assert operator == full + [name for name, _ in ADMIN_COMMANDS]
        assert "stats" not in names(telegram.menu_seen(GROUP, OPERATOR))


async def test_a_menu_the_operator_cannot_get_does_not_stop_the_others(
    telegram, store, library, clock, sleep, pacing
):
    telegram.fail_next(
        "setMyCommands", error_code=400, description="Bad Request: chat not found", chat_id=OPERATOR
    )  # an operator who never opened a chat with the bot
    async with running_bot(
        telegram, store, library, clock, sleep, pacing, ADMIN_USER_IDS=f"{OPERATOR},9002"
    ) as bot:
        assert names(telegram.menu_seen(9002))[-1] == "stats"
        assert names(telegram.menu_seen(OPERATOR)) == [name for name, _ in MAIN_COMMANDS]
        assert "📋" in await bot.ask(CHAT, "/help")


async def test_an_unknown_command_is_named_with_the_closest_one(bot):
    assert await bot.ask(CHAT, "/tpi") == (
        "I don't know /tpi. Did you mean /tip? /help lists what I can do."
    )
    assert await bot.ask(CHAT, "/Setings@GutBoneDailyBot now") == (
        "I don't know /setings. Did you mean /settings? /help lists what I can do."
    )
    assert await bot.ask(CHAT, "/frobnicate") == (
        "I don't know /frobnicate. /help lists what I can do."
    )
    assert "/tip for a tip right now" in await bot.ask(CHAT, "hello there")
    group = await bot.ask(GROUP, "/plnts@GutBoneDailyBot", chat_type="supergroup")
    assert group.startswith("I don't know /plnts. Did you mean /plants?")


async def test_about_in_short_lines_and_privacy(bot, library):
    about = await bot.ask(CHAT, "/about")
    several = sum(len(tip.refs) > 1 for tip in library.tips)
    assert f"{len(library.tips)} tips from {len(library.references)} published sources" in about
    assert f"({several} cite more than one)" in about or several == 0
    assert LEARNING in about and "/privacy" in about and "Not medical advice" in about
    assert max(len(line) for line in about.splitlines()) <= 90
    privacy = await bot.ask(CHAT, "/privacy")
    assert privacy == render_privacy()
    assert "Kept 3 days" in privacy and "/export" in privacy and "/delete_me" in privacy
