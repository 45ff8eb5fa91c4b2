"""End to end: a channel's admin subscribes it from a private chat; its daily tip is posted."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands.texts import render_channel_bot_missing, render_channel_not_admin
from tests.e2e import buttons, press

OWNER, STRANGER = 5151, 5252
CHANNEL, NAME = -1009876500001, "gutnews"
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
USAGE = "That isn't a channel I can find."


def channel_ready(telegram, *, bot_can_post: bool = True, owner: bool = True) -> None:
    telegram.add_channel(CHANNEL, NAME, "Gut News")
    telegram.make_channel_admin(CHANNEL, telegram.bot_id, can_post_messages=bot_can_post)
    if owner:
        telegram.set_member_status(CHANNEL, OWNER, "creator")


def owners(store) -> list[tuple[int, int]]:
    return [tuple(r) for r in store.db.execute("SELECT chat_id, channel_id FROM channel_owners")]


async def test_an_admin_subscribes_a_channel_and_its_tip_is_posted(bot, telegram, store, clock):
    channel_ready(telegram)
    said = await bot.ask(OWNER, "/channel @GutNews")  # usernames ignore case
    assert said.startswith("✅ @gutnews now gets the daily tip.")
    assert "Daily at <b>08:00</b> (UTC)" in said and "/channel lists your channels" in said
    subscriber = store.subscriber(CHANNEL)
    assert subscriber.active and subscriber.chat_type == "channel"
    assert owners(store) == [(OWNER, CHANNEL)]
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    [posted] = telegram.messages_to(CHANNEL)
    assert "📚" in posted.text
    again = await bot.ask(OWNER, "/channel @gutnews")
    assert again.startswith("✅ @gutnews already gets the daily tip.")


async def test_the_bot_must_be_an_admin_allowed_to_post(bot, telegram, store):
    telegram.add_channel(CHANNEL, NAME)
    telegram.set_member_status(CHANNEL, OWNER, "administrator")
    missing = render_channel_bot_missing("@gutnews")
    assert missing == "Add me to @gutnews as an admin who can post messages, then try again."
    assert await bot.ask(OWNER, "/channel @gutnews") == missing  # not in the channel at all
    telegram.make_channel_admin(CHANNEL, telegram.bot_id, can_post_messages=False)
    assert await bot.ask(OWNER, "/channel @gutnews") == missing  # an admin, but may not post
    assert store.subscriber(CHANNEL) is None and owners(store) == []


async def test_only_the_channels_admins_can_subscribe_it(bot, telegram, store):
    channel_ready(telegram, owner=False)
    refused = await bot.ask(STRANGER, "/channel @gutnews")
    assert refused == render_channel_not_admin() == "Only the channel's admins can subscribe it."
    assert store.subscriber(CHANNEL) is None and owners(store) == []


async def test_forwarding_a_post_subscribes_its_channel(bot, telegram, store):
    channel_ready(telegram)
    telegram.user_forwards_post(OWNER, CHANNEL)
    [said] = await telegram.wait_for_messages(OWNER)
    assert said.text.startswith("✅ @gutnews now gets the daily tip.")
    assert store.subscriber(CHANNEL).active and owners(store) == [(OWNER, CHANNEL)]


async def test_bad_input_is_answered_with_usage_and_changes_nothing(bot, telegram, store):
    telegram.add_channel(CHANNEL, NAME)
    typed_lines = ("/channel gutnews", "/channel @nosuchchannel", "/channel @a b")
    for typed in (*typed_lines, f"/channel {CHANNEL}", "/channel -1001234000011", "/channel 42"):
        assert (await bot.ask(OWNER, typed)).startswith(USAGE), typed
    assert store.subscriber(CHANNEL) is None and owners(store) == []


async def test_in_a_group_it_points_to_a_private_chat(bot, store):
    said = await bot.ask(-1001234000011, "/channel @gutnews", chat_type="supergroup")
    assert said.startswith("/channel works in a private chat with me")


async def test_the_list_removes_a_channel_after_checking_the_presser(bot, telegram, store, clock):
    assert "You haven't added a channel yet" in await bot.ask(OWNER, "/channel")
    channel_ready(telegram)
    await bot.ask(OWNER, "/channel @gutnews")
    listed = await bot.ask(OWNER, "/channel")
    assert "• @gutnews" in listed
    [*_, shown] = telegram.messages_to(OWNER)
    data = buttons(shown)["🗑 Remove @gutnews"]
    assert data == f"v1:chan:rm:{CHANNEL}"
    telegram.set_member_status(CHANNEL, OWNER, "member")  # demoted since
    refused = await press(telegram, OWNER, shown.message_id, data)
    assert refused["text"] == "Only the channel's admins can remove it."
    assert store.subscriber(CHANNEL).active
    telegram.set_member_status(CHANNEL, OWNER, "administrator")
    clock.advance(seconds=61)  # Telegram's answer is remembered for a minute
    assert (await press(telegram, OWNER, shown.message_id, data))["text"] is None
    [edited] = await telegram.wait_for_edits(OWNER)
    assert edited.text.startswith("🗑 @gutnews no longer gets the daily tip.")
    assert not store.subscriber(CHANNEL).active and owners(store) == []
    assert store.due_subscribers(EIGHT.replace(year=2027), 10) == []
    stale = await press(telegram, OWNER, shown.message_id, data)
    assert stale["text"] == "This button no longer works. Try /tip or /help."


async def test_a_channel_that_removed_the_bot_stops_getting_tips(bot, telegram, store, clock):
    channel_ready(telegram)
    await bot.ask(OWNER, "/channel @gutnews")
    telegram.set_member_status(CHANNEL, telegram.bot_id, "left")
    clock.set(EIGHT)
    await bot.delivery.sweep()
    assert not store.subscriber(CHANNEL).active
    assert telegram.messages_to(CHANNEL) == []
    listed = await bot.ask(OWNER, "/channel")
    assert "• @gutnews — stopped: I can't post there any more;" in listed
    shown = telegram.messages_to(OWNER)[-1]  # removable though Telegram can't tell who admins it
    assert (await press(telegram, OWNER, shown.message_id, f"v1:chan:rm:{CHANNEL}"))["text"] is None
    assert owners(store) == []


async def test_delete_me_forgets_the_owners_channels(bot, telegram, store):
    channel_ready(telegram)
    await bot.ask(OWNER, "/channel @gutnews")
    assert store.export_chat(OWNER, EIGHT)["tables"]["channel_owners"][0]["channel_id"] == CHANNEL
    store.erase_chat(OWNER, EIGHT)
    assert owners(store) == [] and "You haven't added" in await bot.ask(OWNER, "/channel")
