"""End to end: tips that learn from taps. A 👎 under a tip takes it out of the chat's daily
tips and /tip for good, until a 👍 brings it back; the rest of its topic still comes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands.buttons.keyboards import Action, press_data
from bot.commands.texts import render_vote_noted
from tests.e2e import press

CHAT = 6161
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # the default 08:00 UTC; the clock: 06:00
DAYS = 45  # over two whole cycles of the test library's 20 tips


def tip_of(message) -> str:
    """The tip id a tip message's buttons carry."""
    return message.callback_data[0].rsplit(":", 1)[1]


async def tip_message(bot, telegram, command: str):
    await bot.ask(CHAT, command)
    return telegram.messages_to(CHAT)[-1]


async def daily_tips(bot, telegram, clock, days: range) -> list[str]:
    """Sweep at 08:00 UTC on each of `days` (after EIGHT); the tip each delivered."""
    got = []
    for day in days:
        clock.set(EIGHT + timedelta(days=day))
        assert await bot.delivery.sweep() == {"sent": 1}
        got.append(tip_of(telegram.messages_to(CHAT)[-1]))
    return got


async def test_a_down_voted_daily_tip_never_arrives_again(bot, telegram, store, clock, library):
    await bot.ask(CHAT, "/start")
    [first] = await daily_tips(bot, telegram, clock, range(1))
    message = telegram.messages_to(CHAT)[-1]
    answer = await press(telegram, CHAT, message.message_id, press_data(Action.DOWN, first))
    assert answer["text"] == render_vote_noted(-1, None)
    later = await daily_tips(bot, telegram, clock, range(1, DAYS + 1))
    assert first not in later
    topic = library.tip(first).topic
    others = {tip.id for tip in library.tips if tip.topic == topic} - {first}
    assert others <= set(later)  # the rest of its topic still comes
    assert {library.tip(tip_id).topic for tip_id in later} == {t.topic for t in library.tips}


async def test_tip_leaves_a_down_voted_tip_out_until_a_thumbs_up(bot, telegram, library):
    await bot.ask(CHAT, "/tip k2")
    message = telegram.messages_to(CHAT)[-1]
    disliked = tip_of(message)
    await press(telegram, CHAT, message.message_id, press_data(Action.DOWN, disliked))
    k2 = {tip.id for tip in library.tips if tip.topic == "k2"}
    asked = [tip_of(await tip_message(bot, telegram, "/tip k2")) for _ in range(3 * len(k2))]
    assert disliked not in asked and set(asked) == k2 - {disliked}
    daily = [tip_of(await tip_message(bot, telegram, "/tip")) for _ in range(len(library.tips))]
    assert disliked not in daily  # the chat's own topics: the same rule
    await press(telegram, CHAT, message.message_id, press_data(Action.UP, disliked))
    again = [tip_of(await tip_message(bot, telegram, "/tip k2")) for _ in range(len(k2))]
    assert disliked in again  # a 👍 brings it back into the rotation


async def test_thumbs_up_on_a_topic_brings_it_more_often(bot, telegram, clock, library):
    """Two chats read the same three k2 tips; one gives each a 👍 (k2 then weighs 1.75 for
    it). Over the same 60 days its daily tips hold more k2, and every topic still comes."""
    fan, reader = CHAT, CHAT + 1
    for chat_id in (fan, reader):
        await bot.ask(chat_id, "/start")
        for _ in range(3):
            await bot.ask(chat_id, "/tip k2")
            message = telegram.messages_to(chat_id)[-1]
            if chat_id == fan:
                await press(
                    telegram, fan, message.message_id, press_data(Action.UP, tip_of(message))
                )
    got: dict[int, list[str]] = {fan: [], reader: []}
    for day in range(60):
        clock.set(EIGHT + timedelta(days=day))
        assert await bot.delivery.sweep() == {"sent": 2}
        for chat_id in got:
            got[chat_id].append(tip_of(telegram.messages_to(chat_id)[-1]))
    k2 = {chat_id: sum(library.tip(t).topic == "k2" for t in tips) for chat_id, tips in got.items()}
    assert k2[fan] > k2[reader]
    for tips in got.values():
        assert {library.tip(tip_id).topic for tip_id in tips} == {t.topic for t in library.tips}
