"""The emulator's webhooks: setWebhook registers a URL, updates are POSTed to it with the
secret header, getUpdates is refused meanwhile, deleteWebhook goes back to polling."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from emulator import SECRET_HEADER, BotAPIEmulator

SECRET = "emulator-webhook-secret_0123"


class Receiver:
    """A stand-in for the bot's webhook server on a free loopback port: it records every POST
    and answers with the statuses it is given, then 200."""

    def __init__(self) -> None:
        self.posts: list[tuple[str | None, str | None, dict]] = []
        self.statuses: list[int] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.posts.append((request.headers.get(SECRET_HEADER), request.content_type, body))
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    yield receiver
    await runner.cleanup()


async def test_updates_are_posted_to_the_webhook_with_the_secret(
    client: Bot, telegram: BotAPIEmulator, receiver: Receiver
) -> None:
    assert await client.set_webhook(receiver.url, secret_token=SECRET)
    first = telegram.user_sends(42, "/start")
    second = telegram.user_sends(43, "hello")
    assert await telegram.wait_until(lambda: len(receiver.posts) == 2)
    assert receiver.posts == [
        (SECRET, "application/json", first),
        (SECRET, "application/json", second),
    ]
    info = await client.get_webhook_info()
    assert (info.url, info.pending_update_count, info.last_error_message) == (
        receiver.url,
        0,
        None,
    )


async def test_updates_wait_for_the_webhook_and_a_refused_one_is_retried(
    client: Bot, telegram: BotAPIEmulator, receiver: Receiver
) -> None:
    waiting = telegram.user_sends(42, "/start")  # before any webhook: kept
    receiver.statuses = [403]
    await client.set_webhook(receiver.url, secret_token=SECRET)
    assert await telegram.wait_until(lambda: len(receiver.posts) == 2)
    assert [body for _, _, body in receiver.posts] == [waiting, waiting]
    info = await client.get_webhook_info()
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 403 Forbidden"
    assert info.last_error_date is not None


async def test_get_updates_is_a_conflict_while_a_webhook_is_set(
    client: Bot, telegram: BotAPIEmulator, receiver: Receiver
) -> None:
    receiver.statuses = [500] * 1000  # the update stays with Telegram
    await client.set_webhook(receiver.url)
    update = telegram.user_sends(42, "/tip")
    with pytest.raises(Conflict) as caught:
        await client.get_updates()
    assert caught.value.message == (
        "Conflict: can't use getUpdates method while webhook is active;"
        " use deleteWebhook to delete the webhook first"
    )
    assert receiver.posts and receiver.posts[0] == (None, "application/json", update)
    assert await client.delete_webhook()
    [polled] = await client.get_updates()
    assert polled.update_id == update["update_id"]
    assert (await client.get_webhook_info()).url == ""
    assert telegram.webhook_url is None


async def test_set_webhook_checks_the_url_and_secret_as_telegram_does(client: Bot) -> None:
    refused = {  # python-telegram-bot drops "Bad Request: " and capitalizes the rest
        ("http://bot.example.org/hook", None): (
            "Bad webhook: an https url must be provided for webhook"
        ),
        ("https://bot.example.org:8080/hook", None): (
            "Bad webhook: webhook can be set up only on ports 80, 88, 443 or 8443"
        ),
        ("https://bot.example.org/hook", "not allowed!"): (
            "Secret token contains unallowed characters"
        ),
    }
    for (url, secret), message in refused.items():
        with pytest.raises(BadRequest) as caught:
            await client.set_webhook(url, secret_token=secret)
        assert caught.value.message.casefold() == message.casefold()
    assert (await client.get_webhook_info()).url == ""


async def test_a_public_webhook_is_registered_but_never_reached(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    """Tests never leave the machine: an https URL is accepted, and its updates wait."""
    await client.set_webhook("https://bot.example.org/hook", secret_token=SECRET)
    telegram.user_sends(42, "/start")
    assert telegram.webhook_url == "https://bot.example.org/hook"
    assert await telegram.wait_until(lambda: telegram.webhook_error is not None)
    info = await client.get_webhook_info()
    assert (info.url, info.pending_update_count) == ("https://bot.example.org/hook", 1)
    assert info.last_error_message == (
        "The emulator delivers webhook updates only to loopback addresses"
    )
