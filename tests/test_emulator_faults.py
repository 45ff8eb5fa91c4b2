"""The emulator's random faults (for chaos runs): drawn with a seeded RNG, met over real HTTP
by python-telegram-bot, and set from another process through the control endpoints."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import ChatMigrated, Forbidden, NetworkError, RetryAfter

from emulator import BotAPIEmulator
from emulator.faults import FAULT_KINDS, RandomFaults, random_faults_from


@pytest.fixture
async def telegram() -> AsyncIterator[BotAPIEmulator]:
    """The emulator with its control endpoints, as `python -m emulator --headless` serves it."""
    async with BotAPIEmulator(control=True) as emulator:
        yield emulator


@pytest.fixture
async def control(telegram: BotAPIEmulator) -> AsyncIterator[httpx.AsyncClient]:
    url = telegram.base_url.removesuffix("/bot") + "/_emulator"
    async with httpx.AsyncClient(base_url=url) as http:
        yield http


def draws(faults: RandomFaults, count: int) -> list[str | None]:
    return [faults.draw("sendMessage") for _ in range(count)]


# --- drawing -------------------------------------------------------------------------------


def test_the_same_seed_draws_the_same_faults_and_another_seed_others() -> None:
    rates = {"server_error": 0.1, "drop_after": 0.1}
    first = draws(RandomFaults(rates, seed=7), 200)
    assert first == draws(RandomFaults(rates, seed=7), 200)
    assert first != draws(RandomFaults(rates, seed=8), 200)


def test_faults_come_at_about_their_rates() -> None:
    rates = dict.fromkeys(FAULT_KINDS, 0.1)
    drawn = draws(RandomFaults(rates, seed=1), 10_000)
    for kind in FAULT_KINDS:
        assert 800 < drawn.count(kind) < 1200, kind
    assert 4500 < drawn.count(None) < 5500


def test_other_methods_meet_no_fault_and_leave_the_sequence_alone() -> None:
    faults, same = RandomFaults({"slow": 0.5}, seed=3), RandomFaults({"slow": 0.5}, seed=3)
    assert [faults.draw("getUpdates") for _ in range(50)] == [None] * 50
    assert draws(faults, 50) == draws(same, 50)


@pytest.mark.parametrize(
    "config",
    [
        {"rates": {"teapot": 0.1}},
        {"rates": {"slow": 0.6, "drop_before": 0.6}},
        {"rates": {"slow": -0.1}},
        {"rates": {"slow": "often"}},
        {"rates": {"slow": 0.1}, "retry_after": 0},
        {"rates": ["slow"]},
    ],
)
def test_a_bad_configuration_is_refused(config: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        random_faults_from(config)


# --- met over HTTP -------------------------------------------------------------------------


async def test_a_drop_before_leaves_no_message_and_the_client_a_network_error(
    telegram: BotAPIEmulator, client: Bot
) -> None:
    telegram.inject_random_faults(RandomFaults({"drop_before": 1.0}))
    with pytest.raises(NetworkError, match="disconnected"):
        await client.send_message(5, "hello")
    assert telegram.sent == []
    [fault] = telegram.injected_faults
    assert (fault.kind, fault.method, fault.chat_id, fault.message_id) == (
        "drop_before",
        "sendMessage",
        5,
        None,
    )


async def test_a_drop_after_delivers_the_message_but_the_client_sees_a_network_error(
    telegram: BotAPIEmulator, client: Bot
) -> None:
    telegram.inject_random_faults(RandomFaults({"drop_after": 1.0}))
    with pytest.raises(NetworkError, match="disconnected"):
        await client.send_message(5, "hello")
    [sent] = telegram.sent
    assert sent.text == "hello"
    [fault] = telegram.injected_faults
    assert (fault.kind, fault.chat_id, fault.message_id) == ("drop_after", 5, sent.message_id)


async def test_a_drop_after_a_refused_call_names_no_message(
    telegram: BotAPIEmulator, client: Bot
) -> None:
    telegram.block(5)
    telegram.inject_random_faults(RandomFaults({"drop_after": 1.0}))
    with pytest.raises(NetworkError):
        await client.send_message(5, "hello")
    assert [f.message_id for f in telegram.injected_faults] == [None]


async def test_errors_are_answered_as_telegram_words_them(
    telegram: BotAPIEmulator, client: Bot
) -> None:
    telegram.inject_random_faults(RandomFaults({"rate_limit": 1.0}, retry_after=4))
    with pytest.raises(RetryAfter) as limited:
        await client.send_message(5, "hello")
    assert limited.value.retry_after == 4
    telegram.inject_random_faults(RandomFaults({"server_error": 1.0}))
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await client.send_message(5, "hello")
    assert telegram.sent == []
    assert [f.kind for f in telegram.injected_faults] == ["rate_limit", "server_error"]


async def test_a_slow_answer_comes_late_and_delivers(telegram: BotAPIEmulator, client: Bot) -> None:
    telegram.inject_random_faults(RandomFaults({"slow": 1.0}, slow_seconds=0.3))
    started = time.monotonic()
    message = await client.send_message(5, "hello")
    assert time.monotonic() - started >= 0.3
    assert [m.message_id for m in telegram.sent] == [message.message_id]
    assert [f.kind for f in telegram.injected_faults] == ["slow"]


async def test_methods_not_named_meet_no_fault_and_none_once_switched_off(
    telegram: BotAPIEmulator, client: Bot
) -> None:
    telegram.inject_random_faults(RandomFaults({"drop_before": 1.0}))
    assert (await client.get_me()).username == "GutBoneDailyBot"
    telegram.inject_random_faults(None)
    await client.send_message(5, "hello")
    assert len(telegram.sent) == 1 and telegram.injected_faults == []


# --- set through the control endpoints -----------------------------------------------------


async def test_faults_are_set_and_listed_through_the_control_endpoints(
    telegram: BotAPIEmulator, client: Bot, control: httpx.AsyncClient
) -> None:
    config = {"rates": {"drop_after": 1.0}, "seed": 3, "methods": ["sendMessage"]}
    assert (await control.post("/faults", json=config)).status_code == 200
    with pytest.raises(NetworkError):
        await client.send_message(5, "hello")
    assert (await control.post("/faults", json={"rates": {}})).status_code == 200
    await client.send_message(5, "again")
    [fault] = (await control.get("/faults")).json()["injected"]
    assert fault["kind"] == "drop_after" and fault["chat_id"] == 5
    assert fault["message_id"] == telegram.sent[0].message_id and fault["at"] <= time.monotonic()
    bad = await control.post("/faults", json={"rates": {"teapot": 1}})
    assert bad.status_code == 400 and "teapot" in bad.json()["error"]


async def test_a_user_blocks_the_bot_without_telling_it(
    telegram: BotAPIEmulator, client: Bot, control: httpx.AsyncClient
) -> None:
    assert (await control.post("/block", json={"chat_id": 5})).status_code == 200
    with pytest.raises(Forbidden, match="blocked"):
        await client.send_message(5, "hello")
    assert telegram.pending_updates == []  # no my_chat_member: found out at send time
    assert (await control.post("/block", json={})).status_code == 400


async def test_a_group_migrates_without_telling_the_bot(
    telegram: BotAPIEmulator, client: Bot, control: httpx.AsyncClient
) -> None:
    body = {"chat_id": -5, "new_chat_id": -1_000_000_000_005}
    assert (await control.post("/migrate", json=body)).status_code == 200
    with pytest.raises(ChatMigrated) as migrated:
        await client.send_message(-5, "hello")
    assert migrated.value.new_chat_id == -1_000_000_000_005
    assert telegram.pending_updates == []
    await client.send_message(-1_000_000_000_005, "hello")
    assert [m.chat_id for m in telegram.sent] == [-1_000_000_000_005]


async def test_group_messages_and_members_through_the_control_endpoints(
    client: Bot, control: httpx.AsyncClient
) -> None:
    member = {"chat_id": -5, "user_id": 42, "status": "administrator"}
    assert (await control.post("/members", json=member)).status_code == 200
    assert (await client.get_chat_member(-5, 42)).status == "administrator"
    refused = await control.post("/members", json={**member, "status": "boss"})
    assert refused.status_code == 400
    message = {"chat_id": -5, "text": "/start", "chat_type": "group", "user_id": 42}
    assert (await control.post("/messages", json={"messages": [message]})).status_code == 200
    [update] = await client.get_updates(timeout=1)
    assert update.message is not None and update.message.chat.type == "group"
    assert update.message.from_user is not None and update.message.from_user.id == 42


async def test_presses_their_answers_and_edits_through_the_control_endpoints(
    client: Bot, control: httpx.AsyncClient
) -> None:
    button = InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]])
    sent = await client.send_message(9, "tap", reply_markup=button)
    before = time.monotonic()
    press = {"chat_id": 9, "message_id": sent.message_id, "data": "a"}
    queued = (await control.post("/presses", json={"presses": [press]})).json()
    assert queued["count"] == 1 and queued["at"] >= before
    [update] = await client.get_updates(timeout=1)
    assert update.callback_query is not None and [update.callback_query.id] == queued["ids"]
    assert (await control.get("/answers")).json() == {"answers": {}}
    await update.callback_query.answer("ok")
    answered = (await control.get("/answers")).json()["answers"]
    assert list(answered) == queued["ids"] and answered[queued["ids"][0]] >= queued["at"]
    await client.edit_message_text("tapped", chat_id=9, message_id=sent.message_id)
    [edit] = (await control.get("/sent", params={"edits": 1, "text": 1})).json()["messages"]
    assert (edit["message_id"], edit["text"], edit["at"] >= answered["1"]) == (
        sent.message_id,
        "tapped",
        True,
    )
    assert (await control.post("/presses", json={"presses": [{"chat_id": 9}]})).status_code == 400
