"""No press can raise: random callback data, read by the parsers and pressed through the real
bot, is always answered and never ends in a traceback.

The payloads mix any text with the shapes the bot's own buttons use (`v1:del:yes:…`,
`v1:tz:…`, `v1:fb:+:…`) followed by any number or text, so the parsers' bounds are tried
where they matter: past the prefix a parser accepts.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.commands.buttons.keyboards import parse_press as parse_tip_press
from bot.commands.buttons.settings_buttons import (
    ConfirmDelete,
    CountryPage,
    PickTime,
    RegionPage,
    RemoveChannel,
)
from bot.commands.buttons.settings_buttons import parse_press as parse_settings_press
from bot.commands.texts import render_stale_button
from tests.e2e import press

CHAT = 4242
PREFIXES = [
    *("v1:topic:", "v1:pause:", "v1:resume", "v1:resume:", "v1:set:", "v1:del:", "v1:del:yes:"),
    *("v1:del:no", "v1:tzr", "v1:tzr:", "v1:tzr:Europe:", "v1:tz:", "v1:at:", "v1:chan:rm:"),
    *("v1:tzc:", "v1:tzc:US:", "v1:chan:rm:-100", "v1:fb:+:", "v1:fb:-:", "v1:did:"),
    *("v1:more:", "v1:src:", "source:"),
    *("v1:", "v2:", ""),
]
NUMBERS = st.one_of(st.integers(-(10**30), 10**30), st.integers(0, 10**13)).map(str)
WORDS = st.from_regex(r"[A-Za-z0-9_/+:.-]{0,48}", fullmatch=True)
PAYLOADS = st.one_of(
    st.text(max_size=80),
    st.tuples(st.sampled_from(PREFIXES), NUMBERS).map("".join),
    st.tuples(st.sampled_from(PREFIXES), st.one_of(NUMBERS, WORDS, st.text(max_size=40))).map(
        "".join
    ),
)


@given(PAYLOADS)
@settings(max_examples=1000, deadline=None)
def test_the_parsers_never_raise_and_keep_every_value_in_bounds(data):
    tip_press = parse_tip_press(data)
    assert tip_press is None or len(tip_press.tip_id) <= 48
    pressed = parse_settings_press(data)
    match pressed:
        case ConfirmDelete(issued):
            assert datetime.fromtimestamp(issued, UTC).year < 2300  # no "year is out of range"
        case RemoveChannel(channel_id):
            assert -(2**53) < channel_id < 0
        case RegionPage(_, page) | CountryPage(_, page):
            assert 0 <= page < 100
        case PickTime(at):
            assert at.tzinfo is None


@given(data=PAYLOADS)
@example(data="v1:del:yes:999999999999")  # once "year 33658 is out of range"
@example(data="v1:chan:rm:-1009999999999999")
@example(data="v1:tzr:Europe:99")
@example(data="v1:tzc:US:99")
@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],  # one bot for every press
)
async def test_every_random_press_on_a_real_message_is_answered_without_an_error(
    bot, telegram, caplog, data
):
    """A message with buttons (a tip), so presses reach past the "no such message" check."""
    if not telegram.messages_to(CHAT):
        await bot.ask(CHAT, "/start")
        await bot.ask(CHAT, "/tip")
    message = telegram.messages_to(CHAT)[-1]
    caplog.set_level(logging.WARNING)
    caplog.clear()
    answer = await press(telegram, CHAT, message.message_id, data)
    assert answer["callback_query_id"]
    problems = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert problems == [], [r.getMessage() for r in problems]


async def test_the_forged_delete_confirmation_from_the_issue_is_answered(bot, telegram, caplog):
    await bot.ask(CHAT, "/delete_me")
    message = telegram.messages_to(CHAT)[-1]
    answer = await press(telegram, CHAT, message.message_id, "v1:del:yes:999999999999")
    assert answer["text"] == render_stale_button()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
