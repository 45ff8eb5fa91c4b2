"""Running the Application: long polling (or a webhook), the delivery sweep, a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

from telegram import (
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import InvalidToken, TelegramError

from bot.commands.texts import ADMIN_COMMANDS, COMMANDS, MAIN_COMMANDS
from bot.service.context import App, Services, services_of
from bot.service.faults import Faults
from bot.service.logs import log_loop_exception
from bot.service.metrics import MetricsServer
from bot.transport.polling import PollingErrors, PollingWatch, TokenRevoked, polling_task
from bot.transport.startup import connect
from bot.transport.webhook import WebhookServer
from bot.transport.webhook_watch import WebhookWatch

logger = logging.getLogger(__name__)

# A stop ends within 5 s (systemd, Docker and Kubernetes give 10 s or more before SIGKILL):
# requests on the wire get this long to be answered, then are recorded as maybe sent.
STOP_SENDS = 3.0
# Edits of pressed messages still waiting for the gateway get this long first, then are cancelled.
STOP_FOLLOW_UPS = 1.0
# Long polling gets this long to end on its own; then its task is cancelled (PTB sleeps up to
# 30 s between failed polls, or a 429's retry_after, without looking at its stop event).
STOP_POLLING = 1.0


async def serve(app: App, stop: asyncio.Event, *, sweep: bool = True) -> None:
    """Poll for updates (or receive them by webhook) and deliver daily tips until `stop` is
    set, then shut down cleanly.

    Start-up waits for Telegram to answer (retrying with backoff); `TokenRevoked` is raised,
    after the clean shutdown, if Telegram stopped accepting the token while running, and
    `GatewayFailed` if the outbound gateway kept failing (for systemd to restart us). The
    metrics endpoint (with `METRICS_PORT`) is up from the start, before Telegram answers.
    A webhook is left registered at a stop: Telegram keeps the updates until the next start.
    """
    with _metrics_served(services_of(app)):
        await _serve(app, stop, sweep=sweep)


async def _serve(app: App, stop: asyncio.Event, *, sweep: bool) -> None:
    services = services_of(app)
    webhook = WebhookServer(app, services.settings) if services.settings.webhook_url else None
    if not await connect(app, stop, services.sleep):
        await app.bot.shutdown()  # close the connections the attempts opened
        logger.info("Stopped before Telegram answered")
        return
    watch = PollingWatch(stop)
    # A webhook server listens at once (Telegram posts as soon as it can) and is closed
    # whatever happens; on a clean stop, in its place in the order below.
    async with app, webhook or contextlib.nullcontext():
        await _register_commands(app)
        await _start_receiving(app, watch, services.webhook_watch)
        await app.start()  # also starts the JobQueue (the chores)
        if sweep:
            services.loop.start(on_fatal=services.faults.delivery_loop_failed)
        logger.info("GutBone Daily is running as @%s", app.bot.username)
        await _until_stopped(stop, services.faults)
        logger.info("Stopping")
        if services.webhook_watch is not None:
            await services.webhook_watch.close()
        await _stop_receiving(app, webhook)
        await services.follow_ups.close(STOP_FOLLOW_UPS)  # before the gateway closes
        await _stop_delivering(app)
        await app.stop()
    logger.info("Stopped")
    if watch.revoked:
        raise TokenRevoked
    services.faults.raise_first()


async def _until_stopped(stop: asyncio.Event, faults: Faults) -> None:
    """Until asked to stop, or until a part of the bot failed (it said why, once)."""
    waits = [asyncio.create_task(stop.wait()), asyncio.create_task(faults.happened.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()


async def _stop_delivering(app: App) -> None:
    """Claim nothing more; tips still waiting in the gateway (a 429 pause) are handed back
    at once, requests on the wire get `STOP_SENDS` seconds; then the lease goes to a standby.
    Before `app.stop()`, which waits for handlers and jobs to finish."""
    services = services_of(app)
    services.delivery.stop_starting()
    if app.bot.rate_limiter is not None:
        await app.bot.rate_limiter.shutdown()
    await services.loop.stop(timeout=STOP_SENDS)
    if services.recaps is not None:  # Sunday's pictures still on the wire
        await services.recaps.close(STOP_SENDS)


@contextlib.contextmanager
def _metrics_served(services: Services) -> Iterator[None]:
    """The metrics endpoint while the bot runs, if `METRICS_PORT` is set."""
    port = services.settings.metrics_port
    if port is None:
        yield
        return
    server = MetricsServer(services.metrics, services.settings.metrics_listen, port)
    server.start()
    try:
        yield
    finally:
        server.stop()


async def _start_receiving(
    app: App, watch: PollingWatch, webhook_watch: WebhookWatch | None
) -> None:
    """Long polling, watched for a revoked token; or, by webhook, the token's own watch."""
    if webhook_watch is not None:
        webhook_watch.start()
        return
    assert app.updater is not None, "built with an Updater"
    await app.updater.start_polling(allowed_updates=None, error_callback=PollingErrors())
    watch.attach()


async def _stop_receiving(app: App, webhook: WebhookServer | None) -> None:
    if webhook is not None:
        await webhook.stop()
        return
    assert app.updater is not None, "built with an Updater"
    polling = polling_task()
    stopping = asyncio.ensure_future(app.updater.stop())
    await asyncio.wait([stopping], timeout=STOP_POLLING)
    if not stopping.done() and polling is not None:
        logger.info("Long polling was waiting to retry Telegram; stopping it now")
        polling.cancel()
    with contextlib.suppress(InvalidToken):  # the polling task's end, already reported
        await stopping


async def serve_until_signalled(app: App) -> None:
    """`serve()` until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(log_loop_exception)  # one line, not a traceback to stderr
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(app, stop)


Menu = tuple[tuple[str, str], ...]


def command_menus(admin_user_ids: frozenset[int]) -> list[tuple[BotCommandScope, Menu]]:
    """Everyone's menu holds the main commands; group admins see every command in their
    groups, and the bot's operators (`ADMIN_USER_IDS`) every one and theirs in their own chat."""
    operators: list[tuple[BotCommandScope, Menu]] = [
        (BotCommandScopeChat(user_id), COMMANDS + ADMIN_COMMANDS)
        for user_id in sorted(admin_user_ids)
    ]
    return [
        (BotCommandScopeDefault(), MAIN_COMMANDS),
        (BotCommandScopeAllChatAdministrators(), COMMANDS),
        *operators,
    ]


async def _register_commands(app: App) -> None:
    """The command menus users see; a failure here is not worth refusing to start (an
    operator who never opened a chat with the bot is "chat not found": the others still go)."""
    for scope, menu in command_menus(services_of(app).settings.admin_user_ids):
        try:
            await app.bot.set_my_commands(menu, scope=scope)
        except TelegramError as exc:
            logger.warning("Could not register the %s command menu: %s", scope.type, exc)
