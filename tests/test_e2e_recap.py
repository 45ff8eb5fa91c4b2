"""End to end: Sunday's daily tip is followed by a picture of the week (PNG, sendPhoto), once
a week, only for a week with something in it, never for a chat that turned it off, and a
picture that fails is one log line while the tip stays recorded once."""

from __future__ import annotations

import io
import logging
from datetime import UTC, date, datetime, timedelta

from PIL import Image

from bot.commands.texts.picture import HEIGHT, WIDTH
from bot.service.context import services_of
from scheduler.records import DeliveryStatus
from storage import Store
from tests.conftest import PacingTime
from tests.e2e import buttons, press, running_bot

CHAT = 4242
MONDAY = date(2026, 3, 2)  # the clock fixture starts on Monday 2 March 2026, 06:00 UTC
SATURDAY, SUNDAY = date(2026, 3, 7), date(2026, 3, 8)
DAY = timedelta(days=1)


def at_eight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


async def tip_on(bot, clock, day: date) -> None:
    """Sweep at 08:00 UTC on `day` (a daily tip goes out), then let its recap, if any, end."""
    clock.set(at_eight(day))
    assert await bot.delivery.sweep() == {"sent": 1}
    await services_of(bot.app).recaps.settled()


def photo_calls(telegram) -> list[dict]:
    return [params for name, params in telegram.calls if name == "sendPhoto"]


async def a_full_week(bot, telegram, store, clock) -> None:
    """Subscribed on Monday, 👍 on Monday's tip, check-ins Monday to Thursday and Saturday
    (Friday is a frozen day: the streak holds), two plants."""
    await bot.ask(CHAT, "/start")
    await tip_on(bot, clock, MONDAY)
    tip = telegram.messages_to(CHAT)[-1]
    await press(telegram, CHAT, tip.message_id, buttons(tip)["👍"])
    for n in (0, 1, 2, 3, 5):
        store.check_in(CHAT, MONDAY + n * DAY)
    assert "2/30" in await bot.ask(CHAT, "/plants oats, kale")


async def test_sundays_tip_is_followed_by_a_picture_of_the_week(bot, telegram, store, clock):
    await a_full_week(bot, telegram, store, clock)
    liked = bot.app.bot_data.services.library.tip(store.last_seen_tip(CHAT))
    await tip_on(bot, clock, SATURDAY)
    assert telegram.photos == []  # Saturday's tip comes alone
    await tip_on(bot, clock, SUNDAY)
    [photo] = telegram.photos
    sundays_tip = telegram.messages_to(CHAT)[-1]
    assert photo.chat_id == CHAT and photo.message_id == sundays_tip.message_id + 1
    picture = Image.open(io.BytesIO(photo.content))
    assert (picture.format, picture.size) == ("PNG", (WIDTH, HEIGHT))
    assert photo.size <= 30 * 1024
    assert photo.caption == (
        f"🗓 Your week: ✅ 5/7 days · 🔥 streak 5 · 🌱 2/30 plants · 👍 {liked.title}"
    )
    assert "\n" not in photo.caption
    assert store.recap_state(CHAT).recapped == MONDAY


async def test_an_empty_week_brings_no_picture(bot, telegram, clock):
    await bot.ask(CHAT, "/start")
    await tip_on(bot, clock, SUNDAY)
    assert photo_calls(telegram) == []


async def test_a_chat_that_turned_it_off_gets_no_picture(bot, telegram, store, clock):
    await a_full_week(bot, telegram, store, clock)
    await bot.ask(CHAT, "/settings")
    settings = telegram.messages_to(CHAT)[-1]
    switch = buttons(settings)["🖼 Sunday picture: on ✅"]
    edits = len([edit for edit in telegram.edits if edit.chat_id == CHAT])
    answer = await press(telegram, CHAT, settings.message_id, switch)
    assert answer["text"] == "Off: no weekly picture on Sundays."
    await telegram.wait_for_edits(CHAT, edits + 1)
    assert "🖼 Sunday picture: off" in buttons(telegram.message(CHAT, settings.message_id))
    assert store.recap_state(CHAT).wanted is False
    await tip_on(bot, clock, SUNDAY)
    assert photo_calls(telegram) == []


async def test_the_switch_turns_it_back_on_and_needs_a_subscription(bot, telegram, store):
    await bot.ask(CHAT, "/settings")  # not subscribed: no switch to show
    assert not any("Sunday picture" in label for label in buttons(telegram.messages_to(CHAT)[-1]))
    await bot.ask(CHAT, "/start")
    store.set_weekly_recap(CHAT, False, datetime(2026, 3, 2, tzinfo=UTC))
    await bot.ask(CHAT, "/settings")
    settings = telegram.messages_to(CHAT)[-1]
    answer = await press(telegram, CHAT, settings.message_id, "v1:recap:on")
    assert answer["text"] == "On: a picture of your week comes with Sunday's tip."
    assert store.recap_state(CHAT).wanted is True
    stale = await press(telegram, CHAT, settings.message_id, "v1:recap:maybe")
    assert stale["text"] == "This button no longer works. Try /tip or /help."


async def test_a_restart_after_sundays_picture_sends_none_again(
    telegram, db_path, library, clock, sleep
):
    for life in range(2):  # two lives of the bot on the same database file
        store = Store.open(db_path)
        async with running_bot(telegram, store, library, clock, sleep, PacingTime()) as bot:
            recaps = services_of(bot.app).recaps
            if life == 0:
                await a_full_week(bot, telegram, store, clock)
                await tip_on(bot, clock, SUNDAY)
            else:
                clock.set(at_eight(SUNDAY) + timedelta(hours=2))
                assert await bot.delivery.sweep() == {}
                recaps.after_tip(CHAT, SUNDAY)  # as a tip recorded late would tell it
                await recaps.settled()
        store.close()
    assert len(photo_calls(telegram)) == 1


async def test_a_picture_that_fails_is_one_log_line_and_the_tip_stays_sent_once(
    bot, telegram, store, clock, caplog
):
    await a_full_week(bot, telegram, store, clock)
    telegram.fail_next("sendPhoto", error_code=502, description="Bad Gateway", chat_id=CHAT)
    caplog.set_level(logging.INFO)
    caplog.clear()
    await tip_on(bot, clock, SUNDAY)
    assert len(photo_calls(telegram)) == 1 and telegram.photos == []  # tried once, refused
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert lines == [f"Weekly recap for chat {CHAT} not sent (NetworkError: Bad Gateway)"]
    assert store.delivery_status(CHAT, SUNDAY) is DeliveryStatus.SENT
    clock.set(at_eight(SUNDAY) + timedelta(hours=3))
    assert await bot.delivery.sweep() == {}
    daily = [m for m in telegram.messages_to(CHAT) if "👍" in str(m.reply_markup)]
    assert len(daily) == 2  # Monday's and Sunday's: Sunday's once
