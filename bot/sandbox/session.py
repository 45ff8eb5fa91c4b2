"""One sandbox session: the bot and the emulator in this process, and a chat in the terminal."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterable, Callable
from pathlib import Path

from bot.sandbox.clock import DAY, SandboxClock
from bot.sandbox.commands import CHAT_ID, Sandbox, sandbox_time
from bot.sandbox.files import save_file, shown_path
from bot.sandbox.screen import Screen
from bot.service.config import parse_settings
from bot.service.context import App, services_of
from bot.service.runner import serve
from bot.service.wiring import REAL_TIME, Pacing, build_application
from emulator import TEST_TOKEN, BotAPIEmulator, TerminalChat
from storage import Store
from tips import Library, load_library

SETTLE_POLL = 0.01  # seconds between looks at the press edits still to make

INTRO = (
    "GutBone Daily sandbox: the real bot, talking to a stand-in for Telegram on this machine "
    "(no token, nothing leaves 127.0.0.1). You are a new user in a private chat with the bot. "
    "Type /start to subscribe, /tip for a tip now, :help for the sandbox's own commands."
)


async def converse(
    lines: AsyncIterable[str],
    write: Callable[[str], None],
    database: Path,
    *,
    clock: SandboxClock,
    styled: bool = False,
    width: int = 80,
    echo: bool = False,
    pacing: Pacing = REAL_TIME,
    library: Library | None = None,
    downloads: Path | None = None,
    rng: random.Random | None = None,
) -> None:
    """The bot and the emulator, and a chat fed by `lines` and written with `write` in lines
    of at most `width` columns, until a line says :quit or the lines run out. Files the bot
    sends are saved in `downloads` (None: only shown). Tests pass the gateway's time
    (`pacing`), and a library whose tips they know (the shipped one by default); `rng` picks
    the tips (a seeded one repeats a transcript)."""
    store, library = Store.open(database), library or load_library()
    screen = Screen(width, write)
    try:
        async with BotAPIEmulator() as telegram:
            app, tips = _sandbox_bot(telegram, store, library, clock, pacing, screen.say, rng)
            sandbox = _sandbox(app, telegram, screen, clock, tips, styled, downloads)
            stop = asyncio.Event()
            serving = asyncio.create_task(serve(app, stop))
            try:
                await _until_polling(telegram, serving)
                screen.say(_intro(clock))
                await sandbox.run(lines, echo=echo)
            finally:
                stop.set()
                await serving
    finally:
        store.close()


def _sandbox(
    app: App,
    telegram: BotAPIEmulator,
    screen: Screen,
    clock: SandboxClock,
    tips: DailyTips,
    styled: bool,
    downloads: Path | None,
) -> Sandbox:
    """The chat as the terminal shows it (through `screen`), and the sandbox's commands."""
    chat = TerminalChat(telegram, CHAT_ID, screen.chat, styled=styled, show_ids=True)
    files = Downloads(telegram, downloads, screen.say_whole)
    services = services_of(app)

    def show_new() -> None:
        chat.show_new()
        files.save_new()

    async def settled() -> None:
        """The bot handled every update it got, and made the edits that follow presses."""
        await app.update_queue.join()
        while services.follow_ups.waiting:
            await asyncio.sleep(SETTLE_POLL)

    return Sandbox(
        services,
        chat,
        clock,
        screen.say,
        lambda timeout: tips.next_one(services.loop.look_again, timeout),
        settled=settled,
        buttons=lambda: screen.buttons,
        show_new=show_new,
    )


def _sandbox_bot(
    telegram: BotAPIEmulator,
    store: Store,
    library: Library,
    clock: SandboxClock,
    pacing: Pacing,
    write: Callable[[str], None],
    rng: random.Random | None,
) -> tuple[App, DailyTips]:
    """The real bot on the emulator and the sandbox clock, and what hears its daily tips."""
    values = {"TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
    settings = parse_settings(values)
    tips = DailyTips(lambda: sandbox_time(store, settings, clock), write)
    app = build_application(
        settings,
        store,
        library,
        clock=clock,
        sleep=clock.sleep,
        pacing=pacing,
        rng=rng,
        leased=False,  # one process, one throwaway database
        outcome_listeners=[tips.ended],
    )
    return app, tips


def _intro(clock: SandboxClock) -> str:
    if clock.speed == 1:
        return INTRO
    return f"{INTRO}\n⏩ The clock runs fast: a sandbox day passes in {DAY / clock.speed:g} s."


async def _until_polling(telegram: BotAPIEmulator, serving: asyncio.Task[None]) -> None:
    """Wait until the bot asks for updates; if it stopped first, raise what stopped it."""
    polling = asyncio.create_task(telegram.wait_for_calls("getUpdates", timeout=30))
    await asyncio.wait([polling, serving], return_when=asyncio.FIRST_COMPLETED)
    if serving.done():
        polling.cancel()
        serving.result()  # raises what stopped the bot
        raise RuntimeError("the bot stopped before it started polling")
    polling.result()


class DailyTips:
    """Hears each daily tip's end (a listener of the bot's own delivery): one that came by
    itself is announced; one `:tomorrow` is waiting for is handed over instead."""

    def __init__(self, now: Callable[[], str], write: Callable[[str], None]) -> None:
        self._now = now
        self._write = write
        self.awaited: asyncio.Event | None = None  # set while :tomorrow waits for its tip

    def ended(self, _status: object) -> None:
        if self.awaited is not None:
            self.awaited.set()
        else:
            self._write(f"⏰ {self._now()} in the sandbox: your daily tip is due")

    async def next_one(self, wake: Callable[[], None], timeout: float) -> bool:
        """Wake the delivery loop, and wait until it ended a daily tip (False: it did not)."""
        self.awaited = asyncio.Event()
        try:
            wake()
            await asyncio.wait_for(self.awaited.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self.awaited = None


class Downloads:
    """Saves each file the bot sends the chat (`/export`) in `folder`, and says where."""

    def __init__(
        self, telegram: BotAPIEmulator, folder: Path | None, write: Callable[[str], None]
    ) -> None:
        self._telegram = telegram
        self._folder = folder
        self._write = write
        self._seen = 0  # how many of telegram.documents were looked at

    def save_new(self) -> None:
        documents = self._telegram.documents
        new, self._seen = documents[self._seen :], len(documents)
        if self._folder is None:
            return
        for document in new:
            if document.chat_id == CHAT_ID and document.content:
                path = save_file(self._folder, document.file_name, document.content)
                self._write(f"💾 saved as {shown_path(path, Path.cwd())}")
