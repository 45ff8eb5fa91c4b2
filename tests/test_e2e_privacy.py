"""End to end: /export sends the chat's data as a JSON file; /delete_me erases it after a
button; /privacy says what is stored."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.commands.texts import render_ask_an_admin, render_delete_expired
from emulator import GROUP_USER_ID
from storage.privacy import chat_tables
from tests.e2e import buttons, press

CHAT = 6161
CHANNEL = -1009999000001
GROUP, MEMBER = -1001234000088, 2002
MONDAY_EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def rows_about(store, chat_id: int) -> dict[str, int]:
    return {
        table: store.db.execute(
            f"SELECT count(*) FROM {table} WHERE chat_id = ?", [chat_id]
        ).fetchone()[0]
        for table in chat_tables(store.db)
    }


async def with_history(bot, store, clock) -> None:
    """A subscriber with a daily tip, a /tip, chosen topics, a pause, a vote, a check-in,
    two plants and a channel they added."""
    await bot.ask(CHAT, "/start")
    clock.set(MONDAY_EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    await bot.ask(CHAT, "/tip")
    store.vote(CHAT, "k2-1", 1, clock())
    store.check_in(CHAT, clock().date())
    await bot.ask(CHAT, "/pause 3")
    await bot.ask(CHAT, "/plants oats, kale")
    store.add_channel(CHAT, CHANNEL, "@gutnews", bot.delivery_schedule, clock())
    store.pause(CHANNEL, 90, clock())  # its tips are not what these tests look at


async def delete_confirmation(bot, telegram):
    await bot.ask(CHAT, "/delete_me")
    message = telegram.messages_to(CHAT)[-1]
    assert "Delete everything stored about this chat?" in message.text
    return message


async def test_delete_me_asks_first_then_erases_every_table(bot, telegram, store, clock):
    await with_history(bot, store, clock)
    store.subscribe(CHAT + 1, "private", bot.delivery_schedule, clock())  # someone else
    message = await delete_confirmation(bot, telegram)
    assert rows_about(store, CHAT) == {
        "channel_owners": 1,
        "deliveries": 1,
        "plants": 1,
        "rotation": 1,  # one row a chat, whatever it has seen
        "streaks": 1,
        "subscribers": 1,
        "votes": 1,
    }
    [confirm, _cancel] = buttons(message).values()
    assert (await press(telegram, CHAT, message.message_id, confirm))["text"] is None
    [edited] = await telegram.wait_for_edits(CHAT)
    assert edited.text.startswith("🗑 Deleted") and edited.reply_markup is None
    assert set(rows_about(store, CHAT).values()) == {0}
    assert store.subscriber(CHAT + 1) is not None
    assert store.subscriber(CHANNEL).active  # the channel's own subscription is the channel's
    clock.advance(days=1)
    assert await bot.delivery.sweep() == {"sent": 1}  # to the other chat only
    assert "You're not subscribed" in await bot.ask(CHAT, "/resume")


async def test_cancel_keeps_everything(bot, telegram, store, clock):
    await with_history(bot, store, clock)
    message = await delete_confirmation(bot, telegram)
    await press(telegram, CHAT, message.message_id, "v1:del:no")
    [edited] = await telegram.wait_for_edits(CHAT)
    assert edited.text == "Nothing was deleted." and edited.reply_markup is None
    assert rows_about(store, CHAT)["subscribers"] == 1 and store.subscriber(CHAT).active


async def test_an_old_confirmation_after_a_new_start_erases_nothing(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    old = await delete_confirmation(bot, telegram)
    new = await delete_confirmation(bot, telegram)
    await press(telegram, CHAT, new.message_id, buttons(new)["🗑 Yes, delete everything"])
    await telegram.wait_for_edits(CHAT)
    clock.advance(minutes=1)
    await bot.ask(CHAT, "/start")
    answer = await press(telegram, CHAT, old.message_id, buttons(old)["🗑 Yes, delete everything"])
    assert answer["text"] == render_delete_expired()
    [_, edited] = await telegram.wait_for_edits(CHAT, 2)
    assert edited.message_id == old.message_id and edited.reply_markup is None
    assert store.subscriber(CHAT).active


async def test_a_confirmation_expires_after_ten_minutes(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    message = await delete_confirmation(bot, telegram)
    clock.advance(minutes=10, seconds=1)
    answer = await press(
        telegram, CHAT, message.message_id, buttons(message)["🗑 Yes, delete everything"]
    )
    assert answer["text"] == render_delete_expired()
    assert store.subscriber(CHAT).active


async def test_export_sends_every_table_as_a_json_file(bot, telegram, store, clock):
    await with_history(bot, store, clock)
    await bot.ask(CHAT, "/topics")
    topics = telegram.messages_to(CHAT)[-1]
    await press(telegram, CHAT, topics.message_id, "v1:topic:avoid")
    await telegram.wait_for_edits(CHAT)
    telegram.user_sends(CHAT, "/export")
    [document] = await telegram.wait_for_documents(CHAT)
    assert document.file_name == f"gutbone-daily-{CHAT}.json"
    assert "Everything stored about this chat" in document.caption
    data = json.loads(document.content)
    assert data["chat_id"] == CHAT and data["exported_at"] == "2026-03-02T08:00:00+00:00"
    tables = {"channel_owners", "deliveries", "plants", "rotation", "streaks", "subscribers"}
    tables.add("votes")
    assert set(data["tables"]) == tables
    assert data["tables"]["plants"] == [
        {"chat_id": CHAT, "week": "2026-03-02", "names": "oats\nkale"}
    ]
    [streak] = data["tables"]["streaks"]
    assert (streak["days"], streak["last_day"], streak["longest"]) == (1, "2026-03-02", 1)
    [subscriber] = data["tables"]["subscribers"]
    assert subscriber["paused_until"] == "2026-03-06T00:00:00+00:00"
    assert "avoid" not in subscriber["topics"].split(",")
    [delivery] = data["tables"]["deliveries"]
    assert delivery["delivered_at"] == "2026-03-02T08:00:00+00:00"
    [vote] = data["tables"]["votes"]
    assert vote == {"chat_id": CHAT, "liked": ["k2-1"], "disliked": []}  # ids, not numbers
    [rotation] = data["tables"]["rotation"]
    assert rotation["chat_id"] == CHAT and len(rotation["cycle"]) == 2  # the daily tip, the /tip
    assert delivery["tip"] in rotation["cycle"] and rotation["last"] in rotation["cycle"]
    assert rotation["last"] != delivery["tip"]  # the /tip came after the daily one


async def test_export_of_a_chat_with_nothing_stored(bot, telegram):
    telegram.user_sends(CHAT, "/export")
    [document] = await telegram.wait_for_documents(CHAT)
    assert json.loads(document.content)["tables"] == {
        "channel_owners": [],
        "deliveries": [],
        "plants": [],
        "rotation": [],
        "streaks": [],
        "subscribers": [],
        "votes": [],
    }


async def test_privacy_says_what_is_stored_why_for_how_long_and_how_to_erase_it(bot):
    assert "/privacy" in await bot.ask(CHAT, "/about")
    privacy = await bot.ask(CHAT, "/privacy")
    assert "Stored for each chat, and why" in privacy and "Kept 3 days" in privacy
    assert "/export sends you all of it" in privacy and "/delete_me erases it" in privacy


async def test_in_a_group_only_admins_confirm_a_deletion(bot, telegram, store):
    telegram.make_admin(GROUP, GROUP_USER_ID)
    group = {"chat_type": "supergroup"}
    await bot.ask(GROUP, "/start", user_id=GROUP_USER_ID, **group)
    await bot.ask(GROUP, "/delete_me", user_id=GROUP_USER_ID, **group)
    message = telegram.messages_to(GROUP)[-1]
    confirm = buttons(message)["🗑 Yes, delete everything"]
    answer = await press(telegram, GROUP, message.message_id, confirm, user_id=MEMBER)
    assert answer["text"] == render_ask_an_admin() and store.subscriber(GROUP) is not None
    await press(telegram, GROUP, message.message_id, confirm, user_id=GROUP_USER_ID)
    await telegram.wait_for_edits(GROUP)
    assert store.subscriber(GROUP) is None
