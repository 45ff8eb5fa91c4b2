"""End to end in webhook mode: the emulator POSTs updates to the bot's own HTTP server."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from datetime import UTC, datetime

import httpx
import pytest
from telegram import Bot

from bot.service.config import parse_settings
from bot.service.context import services_of
from bot.service.runner import serve
from bot.service.wiring import build_application
from bot.transport.polling import TokenRevoked
from bot.transport.webhook import WebhookError
from bot.transport.webhook_watch import WebhookWatch
from emulator import SECRET_HEADER
from tests.e2e import TOKEN, free_port, running_bot

CHAT = 4242
SECRET = "webhook-secret_for-the-tests-0123456789"
EIGHT = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def webhook():
    port = free_port()
    return {
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": SECRET,
    }


@pytest.fixture
async def hooked(telegram, store, library, clock, sleep, pacing, webhook):
    """The real Application receiving updates by webhook from the emulator."""
    async with running_bot(telegram, store, library, clock, sleep, pacing, **webhook) as bot:
        yield bot


def an_update(chat_id: int, text: str, update_id: int = 900) -> bytes:
    sender = {"id": chat_id, "is_bot": False, "first_name": "Mallory"}
    chat = {"id": chat_id, "type": "private", "first_name": "Mallory"}
    message = {"message_id": 1, "from": sender, "chat": chat, "date": 0, "text": text}
    message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return json.dumps({"update_id": update_id, "message": message}).encode()


async def post(url: str, body: bytes, secret: str | None = SECRET) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers[SECRET_HEADER] = secret
    async with httpx.AsyncClient() as client:
        return await client.post(url, content=body, headers=headers)


async def test_start_gets_its_welcome_by_webhook(hooked, telegram, store, webhook):
    assert telegram.webhook_url == webhook["WEBHOOK_URL"]
    [registered] = [p for name, p in telegram.calls if name == "setWebhook"]
    assert registered["secret_token"] == SECRET
    welcome = await hooked.ask(CHAT, "/start")
    assert "Welcome to GutBone Daily" in welcome
    assert store.subscriber(CHAT) is not None
    assert not [name for name, _ in telegram.calls if name == "getUpdates"]
    assert telegram.pending_updates == []


async def test_a_daily_tip_flows_and_its_button_answers_by_webhook(hooked, telegram, clock):
    await hooked.ask(CHAT, "/start")
    clock.set(EIGHT)
    assert await hooked.delivery.sweep() == {"sent": 1}
    tip = telegram.messages_to(CHAT)[-1]
    assert "📚" in tip.text
    telegram.user_presses(CHAT, tip.message_id, tip.callback_data[0])  # a callback_query
    await telegram.wait_for_calls("answerCallbackQuery")


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-of-the-right-size", SECRET[:-1]])
async def test_a_request_without_the_right_secret_gets_403_and_changes_nothing(
    hooked, telegram, store, webhook, secret
):
    response = await post(webhook["WEBHOOK_URL"], an_update(CHAT, "/start"), secret=secret)
    assert response.status_code == 403
    assert "Welcome" in await hooked.ask(CHAT + 1, "/start")  # updates after it are handled
    assert store.subscriber(CHAT) is None
    assert telegram.messages_to(CHAT) == []


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"\xff\xfe\x00",
        b"",
        b"[1, 2]",
        b'{"update_id": "7"}',
        b'{"update_id": 7, "message": {"text": "no chat, no sender"}}',
    ],
)
async def test_a_malformed_body_gets_400_and_no_error_or_traceback(hooked, webhook, caplog, body):
    caplog.set_level(logging.DEBUG)
    response = await post(webhook["WEBHOOK_URL"], body)
    assert response.status_code == 400
    assert "Welcome" in await hooked.ask(CHAT, "/start")  # still serving
    mine = [r for r in caplog.records if r.name == "bot.transport.webhook"]
    assert [r.levelno for r in mine] == [logging.WARNING]
    assert mine[0].getMessage().startswith("Ignored a webhook request: ")
    assert all(r.levelno < logging.ERROR and not r.exc_info for r in caplog.records)


async def test_other_paths_and_methods_are_not_served(hooked, webhook):
    base = webhook["WEBHOOK_URL"].removesuffix("/telegram")
    assert (await post(f"{base}/other", an_update(CHAT, "/start"))).status_code == 404
    async with httpx.AsyncClient() as client:
        assert (await client.get(webhook["WEBHOOK_URL"])).status_code == 405


async def test_the_webhook_stays_at_a_stop_and_polling_removes_it(
    telegram, store, library, clock, sleep, pacing, webhook
):
    async with running_bot(telegram, store, library, clock, sleep, pacing, **webhook):
        pass
    assert telegram.webhook_url == webhook["WEBHOOK_URL"]  # Telegram keeps updates meanwhile
    waiting = telegram.user_sends(CHAT, "/start")
    async with running_bot(telegram, store, library, clock, sleep, pacing):
        assert telegram.webhook_url is None
        [welcome] = await telegram.wait_for_messages(CHAT)
        assert "Welcome" in welcome.text
    assert waiting["update_id"] not in [u["update_id"] for u in telegram.pending_updates]


async def test_a_5xx_on_set_webhook_at_start_is_retried(
    telegram, store, library, clock, sleep, pacing, webhook
):
    telegram.fail_next("setWebhook", error_code=502, description="Bad Gateway", times=2)
    async with running_bot(telegram, store, library, clock, sleep, pacing, **webhook) as bot:
        assert "Welcome" in await bot.ask(CHAT, "/start")
    assert sleep.calls[:2] == [1, 2]
    assert len([name for name, _ in telegram.calls if name == "setWebhook"]) == 3


async def test_a_webhook_telegram_refuses_stops_the_start_with_one_line(
    telegram, store, library, clock, sleep, webhook
):
    telegram.fail_next(
        "setWebhook", error_code=400, description="Bad Request: bad webhook: Failed to resolve host"
    )
    config = parse_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url, **webhook}
    )
    app = build_application(config, store, library, clock=clock, sleep=sleep)
    with pytest.raises(WebhookError) as caught:
        await serve(app, asyncio.Event(), sweep=False)
    assert str(caught.value) == "Telegram refused WEBHOOK_URL: Bad webhook: failed to resolve host"
    assert sleep.calls == []  # not retried: it needs a person
    await app.bot.shutdown()


def polling_said(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bot.transport.polling"]


async def test_a_webhook_set_by_another_instance_is_named_while_polling(
    telegram, store, library, clock, sleep, pacing, caplog
):
    async with running_bot(telegram, store, library, clock, sleep, pacing) as bot:
        async with Bot(TOKEN, base_url=telegram.base_url) as rival:
            await rival.set_webhook("https://bot.example.org/hook", secret_token=SECRET)
        # Re-checked at every call: after a conflict the bot polls again within seconds.
        assert await telegram.wait_until(lambda: polling_said(caplog) != [])
        await bot.app.bot.delete_webhook()  # so that polling ends normally
    assert polling_said(caplog)[0] == (
        "Another instance set a webhook for this token (409 Conflict): run one instance per bot"
    )


async def test_a_failure_after_listening_closes_the_webhook_port(
    telegram, store, library, clock, sleep, webhook, monkeypatch
):
    async def broken(app):
        raise RuntimeError("a bug after the server started")

    monkeypatch.setattr("bot.service.runner._register_commands", broken)
    config = parse_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url, **webhook}
    )
    app = build_application(config, store, library, clock=clock, sleep=sleep)
    with pytest.raises(RuntimeError, match="a bug after the server started"):
        await serve(app, asyncio.Event(), sweep=False)
    with socket.socket() as probe:  # free again
        probe.bind(("127.0.0.1", int(webhook["WEBHOOK_PORT"])))


async def test_an_update_posted_five_times_is_answered_five_times_and_handled_once(
    hooked, telegram, store, webhook
):
    body = an_update(CHAT, "/start", update_id=901)
    statuses = [(await post(webhook["WEBHOOK_URL"], body)).status_code for _ in range(5)]
    assert statuses == [200] * 5
    assert "Welcome" in await hooked.ask(CHAT + 1, "/start")  # the replays were all handled
    assert len(telegram.messages_to(CHAT)) == 1


async def test_a_forged_press_posted_to_the_webhook_is_answered(hooked, telegram, caplog):
    await hooked.ask(CHAT, "/delete_me")
    message = telegram.messages_to(CHAT)[-1]
    sender = {"id": CHAT, "is_bot": False, "first_name": "Mallory"}
    chat = {"id": CHAT, "type": "private", "first_name": "Mallory"}
    query = {
        "id": "forged-1",
        "from": sender,
        "chat_instance": "1",
        "data": "v1:del:yes:999999999999",
        "message": {"message_id": message.message_id, "chat": chat, "date": 1, "text": "x"},
    }
    body = json.dumps({"update_id": 902, "callback_query": query}).encode()
    assert (await post(webhook_url(hooked), body)).status_code == 200
    answers = await telegram.wait_for_calls("answerCallbackQuery")
    assert answers[-1]["callback_query_id"] == "forged-1"
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def webhook_url(running) -> str:
    return services_of(running.app).settings.webhook_url


async def test_a_token_revoked_while_running_by_webhook_stops_the_bot(
    telegram, store, library, clock, sleep, webhook, caplog
):
    """Within the watch's first minute: the reply that met 401 tells."""
    config = parse_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url, **webhook}
    )
    app = build_application(config, store, library, clock=clock, sleep=sleep)
    task = asyncio.create_task(serve(app, asyncio.Event(), sweep=False))
    await telegram.wait_for_calls("setMyCommands")
    telegram.revoke_token()
    telegram.user_sends(CHAT, "/start")  # its reply meets 401
    with pytest.raises(TokenRevoked):
        await asyncio.wait_for(task, 10)
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert said == [
        "Telegram no longer accepts TELEGRAM_BOT_TOKEN (revoked?): stopping; "
        "put a new token from @BotFather in the configuration"
    ]


async def test_the_watch_asks_telegram_and_notices_a_revoked_token_by_itself(telegram, caplog):
    async with Bot(TOKEN, base_url=telegram.base_url) as bot:
        stop = asyncio.Event()
        watch = WebhookWatch(bot, stop.set, every=0.01)
        await watch.check()
        assert not stop.is_set()
        telegram.revoke_token()
        watch.start()
        await asyncio.wait_for(stop.wait(), 5)
        await watch.close()
    assert watch.revoked
    assert len([r for r in caplog.records if "no longer accepts" in r.getMessage()]) == 1
