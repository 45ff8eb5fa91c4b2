"""End to end: /topics, /pause, /resume and /settings, typed and tapped, edited in place."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.commands.texts import (
    render_ask_an_admin,
    render_last_topic,
    render_nothing_to_pause,
    render_stale_button,
    render_topic_gone,
)
from emulator import GROUP_USER_ID
from storage import Store
from tests.conftest import PacingTime
from tests.e2e import buttons, press, running_bot

CHAT = 5151
GROUP, MEMBER = -1001234000077, 2002
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
MONDAY_EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # the default 08:00 UTC; clock: 06:00


async def topics_message(bot, telegram, chat_id=CHAT, **kwargs):
    await bot.ask(chat_id, "/topics", **kwargs)
    return telegram.messages_to(chat_id)[-1]


async def toggle(telegram, chat_id, message, topic_id, edits_before, **kwargs):
    answer = await press(telegram, chat_id, message.message_id, f"v1:topic:{topic_id}", **kwargs)
    assert answer["text"] is None
    await telegram.wait_for_edits(chat_id, edits_before + 1)
    return telegram.message(chat_id, message.message_id)


async def test_topics_toggle_in_place_and_shape_daily_tips_and_tip(
    bot, telegram, store, clock, library
):
    await bot.ask(CHAT, "/start")
    message = await topics_message(bot, telegram)
    assert "Your topics" in message.text
    assert all(label.startswith("✅") for label in list(buttons(message))[:-1])
    others = [topic.id for topic in library.topics if topic.id != "k2"]
    for count, topic_id in enumerate(others):
        shown = await toggle(telegram, CHAT, message, topic_id, count)
    ticked = [label for label in buttons(shown) if label.startswith("✅")]
    assert ticked == ["✅ 🫘 Vitamin K2"]
    assert len(telegram.messages_to(CHAT)) == 2  # the welcome and /topics: edits, not messages
    assert store.subscriber(CHAT).topics == frozenset({"k2"})

    clock.set(MONDAY_EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    assert library.tip(store.last_seen_tip(CHAT)).topic == "k2"
    await bot.ask(CHAT, "/tip")
    assert library.tip(store.last_seen_tip(CHAT)).topic == "k2"
    await bot.ask(CHAT, "/tip fiber")  # any topic, by name
    assert library.tip(store.last_seen_tip(CHAT)).topic == "fiber"
    await bot.ask(CHAT, "/avoid")  # its own topic, whatever was chosen
    assert library.tip(store.last_seen_tip(CHAT)).topic == "avoid"


async def test_the_last_topic_stays_on_and_saying_so_changes_nothing(bot, telegram, store, library):
    message = await topics_message(bot, telegram)
    others = [topic.id for topic in library.topics if topic.id != "fiber"]
    for count, topic_id in enumerate(others):
        await toggle(telegram, CHAT, message, topic_id, count)
    answer = await press(telegram, CHAT, message.message_id, "v1:topic:fiber")
    assert answer["text"] == render_last_topic()
    assert len(telegram.edits) == len(others)  # no edit for the refused press
    assert store.subscriber(CHAT).topics == frozenset({"fiber"})
    assert not store.subscriber(CHAT).active  # topics chosen before /start: stored, not subscribed


async def test_pause_skips_days_and_tips_come_back_by_themselves(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    reply = await bot.ask(CHAT, "/pause 2")  # Monday 06:00 UTC: Mon, Tue and Wed skipped
    assert "no daily tips until Thu 05 Mar, 00:00" in reply
    assert "the next one is on Thu 05 Mar, 08:00" in reply
    assert "paused ⏸ until Thu 05 Mar, 00:00" in await bot.ask(CHAT, "/settings")
    for day in range(3):
        clock.set(MONDAY_EIGHT + timedelta(days=day))
        assert await bot.delivery.sweep() == {}
    clock.set(MONDAY_EIGHT + timedelta(days=3))
    assert await bot.delivery.sweep() == {"sent": 1}
    assert "Daily tip: on ✅" in await bot.ask(CHAT, "/settings")


async def test_pause_defaults_to_a_week_and_bad_days_change_nothing(bot, store):
    await bot.ask(CHAT, "/start")
    for bad in ("0", "91", "soon", "3 days"):
        reply = await bot.ask(CHAT, f"/pause {bad}")
        assert reply.startswith("Please send a number of days from 1 to 90.")
    assert store.subscriber(CHAT).schedule.paused_until is None
    assert "until Tue 10 Mar, 00:00" in await bot.ask(CHAT, "/pause")


async def test_resume_ends_a_pause_and_todays_tip_is_still_owed(bot, store, clock):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/pause 5")
    assert "Welcome back! Next tip: Mon 02 Mar, 08:00" in await bot.ask(CHAT, "/resume")
    assert "You're not paused" in await bot.ask(CHAT, "/resume")
    clock.set(MONDAY_EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}


async def test_pause_and_resume_without_a_subscription(bot):
    assert "nothing to pause" in await bot.ask(CHAT, "/pause")
    assert "nothing to pause" in await bot.ask(CHAT, "/resume")


async def test_settings_buttons_pause_resume_and_switch_views_in_place(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/settings")
    message = telegram.messages_to(CHAT)[-1]
    assert set(buttons(message)) == {
        "🗂 Topics",
        "⏸ Pause 7 days",
        "🕗 Time",
        "🌍 Timezone",
        "▫️ 🔕 Quiet delivery",
        "🗓 Weekends: same time",
        "🖼 Sunday picture: on ✅",
    }
    steps = [
        ("v1:pause:7", "Daily tip: paused ⏸ until Tue 10 Mar, 00:00"),
        ("v1:resume", "Daily tip: on ✅"),
        ("v1:set:topics", "Your topics"),
        ("v1:set:show", "Your settings"),
    ]
    for count, (data, expected) in enumerate(steps, start=1):
        assert (await press(telegram, CHAT, message.message_id, data))["text"] is None
        [*_, edited] = await telegram.wait_for_edits(CHAT, count)
        assert edited.message_id == message.message_id and expected in edited.text
    assert "▶️ Resume" not in buttons(telegram.message(CHAT, message.message_id))
    await press(telegram, CHAT, message.message_id, "v1:set:time")
    [*_, picker] = await telegram.wait_for_messages(CHAT, 3)
    assert "/time 07:45" in picker.text and buttons(picker)["07:30"] == "v1:at:07:30"
    assert store.subscriber(CHAT).schedule.paused_until is None


async def test_a_press_that_changes_nothing_is_answered_without_an_error(bot, telegram, caplog):
    caplog.set_level(logging.ERROR)
    await bot.ask(CHAT, "/settings")  # not subscribed: no pause button, still a view
    message = telegram.messages_to(CHAT)[-1]
    assert (await press(telegram, CHAT, message.message_id, "v1:set:show"))["text"] is None
    answer = await press(telegram, CHAT, message.message_id, "v1:pause:7")  # a button of old
    assert answer["text"] == render_nothing_to_pause()
    assert await telegram.wait_until(lambda: len(telegram.errors) == 2)
    assert {(name, body["description"]) for name, _, body in telegram.errors} == {
        ("editMessageText", NOT_MODIFIED)
    }
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_forged_and_unknown_presses_are_answered_cleanly(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    message = await topics_message(bot, telegram)
    expected = {
        "v1:pause:365": render_stale_button(),
        "v1:topic:no-such-topic": render_topic_gone(),
        "v1:topic:fibre": render_topic_gone(),  # an alias is not an id
        "v9:topic:fiber": render_stale_button(),
        "v1:del:yes": render_stale_button(),
    }
    for data, text in expected.items():
        assert (await press(telegram, CHAT, message.message_id, data))["text"] == text
    assert store.subscriber(CHAT).schedule.paused_until is None
    assert store.subscriber(CHAT).topics is None and telegram.edits == []


async def test_in_a_group_members_are_refused_commands_and_buttons(bot, telegram, store):
    telegram.make_admin(GROUP, GROUP_USER_ID)
    group = {"chat_type": "supergroup"}
    await bot.ask(GROUP, "/start", user_id=GROUP_USER_ID, **group)
    for command in ("/topics", "/pause", "/resume", "/export", "/delete_me"):
        assert await bot.ask(GROUP, command, user_id=MEMBER, **group) == render_ask_an_admin()
    await bot.ask(GROUP, "/settings", user_id=MEMBER, **group)  # reading stays open
    message = telegram.messages_to(GROUP)[-1]
    answer = await press(telegram, GROUP, message.message_id, "v1:pause:7", user_id=MEMBER)
    assert answer["text"] == render_ask_an_admin()
    assert store.subscriber(GROUP).schedule.paused_until is None and telegram.edits == []
    await press(telegram, GROUP, message.message_id, "v1:pause:7", user_id=GROUP_USER_ID)
    [edited] = await telegram.wait_for_edits(GROUP)
    assert "paused ⏸" in edited.text and store.subscriber(GROUP).schedule.paused_until


async def test_buttons_from_before_a_restart_still_work(telegram, db_path, library, clock, sleep):
    store = Store.open(db_path)
    async with running_bot(telegram, store, library, clock, sleep, PacingTime()) as bot:
        await bot.ask(CHAT, "/start")
        await bot.ask(CHAT, "/settings")
        settings = telegram.messages_to(CHAT)[-1]
        topics = await topics_message(bot, telegram)
    store.close()
    store = Store.open(db_path)
    async with running_bot(telegram, store, library, clock, sleep, PacingTime()):
        await toggle(telegram, CHAT, topics, "fiber", 0)
        assert (await press(telegram, CHAT, settings.message_id, "v1:pause:3"))["text"] is None
        [*_, edited] = await telegram.wait_for_edits(CHAT, 2)
        assert "paused ⏸ until Fri 06 Mar, 00:00" in edited.text
        assert "fiber" not in store.subscriber(CHAT).topics
    store.close()
