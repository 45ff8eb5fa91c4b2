"""The Bot API emulator, driven over HTTP by python-telegram-bot itself."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from emulator import TEST_TOKEN as TOKEN
from emulator import BotAPIEmulator, SentMessage

ROOT = Path(__file__).resolve().parent.parent


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(d, callback_data=d) for d in data]])


# --- happy path ---------------------------------------------------------------------------


async def test_base_url_is_loopback_and_names_no_token(telegram: BotAPIEmulator) -> None:
    assert telegram.base_url.startswith("http://127.0.0.1:")
    assert telegram.base_url.endswith("/bot")
    assert TOKEN not in repr(telegram)


async def test_get_me_describes_the_bot(client: Bot) -> None:
    me = await client.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "GutBoneDailyBot", True)


async def test_send_message_returns_a_telegram_message(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    html = '<b>Oats</b> &amp; <a href="https://x.org">apples</a>'
    message = await client.send_message(42, html, parse_mode="HTML", reply_markup=keyboard("more"))

    assert message.text == "Oats & apples"  # Telegram returns the text without markup
    assert message.text_html == html  # the entities are right, offsets and all
    assert message.chat.id == 42 and message.chat.type == "private"
    assert message.from_user is not None and message.from_user.id == 123456
    assert message.reply_markup == keyboard("more")
    [sent] = telegram.sent
    assert sent == SentMessage(
        chat_id=42,
        message_id=message.message_id,
        text=html,
        parse_mode="HTML",
        reply_markup={"inline_keyboard": [[{"text": "more", "callback_data": "more"}]]},
        at=sent.at,
    )
    assert sent.visible_text == "Oats & apples"
    assert telegram.calls[-1][0] == "sendMessage"


async def test_a_message_sent_without_a_sound_is_recorded_so(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    await client.send_message(42, "loud")
    await client.send_message(42, "quiet", disable_notification=True)
    await client.send_message(42, "loud again", disable_notification=False)
    assert [m.disable_notification for m in telegram.messages_to(42)] == [False, True, False]


async def test_message_ids_increase_per_chat_and_numbers_stay_text(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    first = await client.send_message(1, "123")
    second = await client.send_message(1, "true")
    other = await client.send_message(2, "{}")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert [m.text for m in telegram.messages_to(1)] == ["123", "true"]


async def test_commands_are_kept_as_set(client: Bot, telegram: BotAPIEmulator) -> None:
    await client.set_my_commands([("start", "Subscribe"), ("help", "What I can do")])
    assert telegram.commands == [
        {"command": "start", "description": "Subscribe"},
        {"command": "help", "description": "What I can do"},
    ]
    assert [c.command for c in await client.get_my_commands()] == ["start", "help"]
    await client.delete_my_commands()
    assert telegram.commands == []
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await client.set_my_commands([("Start!", "bad name")])


# --- acting as users ----------------------------------------------------------------------


async def test_a_long_poll_returns_as_soon_as_a_user_writes(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    poll = asyncio.create_task(client.get_updates(timeout=5))
    await telegram.wait_for_calls("getUpdates")
    started = time.monotonic()
    queued = telegram.user_sends(42, "/start@GutBoneDailyBot now")

    [update] = await poll
    assert time.monotonic() - started < 1
    assert update.update_id == queued["update_id"] == 1
    assert update.message is not None and update.message.text == "/start@GutBoneDailyBot now"
    assert update.message.from_user is not None and update.message.from_user.id == 42
    assert update.message.entities[0].type == "bot_command"
    assert update.message.entities[0].length == len("/start@GutBoneDailyBot")


async def test_offset_confirms_updates(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.user_sends(42, "one")
    telegram.user_sends(42, "two")
    assert [u.update_id for u in await client.get_updates(limit=1)] == [1]
    assert [u.update_id for u in await client.get_updates(offset=2)] == [2]
    assert await client.get_updates(offset=3) == ()
    assert telegram.pending_updates == []


async def test_long_poll_without_updates_answers_empty_after_timeout(
    telegram: BotAPIEmulator,
) -> None:
    started = time.monotonic()
    status, body = await telegram.call("getUpdates", {"timeout": 0.1})
    assert (status, body) == (200, {"ok": True, "result": []})
    assert 0.09 < time.monotonic() - started < 1


async def test_a_second_poller_ends_the_first_with_a_conflict(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    first = asyncio.create_task(client.get_updates(timeout=5))
    await telegram.wait_for_calls("getUpdates")
    async with Bot(TOKEN, base_url=telegram.base_url) as another_instance:
        second = asyncio.create_task(another_instance.get_updates(timeout=5))
        with pytest.raises(Conflict, match="only one bot instance"):
            await first
        telegram.user_sends(42, "hi")
        assert len(await second) == 1


async def test_allowed_updates_filters_like_telegram(client: Bot, telegram: BotAPIEmulator) -> None:
    member = {"chat": {"id": -5, "type": "group", "title": "G"}, "date": 0}
    telegram.push_update({"chat_member": member})  # opt-in type: dropped by default
    telegram.user_sends(42, "hi")
    assert [u.message.text for u in await client.get_updates() if u.message] == ["hi"]
    telegram.push_update({"chat_member": member})
    telegram.user_sends(42, "ignored")
    [update] = await client.get_updates(offset=3, allowed_updates=["chat_member"])
    assert update.update_id == 3


async def test_group_messages_come_from_a_member(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.user_sends(-77, "/tip@GutBoneDailyBot fiber", chat_type="group")
    [update] = await client.get_updates()
    assert update.effective_chat is not None and update.effective_chat.type == "group"
    assert update.effective_chat.title
    assert update.effective_user is not None and update.effective_user.id == 1001


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (None, ChatMemberMember),  # everyone is a plain member unless the test says else
        ("administrator", ChatMemberAdministrator),
        ("creator", ChatMemberOwner),
        ("restricted", ChatMemberRestricted),
        ("left", ChatMemberLeft),
        ("kicked", ChatMemberBanned),
    ],
)
async def test_get_chat_member_answers_the_status_set(
    client: Bot, telegram: BotAPIEmulator, status: str | None, kind: type
) -> None:
    if status is not None:
        telegram.set_member_status(-77, 1001, status)
    member = await client.get_chat_member(-77, 1001)
    assert type(member) is kind and member.user.id == 1001
    assert (await client.get_chat_member(-78, 1001)).status == "member"  # per chat


async def test_make_admin_and_bad_get_chat_member_calls(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    telegram.make_admin(-77, 5)
    assert (await client.get_chat_member(-77, 5)).status == "administrator"
    assert (await client.get_chat_member(-77, 6)).status == "member"
    with pytest.raises(BadRequest, match="Invalid user_id specified"):
        await client.get_chat_member(-77, 0)
    with pytest.raises(ValueError, match="unknown chat member status 'boss'"):
        telegram.set_member_status(-77, 5, "boss")


async def test_channels_are_found_by_username_and_need_the_bot_as_admin(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    channel = -1005550000001
    telegram.add_channel(channel, "GutNews", "Gut News")
    found = await client.get_chat("@gutnews")  # usernames ignore case
    assert (found.id, found.type, found.username, found.title) == (
        channel,
        "channel",
        "GutNews",
        "Gut News",
    )
    with pytest.raises(BadRequest, match="Chat not found"):
        await client.get_chat("@nobody_here")
    me = await client.get_chat_member(channel, telegram.bot_id)
    assert type(me) is ChatMemberLeft  # not in the channel yet
    with pytest.raises(BadRequest, match="Member list is inaccessible"):
        await client.get_chat_member(channel, 42)  # only a channel's admin may look
    with pytest.raises(Forbidden, match="bot is not a member of the channel chat"):
        await client.send_message(channel, "hello")
    telegram.make_channel_admin(channel, telegram.bot_id, can_post_messages=False)
    me = await client.get_chat_member(channel, telegram.bot_id)
    assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages is False
    with pytest.raises(BadRequest, match="Need administrator rights in the channel chat"):
        await client.send_message(channel, "hello")
    telegram.make_channel_admin(channel, telegram.bot_id)
    telegram.set_member_status(channel, 42, "creator")
    assert (await client.get_chat_member(channel, 42)).status == "creator"
    assert (await client.send_message(channel, "hello")).chat.type == "channel"
    assert [m.text for m in telegram.messages_to(channel)] == ["hello"]


async def test_a_user_forwards_a_channel_post(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.add_channel(-1005550000002, None, "No Name")
    telegram.user_forwards_post(31, -1005550000002)
    [update] = await client.get_updates(timeout=0)
    origin = update.message.forward_origin
    assert update.message.chat.id == 31 and origin.type == "channel"
    assert origin.chat.id == -1005550000002 and origin.chat.title == "No Name"


async def test_group_messages_from_bots_and_on_behalf_of_chats(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    telegram.user_sends(-77, "/stop", chat_type="group", user_id=555, is_bot=True)
    telegram.user_sends(-77, "/stop", chat_type="group", sender_chat_id=-77)
    telegram.user_sends(-77, "/stop", chat_type="group", sender_chat_id=-1009)
    from_bot, anonymous_admin, channel = (u.message for u in await client.get_updates())
    assert from_bot.from_user.is_bot and from_bot.from_user.id == 555
    assert from_bot.sender_chat is None
    assert anonymous_admin.sender_chat.id == anonymous_admin.chat.id == -77
    assert anonymous_admin.from_user.username == "GroupAnonymousBot"
    assert (channel.sender_chat.id, channel.sender_chat.type) == (-1009, "channel")
    assert channel.from_user.is_bot


async def test_edited_message_edits_the_users_last_message(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    telegram.user_sends(42, "/time 7:00")
    telegram.user_sends(42, "/time 07:00", edited=True)
    first, edit = await client.get_updates()
    assert edit.edited_message is not None and first.message is not None
    assert edit.edited_message.message_id == first.message.message_id


async def test_button_press_answer_and_edit(client: Bot, telegram: BotAPIEmulator) -> None:
    sent = await client.send_message(42, "Pick a time", reply_markup=keyboard("07:00", "21:00"))
    telegram.user_presses(42, sent.message_id, "21:00")
    [update] = await client.get_updates()
    assert update.callback_query is not None and update.callback_query.data == "21:00"
    assert await update.callback_query.answer("Saved") is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await update.callback_query.answer()  # a query is answered once

    await client.edit_message_text("Daily at <b>21:00</b>", 42, sent.message_id, parse_mode="HTML")
    assert telegram.message(42, sent.message_id).text == "Daily at <b>21:00</b>"
    assert telegram.message(42, sent.message_id).reply_markup is None
    assert [e.text for e in await telegram.wait_for_edits(42)] == ["Daily at <b>21:00</b>"]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await client.edit_message_text(
            "Daily at <b>21:00</b>", 42, sent.message_id, parse_mode="HTML"
        )


async def test_stale_buttons_can_be_pressed(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.user_presses(42, 99, "from-an-old-version")
    [update] = await client.get_updates()
    query = update.callback_query
    assert query is not None and query.data == "from-an-old-version"
    assert query.message is not None and query.message.message_id == 99
    assert not query.message.is_accessible  # Telegram's InaccessibleMessage: date 0


# --- waiting ------------------------------------------------------------------------------


async def test_wait_for_messages_wakes_on_the_send(client: Bot, telegram: BotAPIEmulator) -> None:
    waiter = asyncio.create_task(telegram.wait_for_messages(42, count=2, timeout=2))
    await client.send_message(42, "one")
    await client.send_message(42, "two")
    assert [m.text for m in await waiter] == ["one", "two"]


async def test_wait_for_messages_timeout_says_what_happened(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    await client.send_message(42, "<b>Welcome</b>", parse_mode="HTML")
    await client.send_message(7, "someone else")
    with pytest.raises(BadRequest):
        await client.send_message(42, "<b>broken", parse_mode="HTML")

    with pytest.raises(TimeoutError) as raised:
        await telegram.wait_for_messages(42, count=2, timeout=0.05)
    assert str(raised.value) == (
        "expected 2 message(s) to chat 42 within 0.05 s, got 1:\n"
        "  #1: 'Welcome'\n"
        "last failed API calls:\n"
        "  sendMessage (chat_id=42) -> Bad Request: can't parse entities: "
        'Can\'t find end tag corresponding to start tag "b"\n'
        "messages to other chats: {7: 1}"
    )


# --- faults -------------------------------------------------------------------------------


async def test_rate_limit_raises_retry_after_then_the_resend_goes_through(
    client: Bot, telegram: BotAPIEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # retry_after as a timedelta, no warning
    telegram.rate_limit_next(42, retry_after=3)
    await client.send_message(7, "other chats are not limited")
    with pytest.raises(RetryAfter) as raised:
        await client.send_message(42, "tip")
    assert raised.value.retry_after == timedelta(seconds=3)
    await client.send_message(42, "tip")
    assert [m.text for m in telegram.messages_to(42)] == ["tip"]


async def test_blocked_chat_is_forbidden_until_the_user_returns(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    telegram.block(42)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await client.send_message(42, "tip")
    with pytest.raises(Forbidden):
        await client.edit_message_text("x", 42, 1)
    telegram.user_sends(42, "/start")  # writing to the bot means it was unblocked
    await client.send_message(42, "welcome back")
    telegram.block(42)
    telegram.unblock(42)
    await client.send_message(42, "still here")


async def test_forgotten_chat_is_not_found(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.forget_chat(42)
    with pytest.raises(BadRequest) as raised:
        await client.send_message(42, "tip")
    assert raised.value.message == "Chat not found"


async def test_migrated_group_names_the_new_id(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.migrate(-500, -1001234567890123)
    with pytest.raises(ChatMigrated) as raised:
        await client.send_message(-500, "tip")
    assert raised.value.new_chat_id == -1001234567890123
    message = await client.send_message(-1001234567890123, "tip")
    assert message.chat.type == "supergroup"


async def test_server_error_is_a_network_error_not_a_bad_request(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    telegram.fail_with_server_error(times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway") as raised:
            await client.send_message(42, "tip")
        assert not isinstance(raised.value, BadRequest)
    await client.send_message(42, "tip")
    assert len(telegram.messages_to(42)) == 1


async def test_fail_next_can_target_one_chat(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.fail_next(
        "sendMessage", error_code=403, description="Forbidden: user is deactivated", chat_id=9
    )
    await client.send_message(8, "unaffected")
    with pytest.raises(Forbidden, match="user is deactivated"):
        await client.send_message(9, "tip")
    await client.send_message(9, "tip")
    assert [name for name, _ in telegram.calls].count("sendMessage") == 3
    assert len(telegram.errors) == 1


async def test_wrong_token_is_invalid(telegram: BotAPIEmulator) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:WRONG", base_url=telegram.base_url):
            pass


async def test_a_revoked_token_ends_open_polls_and_every_call_with_401(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    poll = asyncio.create_task(client.get_updates(timeout=5))
    await telegram.wait_for_calls("getUpdates")
    started = time.monotonic()
    telegram.revoke_token()
    with pytest.raises(InvalidToken):
        await poll
    assert time.monotonic() - started < 1
    with pytest.raises(InvalidToken):
        await client.send_message(42, "tip")
    assert telegram.sent == []


async def test_get_me_can_fail_a_few_times_at_start(telegram: BotAPIEmulator) -> None:
    telegram.fail_next("getMe", error_code=502, description="Bad Gateway", times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await Bot(TOKEN, base_url=telegram.base_url).initialize()
    async with Bot(TOKEN, base_url=telegram.base_url) as bot:
        assert bot.username == "GutBoneDailyBot"


async def test_flood_control_limits_a_private_chat(
    client: Bot, telegram: BotAPIEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    telegram.flood_control = True
    for n in range(3):  # a short burst is tolerated
        await client.send_message(42, f"burst {n}")
    with pytest.raises(RetryAfter) as raised:
        await client.send_message(42, "one too many")
    assert raised.value.retry_after == timedelta(seconds=1)
    await client.send_message(43, "another chat is fine")


# --- validation, as Telegram answers it ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        (
            "<b>unclosed",
            "HTML",
            "Can't parse entities: can't find end tag corresponding to start tag \"b\"",
        ),
        (
            "<div>x</div>",
            "HTML",
            'Can\'t parse entities: unsupported start tag "div" at byte offset 0',
        ),
        (
            "fish & chips",
            "HTML",
            'Can\'t parse entities: character "&" must be escaped as "&amp;" at byte offset 5',
        ),
        ("x" * 4097, None, "Message is too long"),
        ("<b>" + "x" * 4096 + "</b>", "HTML", None),  # the limit counts visible text
        ("<b> </b>", "HTML", "Message text is empty"),
    ],
)
async def test_send_message_checks_text(
    client: Bot, text: str, parse_mode: str | None, error: str | None
) -> None:
    if error is None:
        await client.send_message(42, text, parse_mode=parse_mode)
        return
    with pytest.raises(BadRequest) as raised:
        await client.send_message(42, text, parse_mode=parse_mode)
    assert raised.value.message == error


async def test_callback_data_is_at_most_64_bytes(client: Bot) -> None:
    await client.send_message(42, "ok", reply_markup=keyboard("x" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await client.send_message(42, "too long", reply_markup=keyboard("é" * 33))  # 66 bytes


async def test_answers_are_shaped_like_telegrams(telegram: BotAPIEmulator) -> None:
    base = telegram.base_url
    async with httpx.AsyncClient() as http:
        ok = await http.post(f"{base}{TOKEN}/sendMessage", data={"chat_id": "5", "text": "hi"})
        missing = await http.post(f"{base}{TOKEN}/sendMessage", data={"text": "hi"})
        unknown = await http.post(f"{base}{TOKEN}/sendTelepathy")
        wrong = await http.get(f"{base}1:nope/getMe")
        elsewhere = await http.get(base.removesuffix("/bot") + "/favicon.ico")
    assert ok.status_code == 200 and ok.json()["ok"] is True
    assert ok.json()["result"]["text"] == "hi"
    assert (missing.status_code, missing.json()) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"},
    )
    not_found = {"ok": False, "error_code": 404, "description": "Not Found"}
    assert (unknown.status_code, unknown.json()) == (404, not_found)
    assert (elsewhere.status_code, elsewhere.json()) == (404, not_found)
    unauthorized = {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert (wrong.status_code, wrong.json()) == (401, unauthorized)


# --- with a real Application --------------------------------------------------------------


async def test_a_real_application_polls_replies_and_stops_quickly(
    telegram: BotAPIEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html("<b>Welcome</b>", reply_markup=keyboard("ok"))

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()
        await update.callback_query.edit_message_text("Subscribed")

    app = ApplicationBuilder().token(TOKEN).base_url(telegram.base_url).build()
    app.add_handlers([CommandHandler("start", start), CallbackQueryHandler(pressed)])
    async with app:
        await app.updater.start_polling(poll_interval=0)  # type: ignore[union-attr]
        await app.start()
        telegram.user_sends(42, "/start")
        [welcome] = await telegram.wait_for_messages(42)
        telegram.user_presses(42, welcome.message_id, "ok")
        [edit] = await telegram.wait_for_edits(42)
        started = time.monotonic()
        await app.updater.stop()  # type: ignore[union-attr]
        await app.stop()
    assert time.monotonic() - started < 2
    assert welcome.text == "<b>Welcome</b>" and edit.text == "Subscribed"
    assert telegram.pending_updates == []
    emulator_logs = [r for r in caplog.records if r.name.startswith(("aiohttp", "emulator"))]
    assert not [r for r in emulator_logs if TOKEN in r.getMessage()]


async def test_runs_standalone_and_stops_on_ctrl_c() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--port",
        "0",
        "--token",
        TOKEN,
        cwd=ROOT,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        # Ctrl-C as a terminal sends it, even when this suite runs in the background (a
        # background job inherits SIGINT ignored, and Python then keeps it ignored)
        preexec_fn=_sigint_default,
    )
    assert process.stdout is not None
    first = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
    assert "base_url http://127.0.0.1:" in first
    base_url = first.split("base_url ")[1].strip()
    async with Bot(TOKEN, base_url=base_url) as bot:
        assert (await bot.get_me()).username == "GutBoneDailyBot"
    process.send_signal(signal.SIGINT)
    out, err = await asyncio.wait_for(process.communicate(), 10)
    assert process.returncode == 0, err.decode()
    assert TOKEN not in first + out.decode() + err.decode()


async def test_headless_serves_control_endpoints_and_stops_on_sigterm() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "emulator",
        "--headless",
        "--port",
        "0",
        "--token",
        TOKEN,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    first = (await asyncio.wait_for(process.stdout.readline(), 10)).decode()
    base_url = first.split("base_url ")[1].strip()
    control = base_url.removesuffix("/bot") + "/_emulator"
    async with httpx.AsyncClient() as http, Bot(TOKEN, base_url=base_url) as bot:
        before = time.monotonic()
        queued = await http.post(
            f"{control}/messages", json={"messages": [{"chat_id": 7, "text": "/start"}]}
        )
        assert queued.json()["count"] == 1 and queued.json()["at"] >= before  # one clock
        [update] = await bot.get_updates(timeout=1)
        assert update.message is not None and update.message.text == "/start"
        await bot.send_message(7, "hello", reply_markup=keyboard("a"))
        await bot.send_message(8, "other")
        stats = (await http.get(f"{control}/stats")).json()
        assert stats["sent"] == 2 and stats["calls"]["sendMessage"] == 2
        page = (await http.get(f"{control}/sent", params={"chat_id": 7, "text": 1})).json()
        [sent] = page["messages"]
        assert (sent["chat_id"], sent["text"], sent["callback_data"]) == (7, "hello", ["a"])
        assert page["next"] == 2
        rest = (await http.get(f"{control}/sent", params={"offset": 1})).json()["messages"]
        assert [m["chat_id"] for m in rest] == [8] and "text" not in rest[0]
        wrong = await http.post(f"{control}/messages", json={"chat_id": 7})
        assert wrong.status_code == 400
    process.send_signal(signal.SIGTERM)
    out, err = await asyncio.wait_for(process.communicate(), 10)
    assert process.returncode == 0, err.decode()
    assert out.decode() == ""  # nothing printed after the base URL


async def test_control_endpoints_are_off_unless_asked_for(telegram: BotAPIEmulator) -> None:
    control = telegram.base_url.removesuffix("/bot") + "/_emulator"
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{control}/stats")).status_code == 404


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)
