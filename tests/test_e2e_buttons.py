"""End to end: the buttons under a tip, pressed through the emulator, across a restart."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.commands.buttons.keyboards import Action, press_data
from bot.commands.texts import (
    render_button_retired,
    render_checked_in,
    render_stale_button,
    render_tip_retired,
    render_vote_noted,
)
from habits.streaks import Streak
from tests.e2e import running_bot

CHAT = 4242
OTHER = 777
MONDAY, UTC_DAY_AFTER = date(2026, 3, 2), date(2026, 3, 3)
NO_STREAK = Streak(0, 0, today=False)


@pytest.fixture(autouse=True)
def no_errors(caplog):
    """No press, however bad, ends in a logged error or a traceback."""
    yield
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def tip_message(bot, telegram, chat_id=CHAT, command="/tip k2", **kwargs):
    """Ask for a tip; return the message and its tip id (read back from its buttons)."""
    await bot.ask(chat_id, command, **kwargs)
    message = telegram.messages_to(chat_id)[-1]
    return message, message.callback_data[0].rsplit(":", 1)[1]


async def press(telegram, chat_id, message_id, data, **kwargs) -> str | None:
    """Press a button; return the text the bot answered the press with."""
    before = len([name for name, _ in telegram.calls if name == "answerCallbackQuery"])
    telegram.user_presses(chat_id, message_id, data, **kwargs)
    answers = await telegram.wait_for_calls("answerCallbackQuery", before + 1)
    return answers[before].get("text")


def button_texts(telegram, chat_id, message_id) -> list[str]:
    markup = telegram.message(chat_id, message_id).reply_markup
    return [button["text"] for row in markup["inline_keyboard"] for button in row]


async def test_votes_show_as_chosen_and_can_be_changed(bot, telegram, store):
    message, tip_id = await tip_message(bot, telegram)
    up, down = press_data(Action.UP, tip_id), press_data(Action.DOWN, tip_id)
    assert await press(telegram, CHAT, message.message_id, up) == render_vote_noted(1, None)
    await telegram.wait_for_edits(CHAT, 1)
    assert button_texts(telegram, CHAT, message.message_id)[:2] == ["👍 ✓", "👎"]
    assert await press(telegram, CHAT, message.message_id, down) == render_vote_noted(-1, 1)
    await telegram.wait_for_edits(CHAT, 2)
    assert button_texts(telegram, CHAT, message.message_id)[:2] == ["👍", "👎 ✓"]
    assert await press(telegram, CHAT, message.message_id, down) == render_vote_noted(-1, -1)
    assert store.vote_of(CHAT, tip_id) == -1
    assert store.feedback_counts()[tip_id].down == 1
    assert len(telegram.edits) == 2  # the same vote again: nothing to edit
    assert len(telegram.messages_to(CHAT)) == 1  # votes never send a new message


async def test_did_it_checks_in_once_a_day_and_counts_in_streak(bot, telegram, store, clock):
    message, tip_id = await tip_message(bot, telegram)
    did = press_data(Action.DID, tip_id)
    assert await press(telegram, CHAT, message.message_id, did) == render_checked_in(True)
    await telegram.wait_for_edits(CHAT, 1)
    assert "✅ Done today" in button_texts(telegram, CHAT, message.message_id)
    assert await press(telegram, CHAT, message.message_id, did) == render_checked_in(False)
    assert store.streak_of(CHAT, clock().date()) == Streak(1, 1, today=True)
    assert "Current streak: 1 day" in await bot.ask(CHAT, "/streak")
    clock.advance(days=1)
    later, later_id = await tip_message(bot, telegram)
    assert "✅ Did it" in button_texts(telegram, CHAT, later.message_id)  # a new day
    await press(telegram, CHAT, later.message_id, press_data(Action.DID, later_id))
    assert "Current streak: 2 days" in await bot.ask(CHAT, "/streak")


async def test_check_ins_use_the_subscribers_local_day(bot, telegram, store, clock):
    await bot.ask(CHAT, "/timezone Pacific/Kiritimati")  # UTC+14: 06:00 UTC is 20:00 there
    message, tip_id = await tip_message(bot, telegram)
    await press(telegram, CHAT, message.message_id, press_data(Action.DID, tip_id))
    assert store.checked_in(CHAT, MONDAY) and not store.checked_in(CHAT, UTC_DAY_AFTER)
    clock.advance(hours=4)  # 00:00 next day in Kiritimati, still 2 March in UTC
    await press(telegram, CHAT, message.message_id, press_data(Action.DID, tip_id))
    assert store.checked_in(CHAT, UTC_DAY_AFTER)
    assert store.streak_of(CHAT, UTC_DAY_AFTER) == Streak(2, 2, today=True)


async def test_another_tip_sends_the_next_one_as_a_new_message(bot, telegram, store, library):
    message, tip_id = await tip_message(bot, telegram)
    assert (
        await press(telegram, CHAT, message.message_id, press_data(Action.ANOTHER, tip_id)) is None
    )
    first, second = await telegram.wait_for_messages(CHAT, 2)
    second_id = second.callback_data[0].rsplit(":", 1)[1]
    assert second_id != tip_id and library.tip(second_id).title in second.text
    assert store.last_seen_tip(CHAT) == second_id  # the rotation of /tip
    assert first.text == telegram.message(CHAT, message.message_id).text  # left as it was


async def test_source_sends_the_pressed_tips_references(bot, telegram, library):
    message, tip_id = await tip_message(bot, telegram)
    await bot.ask(CHAT, "/tip fiber")  # the last tip is now another one
    await press(telegram, CHAT, message.message_id, press_data(Action.SOURCE, tip_id))
    [*_, sources] = await telegram.wait_for_messages(CHAT, 3)
    assert library.references[library.tip(tip_id).refs[0]].title in sources.text


async def test_buttons_still_work_after_a_restart(telegram, store, library, clock, sleep, pacing):
    async with running_bot(telegram, store, library, clock, sleep, pacing) as first:
        message, tip_id = await tip_message(first, telegram)
        old = await first.app.bot.send_message(  # a tip sent before the buttons had versions
            CHAT,
            "An old tip",
            reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("📚 Source", callback_data=f"source:{tip_id}")]]
            ),
        )
    async with running_bot(telegram, store, library, clock, sleep, pacing):
        up = press_data(Action.UP, tip_id)
        assert await press(telegram, CHAT, message.message_id, up) == render_vote_noted(1, None)
        assert store.vote_of(CHAT, tip_id) == 1
        await press(telegram, CHAT, old.message_id, f"source:{tip_id}")
        [*_, sources] = await telegram.wait_for_messages(CHAT, 3)
        assert "Sources for" in sources.text


@pytest.mark.parametrize(
    "data",
    [
        "v9:fb:+:{tip}",  # a version this one does not know
        "v1:zap:{tip}",  # an unknown action
        "v1:fb:+:{tip}" + "-x" * 30,  # over 64 bytes
        "v1:fb:+:NOT A TIP",
        "hello",
    ],
)
async def test_malformed_presses_are_answered_and_change_nothing(bot, telegram, store, data):
    message, tip_id = await tip_message(bot, telegram)
    answer = await press(telegram, CHAT, message.message_id, data.format(tip=tip_id))
    assert answer == render_stale_button()
    assert store.feedback_counts() == {} and store.streak_of(CHAT, MONDAY) == NO_STREAK
    assert len(telegram.messages_to(CHAT)) == 1 and telegram.edits == []


async def test_a_press_for_a_tip_not_on_the_message_is_refused(bot, telegram, store, library):
    message, tip_id = await tip_message(bot, telegram)
    other = next(tip.id for tip in library.tips if tip.id != tip_id)
    answer = await press(telegram, CHAT, message.message_id, press_data(Action.UP, other))
    assert answer == render_stale_button()
    assert store.feedback_counts() == {}


async def test_a_press_on_another_chats_message_is_refused(bot, telegram, store):
    message, tip_id = await tip_message(bot, telegram)
    await bot.ask(OTHER, "/help")
    # chat OTHER never got this message id with these buttons: Telegram would not show it
    answer = await press(telegram, OTHER, message.message_id, press_data(Action.DID, tip_id))
    assert answer == render_stale_button()
    assert store.streak_of(OTHER, MONDAY) == store.streak_of(CHAT, MONDAY) == NO_STREAK


async def test_a_retired_tip_is_answered_kindly(bot, telegram, store):
    message, _ = await tip_message(bot, telegram)
    retired = "k2-retired-long-ago"
    assert await press(telegram, CHAT, message.message_id, press_data(Action.UP, retired)) == (
        render_button_retired()
    )
    source = press_data(Action.SOURCE, retired)
    assert await press(telegram, CHAT, message.message_id, source) == render_tip_retired()
    assert store.feedback_counts() == {}


async def test_in_a_group_any_member_votes_for_the_group(bot, telegram, store):
    group = -100500
    kwargs = {"chat_type": "supergroup"}
    message, tip_id = await tip_message(bot, telegram, group, "/tip@GutBoneDailyBot k2", **kwargs)
    up = press_data(Action.UP, tip_id)
    assert await press(telegram, group, message.message_id, up, user_id=31) == (
        render_vote_noted(1, None)
    )
    down = press_data(Action.DOWN, tip_id)
    assert await press(telegram, group, message.message_id, down, user_id=32) == (
        render_vote_noted(-1, 1)
    )
    assert store.vote_of(group, tip_id) == -1 and store.feedback_counts()[tip_id].up == 0
