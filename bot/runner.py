"""Running the Application: long polling (or a webhook), the delivery sweep, a clean stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

from telegram.error import InvalidToken, TelegramError

from bot.context import App, Services, services_of
from bot.lease import DeliveryLease
from bot.logs import log_loop_exception
from bot.metrics import MetricsServer
from bot.polling import PollingErrors, PollingWatch, TokenRevoked
from bot.startup import connect
from bot.sweeping import Sweeper
from bot.texts import COMMANDS
from bot.webhook import WebhookServer
from bot.webhook_watch import WebhookWatch

logger = logging.getLogger(__name__)

STOP_TIMEOUT = 8.0


async def serve(app: App, stop: asyncio.Event, *, sweep: bool = True) -> None:
    """Poll for updates (or receive them by webhook) and deliver daily tips until `stop` is
    set, then shut down cleanly.

    Start-up waits for Telegram to answer (retrying with backoff); `TokenRevoked` is raised,
    after the clean shutdown, if Telegram stopped accepting the token while running. The
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
    hook_watch = WebhookWatch(app.bot, stop) if webhook is not None else None
    if hook_watch is not None:
        services.token_rejected = hook_watch.rejected  # a reply that met 401
    lease = DeliveryLease(services.store, services.clock)
    services.metrics.process.lease_held = lease.held
    # A webhook server listens at once (Telegram posts as soon as it can) and is closed
    # whatever happens; on a clean stop, in its place in the order below.
    async with app, webhook or contextlib.nullcontext():
        await _register_commands(app)
        if sweep:
            Sweeper(app, lease).start()
        if hook_watch is None:
            await _start_polling(app, watch)
        else:
            hook_watch.start()
        await app.start()  # also starts the JobQueue, and with it the sweep
        logger.info("GutBone Daily is running as @%s", app.bot.username)
        await stop.wait()
        logger.info("Stopping")
        if hook_watch is not None:
            await hook_watch.close()
        await _stop_receiving(app, webhook)
        # Before app.stop(), which waits for running jobs and handlers to finish: the sweep
        # starts nothing new, and whatever still waits in the gateway (a 429 pause) gives up.
        services.delivery.stop_starting()
        if app.bot.rate_limiter is not None:
            await app.bot.rate_limiter.shutdown()
        await services.delivery.shutdown(timeout=STOP_TIMEOUT / 2)
        lease.release()
        await app.stop()
    logger.info("Stopped")
    if watch.revoked or (hook_watch is not None and hook_watch.revoked):
        raise TokenRevoked


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


async def _start_polling(app: App, watch: PollingWatch) -> None:
    assert app.updater is not None, "built with an Updater"
    await app.updater.start_polling(allowed_updates=None, error_callback=PollingErrors())
    watch.attach()


async def _stop_receiving(app: App, webhook: WebhookServer | None) -> None:
    if webhook is not None:
        await webhook.stop()
        return
    assert app.updater is not None, "built with an Updater"
    with contextlib.suppress(InvalidToken):  # the polling task's end, already reported
        await app.updater.stop()


async def serve_until_signalled(app: App) -> None:
    """`serve()` until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(log_loop_exception)  # one line, not a traceback to stderr
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(app, stop)


async def _register_commands(app: App) -> None:
    """The command menu users see; a failure here is not worth refusing to start."""
    try:
        await app.bot.set_my_commands(COMMANDS)
    except TelegramError as exc:
        logger.warning("Could not register the command menu: %s", exc)
