"""The emulator's reply keyboards and locations: a `request_location` button only in private
chats, as Telegram allows; ReplyKeyboardRemove; a user tapping a button or sharing a place,
in process and through the control endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove
from telegram.error import BadRequest

from emulator import BotAPIEmulator

CHAT, GROUP = 4242, -1001234000077
LOCATION = ReplyKeyboardMarkup([[KeyboardButton("📍 Where", request_location=True)]])


@pytest.fixture
async def telegram() -> AsyncIterator[BotAPIEmulator]:
    async with BotAPIEmulator(control=True) as emulator:
        yield emulator


async def test_a_location_keyboard_is_shown_in_a_private_chat_until_removed(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    assert telegram.reply_keyboard(CHAT) is None
    sent = await client.send_message(CHAT, "Where are you?", reply_markup=LOCATION)
    assert sent.reply_markup is None  # Telegram returns inline keyboards only
    assert telegram.reply_keyboard(CHAT) == [{"text": "📍 Where", "request_location": True}]
    await client.send_message(CHAT, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert telegram.reply_keyboard(CHAT) is None


async def test_a_location_button_is_refused_in_groups(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)location can be requested in a private chats only"):
        await client.send_message(GROUP, "Where are you?", reply_markup=LOCATION)
    assert telegram.sent == [] and telegram.reply_keyboard(GROUP) is None
    plain = ReplyKeyboardMarkup([["Yes", "No"]])
    await client.send_message(GROUP, "Well?", reply_markup=plain)
    assert [b["text"] for b in telegram.reply_keyboard(GROUP) or []] == ["Yes", "No"]


async def test_bad_reply_keyboards_are_refused(client: Bot) -> None:
    for markup in (
        '{"keyboard": "x"}',
        '{"keyboard": [[{"text": " "}]]}',
        '{"remove_keyboard": 1}',
    ):
        with pytest.raises(BadRequest):
            await client.send_message(CHAT, "Hi", reply_markup=markup)  # type: ignore[arg-type]


async def test_tapping_the_location_button_shares_a_place(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    with pytest.raises(LookupError):
        telegram.user_taps_keyboard_button(CHAT, "📍 Where", location=(1.0, 2.0))
    await client.send_message(CHAT, "Where are you?", reply_markup=LOCATION)
    with pytest.raises(ValueError):
        telegram.user_taps_keyboard_button(CHAT, "📍 Where")  # the user must say where
    telegram.user_taps_keyboard_button(CHAT, "📍 Where", location=(40.7128, -74.006))
    [update] = await client.get_updates()
    assert update.message is not None and update.message.location is not None
    assert (update.message.location.latitude, update.message.location.longitude) == (
        40.7128,
        -74.006,
    )
    assert update.message.chat.type == "private" and update.message.from_user.id == CHAT


async def test_a_plain_keyboard_button_sends_its_text(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    await client.send_message(CHAT, "Well?", reply_markup=ReplyKeyboardMarkup([["Yes", "No"]]))
    telegram.user_taps_keyboard_button(CHAT, "No")
    [update] = await client.get_updates()
    assert update.message is not None and update.message.text == "No"


async def test_locations_come_through_the_control_endpoints(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    url = telegram.base_url.removesuffix("/bot") + "/_emulator"
    async with httpx.AsyncClient(base_url=url) as control:
        place = {"chat_id": CHAT, "latitude": 35.68, "longitude": 139.69}
        answer = await control.post("/locations", json={"locations": [place]})
        assert answer.status_code == 200 and answer.json()["count"] == 1
        refused = await control.post("/locations", json={"locations": [{"chat_id": CHAT}]})
        assert refused.status_code == 400
    [update] = await client.get_updates()
    assert update.message is not None and update.message.location is not None
    assert update.message.location.longitude == 139.69
