"""End to end: /timezone with abbreviations, countries and junk; the region pages, most-used
places first, the rest behind "More ›"; a country's or an abbreviation's zones to tap."""

from __future__ import annotations

import pytest

from bot.commands.texts import render_picker_gone, render_stale_button
from tests.e2e import buttons, press

CHAT = 7171


async def tap(telegram, message, label, edits_before):
    """Press the button labelled `label` under `message`; the message as the press left it."""
    data = buttons(telegram.message(CHAT, message.message_id))[label]
    assert (await press(telegram, CHAT, message.message_id, data))["text"] is None
    await telegram.wait_for_edits(CHAT, edits_before + 1)
    return telegram.message(CHAT, message.message_id)


def zone_of(store) -> str:
    return store.subscriber(CHAT).schedule.timezone.key


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("EST", "America/New_York"),  # tzdata's EST is America/Panama: no daylight saving
        ("pst", "America/Los_Angeles"),
        ("CET", "Europe/Paris"),
        ("germany", "Europe/Berlin"),
        ("japan", "Asia/Tokyo"),
    ],
)
async def test_an_abbreviation_or_a_country_with_one_clock_is_saved_at_once(
    bot, telegram, store, typed, stored
):
    await bot.ask(CHAT, "/start")
    assert f"({stored})" in await bot.ask(CHAT, f"/timezone {typed}")
    assert zone_of(store) == stored
    assert telegram.messages_to(CHAT)[-1].reply_markup is None


async def test_cst_asks_with_buttons_and_a_press_saves(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    asked = await bot.ask(CHAT, "/timezone CST")
    assert '"CST" can mean more than one timezone' in asked
    question = telegram.messages_to(CHAT)[-1]
    assert list(buttons(question)) == [
        "Central Time — Chicago",
        "China Time — Shanghai",
        "Cuba Time — Havana",
        "« Regions",
    ]
    assert zone_of(store) == "UTC"  # nothing saved until a press
    shown = await tap(telegram, question, "China Time — Shanghai", 0)
    assert zone_of(store) == "Asia/Shanghai"
    assert shown.text.startswith("👍 Saved.") and shown.reply_markup is None
    assert len(telegram.messages_to(CHAT)) == 2  # the welcome, and the question edited in place


async def test_a_country_of_several_clocks_asks_most_used_first_and_more_shows_the_rest(
    bot, telegram, store
):
    await bot.ask(CHAT, "/start")
    asked = await bot.ask(CHAT, "/timezone united states")
    assert "<b>United States</b> has more than one timezone" in asked
    question = telegram.messages_to(CHAT)[-1]
    labels = list(buttons(question))
    assert labels[:4] == [
        "Eastern Time — New York",
        "Central Time — Chicago",
        "Pacific Time — Los Angeles",
        "Mountain Time — Denver",
    ]
    assert labels[-1] == "More ›" and "Eastern Time — Indianapolis" not in labels
    shown = await tap(telegram, question, "More ›", 0)
    assert "<b>United States</b>, page 2 of" in shown.text
    assert "Eastern Time — Indianapolis" in buttons(shown)
    await tap(telegram, question, "Mountain Time — Boise", 1)
    assert zone_of(store) == "America/Boise"


async def test_junk_gets_one_friendly_line_with_examples_and_changes_nothing(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone Asia/Tokyo")
    answer = await bot.ask(CHAT, "/timezone blorptown 42")
    assert "\n" not in answer and '"blorptown 42"' in answer
    assert "<code>/timezone Japan</code>" in answer and "<code>/timezone EST</code>" in answer
    assert zone_of(store) == "Asia/Tokyo"


async def test_americas_first_page_shows_new_york_and_more_shows_the_rest(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone")
    picker = telegram.messages_to(CHAT)[-1]
    assert {"Atlantic Ocean", "Indian Ocean"} <= set(buttons(picker))
    shown = await tap(telegram, picker, "America", 0)
    first = list(buttons(shown))
    assert first[:3] == ["New York", "Chicago", "Los Angeles"] and "Denver" in first[:6]
    assert "Vevay, Indiana" not in first and first[-1] == "More ›"
    shown = await tap(telegram, picker, "More ›", 1)
    rest = list(buttons(shown))
    assert "New York" not in rest and "Adak" in rest and "Next ›" in rest
    assert "page 2 of" in shown.text and "most-used" not in shown.text
    await tap(telegram, picker, "Adak", 2)
    assert zone_of(store) == "America/Adak"


async def test_stale_and_garbled_country_pages_are_answered_kindly(bot, telegram, store):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone usa")
    question = telegram.messages_to(CHAT)[-1]
    expected = {
        "v1:tzc:US:99": render_picker_gone(),
        "v1:tzc:XX:0": render_picker_gone(),
        "v1:tzc:us:0": render_stale_button(),
        "v1:tzc:US": render_stale_button(),
        "v1:tzc:" + "U" * 70: render_stale_button(),
    }
    for data, text in expected.items():
        assert (await press(telegram, CHAT, question.message_id, data))["text"] == text
    assert telegram.edits == []
    assert zone_of(store) == "UTC"
