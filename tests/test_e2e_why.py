"""End to end: 🔎 Why? shows a tip's evidence; ✅ Did it only under tips to act on."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from html import escape

import pytest

from bot.commands.buttons.keyboards import Action, press_data
from tests.e2e import press

CHAT = 4242
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
WHY_ROW = ["🔎 Why?", "Another tip", "📚 Source"]


@pytest.fixture(autouse=True)
def no_errors(caplog):
    """No press ends in a logged error or a traceback."""
    yield
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def tip_message(bot, telegram, library, command="/tip k2", chat_id=CHAT):
    """Ask for a tip; return its message and the tip (read back from its buttons)."""
    await bot.ask(chat_id, command)
    message = telegram.messages_to(chat_id)[-1]
    return message, library.tip(message.callback_data[0].rsplit(":", 1)[1])


def rows(telegram, message_id, chat_id=CHAT) -> list[list[str]]:
    markup = telegram.message(chat_id, message_id).reply_markup
    return [[button["text"] for button in row] for row in markup["inline_keyboard"]]


async def test_why_adds_the_evidence_to_the_tip_in_place(bot, telegram, library):
    message, tip = await tip_message(bot, telegram, library)
    assert tip.evidence not in message.text and rows(telegram, message.message_id)[1] == WHY_ROW
    answer = await press(telegram, CHAT, message.message_id, press_data(Action.WHY, tip.id))
    assert answer["text"] is None
    [edit] = await telegram.wait_for_edits(CHAT, 1)
    assert edit.message_id == message.message_id
    assert edit.text.startswith(message.text.rsplit("\n\n", 1)[0])  # the tip as it was
    assert f"🔎 <b>Why?</b> {tip.evidence}" in edit.text
    for ref in tip.refs:
        assert library.references[ref].journal in edit.visible_text
    assert rows(telegram, message.message_id) == [
        ["👍", "👎", "✅ Did it"],
        ["Another tip", "📚 Source"],
    ]
    assert len(telegram.messages_to(CHAT)) == 1  # no new message


async def test_pressing_why_again_changes_nothing(bot, telegram, library):
    message, tip = await tip_message(bot, telegram, library)
    why = press_data(Action.WHY, tip.id)
    await press(telegram, CHAT, message.message_id, why)
    [shown] = await telegram.wait_for_edits(CHAT, 1)
    await press(telegram, CHAT, message.message_id, why)  # from a client showing old buttons
    await press(telegram, CHAT, message.message_id, press_data(Action.UP, tip.id))
    await telegram.wait_for_edits(CHAT, 2)
    assert len(telegram.edits) == 2 and len(telegram.messages_to(CHAT)) == 1
    voted = telegram.message(CHAT, message.message_id)
    assert voted.text == shown.text  # the vote kept the evidence, and brought no 🔎 back
    assert rows(telegram, message.message_id) == [
        ["👍 ✓", "👎", "✅ Did it"],
        ["Another tip", "📚 Source"],
    ]


async def test_why_replies_with_the_evidence_when_the_tip_cannot_be_edited(bot, telegram, library):
    message, tip = await tip_message(bot, telegram, library)
    telegram.fail_next(
        "editMessageText", error_code=400, description="Bad Request: message can't be edited"
    )
    await press(telegram, CHAT, message.message_id, press_data(Action.WHY, tip.id))
    [_, evidence] = await telegram.wait_for_messages(CHAT, 2)
    assert evidence.text.startswith(
        f"🔎 <b>The evidence for</b> <i>{escape(tip.title)}</i>\n\n{tip.evidence}\n\n📚 "
    )
    assert telegram.message(CHAT, message.message_id).text == message.text
    assert telegram.edits == []


async def test_why_under_the_daily_tip_and_under_another_tip(bot, telegram, store, library, clock):
    await bot.ask(CHAT, "/start")
    clock.set(EIGHT)
    assert await bot.delivery.sweep() == {"sent": 1}
    daily = telegram.messages_to(CHAT)[-1]
    tip = library.tip(daily.callback_data[0].rsplit(":", 1)[1])
    assert rows(telegram, daily.message_id)[-1] == WHY_ROW
    await press(telegram, CHAT, daily.message_id, press_data(Action.WHY, tip.id))
    [edit] = await telegram.wait_for_edits(CHAT, 1)
    assert tip.evidence in edit.text and edit.message_id == daily.message_id
    await press(telegram, CHAT, daily.message_id, press_data(Action.ANOTHER, tip.id))
    another = (await telegram.wait_for_messages(CHAT, 3))[-1]
    assert rows(telegram, another.message_id)[-1] == WHY_ROW


async def test_avoid_tips_carry_why(bot, telegram, library):
    message, tip = await tip_message(bot, telegram, library, "/avoid")
    assert tip.topic == "avoid"
    assert rows(telegram, message.message_id)[-1] == WHY_ROW


async def test_an_insight_has_no_did_it(bot, telegram, library):
    message, tip = await tip_message(bot, telegram, library, "/tip polyphenols")
    assert tip.kind == "insight"
    assert rows(telegram, message.message_id) == [["👍", "👎"], WHY_ROW]
    await press(telegram, CHAT, message.message_id, press_data(Action.DOWN, tip.id))
    await telegram.wait_for_edits(CHAT, 1)
    assert rows(telegram, message.message_id) == [["👍", "👎 ✓"], WHY_ROW]


async def test_an_action_after_todays_check_in_shows_done_today(bot, telegram, library):
    first, tip = await tip_message(bot, telegram, library)
    await press(telegram, CHAT, first.message_id, press_data(Action.DID, tip.id))
    second, _ = await tip_message(bot, telegram, library)
    assert rows(telegram, second.message_id)[0] == ["👍", "👎", "✅ Done today"]


async def test_source_command_shows_the_evidence(bot, telegram, library):
    _, tip = await tip_message(bot, telegram, library)
    sources = await bot.ask(CHAT, "/source")
    assert sources.startswith(
        f"📚 <b>Sources for</b> <i>{escape(tip.title)}</i>\n\n🔎 <b>Why?</b> "
    )
    assert tip.evidence in sources
    assert library.references[tip.refs[0]].title in sources


async def test_the_source_card_shows_the_evidence(bot, telegram, library):
    message, tip = await tip_message(bot, telegram, library, "/tip minerals")
    await press(telegram, CHAT, message.message_id, press_data(Action.SOURCE, tip.id))
    [_, card] = await telegram.wait_for_messages(CHAT, 2)
    assert tip.evidence in card.text and library.references[tip.refs[0]].title in card.text
