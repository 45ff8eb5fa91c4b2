"""The emulator's terminal chat: what a person types reaches the bot, what the bot sends reads
well. Driven through the emulator's API without HTTP, as the bot's calls would arrive."""

from __future__ import annotations

import json

import pytest

from emulator import BotAPI, SentMessage
from emulator.chat import TerminalChat, is_press, readable

CHAT = 1
KEYBOARD = {
    "inline_keyboard": [
        [{"text": "📚 Source", "callback_data": "source:a"}],
        [{"text": "👍", "callback_data": "vote:up"}, {"text": "Site", "url": "https://x.org"}],
    ]
}


def html(text: str) -> SentMessage:
    return SentMessage(CHAT, 1, text, "HTML", None, 0.0)


async def bot_sends(telegram: BotAPI, text: str, markup: dict | None = None) -> int:
    params = {"chat_id": CHAT, "text": text, "parse_mode": "HTML"}
    if markup:
        params["reply_markup"] = json.dumps(markup)
    status, body = await telegram.call("sendMessage", params)
    assert status == 200, body
    return body["result"]["message_id"]


@pytest.fixture
def shown() -> list[str]:
    return []


@pytest.fixture
def telegram() -> BotAPI:
    telegram = BotAPI()
    telegram.user_sends(CHAT, "hello")  # the chat exists, as once a person wrote
    return telegram


def test_links_are_followed_by_their_address_after_wide_characters():
    message = html('🦴 <b>Bones</b>: see <a href="https://doi.org/10.1/x">Ke 2023</a>, then /tip')
    assert readable(message) == "🦴 Bones: see Ke 2023 (https://doi.org/10.1/x), then /tip"


def test_a_link_showing_its_own_address_is_not_repeated():
    assert readable(html('<a href="https://x.org">https://x.org</a>')) == "https://x.org"


def test_bold_and_italic_are_styles_on_a_terminal_and_plain_elsewhere():
    message = html("🦴 <b>Bold</b> and <i>italic</i>")
    assert readable(message) == "🦴 Bold and italic"
    assert readable(message, styled=True) == ("🦴 \x1b[1mBold\x1b[22m and \x1b[3mitalic\x1b[23m")


def test_text_without_html_or_with_broken_html_is_shown_as_written():
    assert readable(SentMessage(CHAT, 1, "a <b> b", None, None, 0.0)) == "a <b> b"
    assert readable(html("a <b> b")) == "a <b> b"


async def test_buttons_are_numbered_and_pressed_by_number(telegram, shown):
    chat = TerminalChat(telegram, CHAT, shown.append)
    message_id = await bot_sends(telegram, "A <b>tip</b>", KEYBOARD)
    chat.show_new()
    assert shown == ["bot › A tip\n      [1] 📚 Source   [2] 👍"]  # a URL button is no press
    chat.act(":2")
    press = telegram.pending_updates[-1]["callback_query"]
    assert (press["data"], press["message"]["message_id"]) == ("vote:up", message_id)


async def test_a_number_beyond_the_buttons_or_before_any_is_refused(telegram, shown):
    chat = TerminalChat(telegram, CHAT, shown.append)
    with pytest.raises(LookupError, match="no message with buttons yet"):
        chat.act(":1")
    await bot_sends(telegram, "A tip", KEYBOARD)
    chat.show_new()
    with pytest.raises(LookupError, match="no button 3: the latest message with buttons has 2"):
        chat.act(":3")


async def test_press_by_message_id_and_data(telegram, shown):
    chat = TerminalChat(telegram, CHAT, shown.append, show_ids=True)
    message_id = await bot_sends(telegram, "A tip", KEYBOARD)
    chat.show_new()
    assert shown[0].startswith(f"bot #{message_id} › A tip")
    chat.act(f":press {message_id} source:a")
    assert telegram.pending_updates[-1]["callback_query"]["data"] == "source:a"
    with pytest.raises(ValueError, match="usage: :press MESSAGE_ID DATA"):
        chat.act(":press source:a")


async def test_typed_lines_reach_the_bot_and_blank_ones_do_not(telegram, shown):
    chat = TerminalChat(telegram, CHAT, shown.append)
    before = len(telegram.pending_updates)
    chat.act("/tip fiber")
    chat.act("   ")
    assert [u["message"]["text"] for u in telegram.pending_updates[before:]] == ["/tip fiber"]
    assert not is_press("/tip") and not is_press(":tomorrow")
    assert is_press(":1") and is_press(":press 4 source:a")


async def test_a_buttons_pop_up_answer_is_shown_and_counts_as_an_answer(telegram, shown):
    chat = TerminalChat(telegram, CHAT, shown.append)
    await bot_sends(telegram, "A tip", KEYBOARD)
    chat.show_new()
    chat.act(":1")
    since = chat.mark()
    query_id = telegram.pending_updates[-1]["callback_query"]["id"]
    await telegram.call("answerCallbackQuery", {"callback_query_id": query_id, "text": "Old"})
    assert await chat.wait_for_answer(since, timeout=1)
    chat.show_new()
    assert shown[-1] == "bot (pop-up) › Old"


async def test_messages_to_other_chats_are_not_shown(telegram, shown):
    chat = TerminalChat(telegram, CHAT, shown.append)
    telegram.user_sends(2, "hi")
    await telegram.call("sendMessage", {"chat_id": 2, "text": "not for you"})
    assert chat.show_new() == 0
    assert shown == []


async def test_long_lines_wrap_under_the_first_keeping_addresses_whole(telegram, shown):
    chat = TerminalChat(telegram, CHAT, shown.append, width=30)
    url = "https://doi.org/10.1016/j.advnut.2023.03.008"
    await bot_sends(telegram, f'Title\n\nword word word word word <a href="{url}">doi</a>')
    chat.show_new()
    assert shown[0].split("\n") == [
        "bot › Title",
        "",
        "      word word word word word",
        "      doi",
        f"      ({url})",
    ]


async def test_a_file_is_shown_by_name_and_size_and_counts_as_an_answer(telegram, shown):
    chat = TerminalChat(telegram, CHAT, shown.append)
    since = chat.mark()
    document = {"filename": "data.json", "content_type": "application/json", "content": b"{}"}
    params = {"chat_id": CHAT, "document": document, "caption": "<b>Your</b> data"}
    await telegram.call("sendDocument", params)
    assert await chat.wait_for_answer(since, timeout=1)
    assert chat.show_new() == 1
    assert shown == ["bot › 📎 data.json (2 bytes)\n      Your data"]
