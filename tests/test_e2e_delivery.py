"""End to end: daily tips through the real Application and the emulator, time driven by a clock."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from emulator import GROUP_USER_ID
from tests.conftest import PacingTime
from tests.e2e import press, running_bot

CHAT = 777
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def send_attempts(telegram, chat_id: int) -> int:
    return sum(1 for name, p in telegram.calls if name == "sendMessage" and p["chat_id"] == chat_id)


async def test_subscribe_then_one_daily_tip_per_day(bot, telegram, clock):
    await bot.ask(CHAT, "/start")
    clock.set(EIGHT - timedelta(minutes=1))
    assert await bot.delivery.sweep() == {}
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    first = telegram.messages_to(CHAT)[-1]
    assert "📚" in first.text and first.parse_mode == "HTML"
    clock.set(EIGHT + timedelta(hours=3))
    assert await bot.delivery.sweep() == {}
    clock.set(EIGHT + timedelta(days=1))
    assert await bot.delivery.sweep() == {"sent": 1}
    second = telegram.messages_to(CHAT)[-1]
    assert second.text != first.text
    assert len(telegram.messages_to(CHAT)) == 3


async def test_daily_tip_at_the_subscribers_local_time(bot, telegram, clock):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone Asia/Tokyo")
    await bot.ask(CHAT, "/time 07:15")
    clock.set(datetime(2026, 3, 2, 22, 14, tzinfo=UTC))  # 07:14 in Tokyo on 3 March
    assert await bot.delivery.sweep() == {}
    clock.set(datetime(2026, 3, 2, 22, 15, tzinfo=UTC))
    assert await bot.delivery.sweep() == {"sent": 1}


async def test_stopped_subscribers_get_nothing(bot, clock):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/stop")
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {}


async def test_blocked_subscriber_is_deactivated_until_start(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    telegram.block(CHAT)
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"blocked": 1}
    assert not store.subscriber(CHAT).active
    clock.set(EIGHT + timedelta(days=1))
    assert await bot.delivery.sweep() == {}
    assert send_attempts(telegram, CHAT) == 2  # the welcome and the one blocked attempt
    telegram.unblock(CHAT)
    await bot.ask(CHAT, "/start")
    assert store.subscriber(CHAT).active


async def test_chat_not_found_deactivates(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    telegram.forget_chat(CHAT)
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"blocked": 1}
    assert not store.subscriber(CHAT).active


async def test_429_is_honoured_and_the_tip_sent_once(bot, telegram, clock, pacing):
    await bot.ask(CHAT, "/start")
    telegram.rate_limit_next(CHAT, retry_after=3)
    clock.set(EIGHT)
    before = pacing.now
    assert await bot.delivery.sweep() == {"sent": 1}  # a 429 costs no attempt, defers nothing
    assert pacing.now - before >= 3
    assert send_attempts(telegram, CHAT) == 3  # welcome, the 429, the resend
    assert len(telegram.messages_to(CHAT)) == 2


async def test_server_errors_are_retried_with_backoff(bot, telegram, clock, sleep):
    await bot.ask(CHAT, "/start")
    telegram.fail_with_server_error(times=2)
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    assert sleep.calls[:2] == [2, 4]


async def test_migrated_group_gets_its_tip_at_the_new_id(bot, telegram, store, clock):
    group, supergroup = -4001, -1004001000000
    telegram.make_admin(group, GROUP_USER_ID)  # group settings are for admins
    await bot.ask(group, "/start@GutBoneDailyBot", chat_type="group")
    telegram.migrate(group, supergroup)
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    assert len(telegram.messages_to(supergroup)) == 1
    assert store.subscriber(supergroup).active and store.subscriber(group) is None


async def test_a_restart_does_not_deliver_twice(telegram, db_path, library, clock, sleep):
    from storage import Store

    for _ in range(2):  # two lives of the bot on the same database file
        store = Store.open(db_path)
        async with running_bot(telegram, store, library, clock, sleep, PacingTime()) as bot:
            if not store.subscriber(CHAT):
                await bot.ask(CHAT, "/start")
                clock.set(EIGHT)
            await bot.delivery.sweep()
            clock.advance(minutes=20)
        store.close()
    assert len(telegram.messages_to(CHAT)) == 2  # the welcome and one daily tip


async def test_replies_stay_quick_during_a_broadcast(telegram, store, library, clock, sleep):
    rate = {"BROADCAST_RATE": "20"}  # the gateway keeps real time here: 60 sends take 3 s
    async with running_bot(telegram, store, library, clock, sleep, **rate) as bot:
        for chat_id in range(1000, 1060):
            store.subscribe(chat_id, "private", bot.delivery_schedule, clock())
        clock.set(EIGHT)
        broadcast = asyncio.create_task(bot.delivery.sweep())
        await telegram.wait_for_messages(1000)
        assert "Commands" in await bot.ask(CHAT, "/help")
        assert not broadcast.done()  # the reply did not wait for 60 sends at 20/s
        assert await broadcast == {"sent": 60}


def only_topic(store, bot, topic: str, clock) -> None:
    """Daily tips for CHAT from `topic` alone (k2: all actions, polyphenols: all insights)."""
    default = bot.delivery_schedule
    store.set_topics(CHAT, frozenset({topic}), clock(), chat_type="private", default=default)


def rows_of(message) -> list[list[str]]:
    return [[button["text"] for button in row] for row in message.reply_markup["inline_keyboard"]]


async def test_the_daily_tip_carries_its_buttons(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    only_topic(store, bot, "k2", clock)
    clock.set(EIGHT)
    await bot.delivery.sweep()
    daily = telegram.messages_to(CHAT)[-1]
    assert rows_of(daily) == [["👍", "👎", "✅ Did it"], ["🔎 Why?", "Another tip", "📚 Source"]]
    assert daily.callback_data[-1].startswith("v1:src:")


async def test_a_daily_insight_has_no_did_it(bot, telegram, store, library, clock):
    await bot.ask(CHAT, "/start")
    only_topic(store, bot, "polyphenols", clock)
    clock.set(EIGHT)
    await bot.delivery.sweep()
    daily = telegram.messages_to(CHAT)[-1]
    tip = library.tip(daily.callback_data[0].rsplit(":", 1)[1])
    assert tip.kind == "insight" and f"<b>{tip.title}</b>" in daily.text
    assert rows_of(daily) == [["👍", "👎"], ["🔎 Why?", "Another tip", "📚 Source"]]


async def test_a_daily_tip_after_todays_check_in_shows_done_today(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    only_topic(store, bot, "k2", clock)
    await bot.ask(CHAT, "/tip")
    morning = telegram.messages_to(CHAT)[-1]
    tip_id = morning.callback_data[0].rsplit(":", 1)[1]
    await press(telegram, CHAT, morning.message_id, f"v1:did:{tip_id}")
    clock.set(EIGHT)
    await bot.delivery.sweep()
    daily = telegram.messages_to(CHAT)[-1]
    assert daily.message_id != morning.message_id
    assert rows_of(daily)[0] == ["👍", "👎", "✅ Done today"]
    clock.set(EIGHT + timedelta(days=1))  # a new day: nothing checked in yet
    await bot.delivery.sweep()
    assert rows_of(telegram.messages_to(CHAT)[-1])[0] == ["👍", "👎", "✅ Did it"]


async def test_done_today_goes_by_the_chats_local_day(bot, telegram, store, clock):
    clock.set(datetime(2026, 3, 1, 20, 0, tzinfo=UTC))  # already 2 March, 10:00, in Kiritimati
    await bot.ask(CHAT, "/start")
    only_topic(store, bot, "k2", clock)
    await bot.ask(CHAT, "/timezone Pacific/Kiritimati")
    await bot.ask(CHAT, "/time 11:00")
    await bot.ask(CHAT, "/tip")
    morning = telegram.messages_to(CHAT)[-1]
    tip_id = morning.callback_data[0].rsplit(":", 1)[1]
    await press(telegram, CHAT, morning.message_id, f"v1:did:{tip_id}")
    clock.set(datetime(2026, 3, 1, 21, 0, tzinfo=UTC))  # 11:00 on 2 March there
    assert await bot.delivery.sweep() == {"sent": 1}
    assert rows_of(telegram.messages_to(CHAT)[-1])[0] == ["👍", "👎", "✅ Done today"]


async def test_a_claim_for_a_removed_tip_is_replaced_at_once(bot, telegram, store, clock):
    await bot.ask(CHAT, "/start")
    clock.set(EIGHT)
    store.mark_seen(CHAT, "fiber-removed-from-the-library", clock())
    assert store.claim_delivery(CHAT, EIGHT.date(), "fiber-removed-from-the-library", clock())
    # Resumed, but a library upgrade removed its tip: handed back, and claimed again at once
    # with a real tip (it used to fail, and wait ten minutes).
    assert await bot.delivery.sweep() == {"released": 1, "sent": 1}
    assert len(telegram.messages_to(CHAT)) == 2
