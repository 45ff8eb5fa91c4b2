"""End to end: in groups, settings are for the group's admins; tips are for everyone."""

from __future__ import annotations

from datetime import time

from bot.commands.texts import render_ask_an_admin
from emulator import GROUP_USER_ID

GROUP = -1001234000000  # a supergroup
ADMIN, MEMBER, OTHER_BOT = GROUP_USER_ID, 2002, 3003
ASK_AN_ADMIN = "Only this group's admins can change its daily tip: please ask one of them."


async def ask(bot, text: str, user_id: int, **kwargs) -> str:
    return await bot.ask(GROUP, text, chat_type="supergroup", user_id=user_id, **kwargs)


async def subscribed_group(bot, telegram) -> None:
    telegram.make_admin(GROUP, ADMIN)
    assert "Welcome" in await ask(bot, "/start", ADMIN)


def get_chat_member_calls(telegram) -> list[tuple[int, int]]:
    return [(p["chat_id"], p["user_id"]) for name, p in telegram.calls if name == "getChatMember"]


async def test_a_members_time_is_refused_and_changes_nothing(bot, telegram, store):
    await subscribed_group(bot, telegram)
    assert await ask(bot, "/time 07:30", MEMBER) == ASK_AN_ADMIN == render_ask_an_admin()
    assert await ask(bot, "/timezone berlin", MEMBER) == ASK_AN_ADMIN
    assert await ask(bot, "/stop", MEMBER) == ASK_AN_ADMIN
    subscriber = store.subscriber(GROUP)
    assert subscriber.active and subscriber.schedule.at == time(8, 0)
    assert subscriber.schedule.timezone.key == "UTC"


async def test_a_member_cannot_subscribe_a_group(bot, store):
    assert await ask(bot, "/start", MEMBER) == ASK_AN_ADMIN
    assert store.subscriber(GROUP) is None


async def test_an_admins_time_and_stop_work(bot, telegram, store):
    await subscribed_group(bot, telegram)
    telegram.set_member_status(GROUP, 4004, "creator")
    assert "07:30" in await ask(bot, "/time 07:30", ADMIN)
    assert "Europe/Berlin" in await ask(bot, "/timezone berlin", 4004)
    assert "stopped" in await ask(bot, "/stop", ADMIN)
    subscriber = store.subscriber(GROUP)
    assert not subscriber.active and subscriber.schedule.at == time(7, 30)


async def test_another_bots_stop_and_a_channels_stop_are_ignored(bot, telegram, store):
    await subscribed_group(bot, telegram)
    telegram.make_admin(GROUP, OTHER_BOT)  # even a bot made admin does not drive this one
    telegram.user_sends(GROUP, "/stop", chat_type="supergroup", user_id=OTHER_BOT, is_bot=True)
    telegram.user_sends(GROUP, "/stop", chat_type="supergroup", sender_chat_id=-1009999)
    assert "Daily tip: on" in await ask(bot, "/settings", MEMBER)  # answered after both
    assert len(telegram.messages_to(GROUP)) == 2  # the welcome and the settings, no more
    assert store.subscriber(GROUP).active


async def test_an_anonymous_admin_counts_as_an_admin(bot, telegram, store):
    await subscribed_group(bot, telegram)
    telegram.user_sends(GROUP, "/stop", chat_type="supergroup", sender_chat_id=GROUP)
    [*_, stopped] = await telegram.wait_for_messages(GROUP, 2)
    assert "stopped" in stopped.text
    assert not store.subscriber(GROUP).active
    assert get_chat_member_calls(telegram) == [(GROUP, ADMIN)]  # for /start, not /stop


async def test_tips_sources_help_and_settings_stay_open_to_members(bot, telegram):
    assert "📚" in await ask(bot, "/tip", MEMBER)
    assert "Sources for" in await ask(bot, "/source", MEMBER)
    assert "Commands" in await ask(bot, "/help", MEMBER)
    assert "Your settings" in await ask(bot, "/settings", MEMBER)
    assert get_chat_member_calls(telegram) == []


async def test_admin_status_is_asked_once_per_user_per_minute(bot, telegram, clock):
    await subscribed_group(bot, telegram)
    for _ in range(3):
        await ask(bot, "/time 07:30", ADMIN)
        assert await ask(bot, "/time 07:30", MEMBER) == ASK_AN_ADMIN
    assert get_chat_member_calls(telegram) == [(GROUP, ADMIN), (GROUP, MEMBER)]
    clock.advance(seconds=61)
    telegram.make_admin(GROUP, MEMBER)  # promoted: seen once the cached answer expires
    assert "07:45" in await ask(bot, "/time 07:45", MEMBER)
    assert get_chat_member_calls(telegram)[2:] == [(GROUP, MEMBER)]


async def test_private_chats_need_no_admin_check(bot, telegram):
    assert "Welcome" in await bot.ask(4242, "/start")
    assert "07:30" in await bot.ask(4242, "/time 07:30")
    assert get_chat_member_calls(telegram) == []
