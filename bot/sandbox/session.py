"""One sandbox session: the bot and the emulator in this process, and a chat in the terminal."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable
from pathlib import Path

from bot.sandbox.clock import DAY, SandboxClock
from bot.service.config import Settings, parse_settings
from bot.service.context import App, Services, services_of
from bot.service.runner import serve
from bot.service.wiring import REAL_TIME, Pacing, build_application
from emulator import LOCATION_COMMAND, TEST_TOKEN, BotAPIEmulator, TerminalChat, is_press
from storage import Store
from tips import Library, load_library

CHAT_ID = 1  # the private chat you type in
ANSWER_TIMEOUT = 10.0  # seconds to wait for the bot's answer before reading the next line
INTRO = (
    "GutBone Daily sandbox: the real bot, talking to a stand-in for Telegram on this machine\n"
    "(no token, nothing leaves 127.0.0.1). You are a new user in a private chat with the bot.\n"
    "Type /start to subscribe, /tip for a tip now, :help for the sandbox's own commands."
)
HELP = """\
Anything you type goes to the bot as your message (/start, /tip fiber, /time 07:30, /help …),
except these sandbox commands:
  :1, :2 …    press button 1, 2 … of the latest message with buttons
  :location LAT LNG   share a place (📍), e.g. :location 40.71 -74.01 for New York
  :tomorrow   move the clock to your next daily tip, which then arrives at once
  :now        the sandbox's date and time
  :help       this list
  :quit       leave (Ctrl-D does too)"""


async def converse(
    lines: AsyncIterable[str],
    write: Callable[[str], None],
    database: Path,
    *,
    clock: SandboxClock,
    styled: bool = False,
    width: int | None = None,
    echo: bool = False,
    pacing: Pacing = REAL_TIME,
    library: Library | None = None,
) -> None:
    """The bot and the emulator, and a chat fed by `lines` and shown with `write`, until a
    line says :quit or the lines run out. Tests pass the gateway's time (`pacing`), and a
    library whose tips they know (the shipped one by default)."""
    store, library = Store.open(database), library or load_library()
    try:
        async with BotAPIEmulator() as telegram:
            app, tips = _sandbox_bot(telegram, store, library, clock, pacing, write)
            chat = TerminalChat(telegram, CHAT_ID, write, styled=styled, width=width)
            sandbox = Sandbox(services_of(app), chat, clock, write, tips)
            stop = asyncio.Event()
            serving = asyncio.create_task(serve(app, stop))
            try:
                await _until_polling(telegram, serving)
                write(_intro(clock))
                await sandbox.run(lines, echo=echo)
            finally:
                sandbox.close()
                stop.set()
                await serving
    finally:
        store.close()


def _sandbox_bot(
    telegram: BotAPIEmulator,
    store: Store,
    library: Library,
    clock: SandboxClock,
    pacing: Pacing,
    write: Callable[[str], None],
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


class Sandbox:
    """The sandbox's own commands; daily tips come from the bot's own delivery loop and its
    sweeper, which run on the sandbox clock (`:tomorrow` only moves the clock and wakes it)."""

    def __init__(
        self,
        services: Services,
        chat: TerminalChat,
        clock: SandboxClock,
        write: Callable[[str], None],
        tips: DailyTips,
    ) -> None:
        self._services = services
        self._chat = chat
        self._clock = clock
        self._write = write
        self._tips = tips

    async def run(self, lines: AsyncIterable[str], *, echo: bool) -> None:
        """Handle typed lines, showing the bot's messages as they come, until :quit."""
        watcher = asyncio.create_task(self._show_as_they_come())
        try:
            async for line in lines:
                if echo:
                    self._write(f"you › {line}")
                if not await self.handle(line):
                    break
        finally:
            watcher.cancel()
        self._chat.show_new()

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when it asks to leave."""
        command = line.strip()
        if command in (":quit", ":q"):
            return False
        if command == ":help":
            self._write(HELP)
        elif command == ":tomorrow":
            await self.tomorrow()
        elif command == ":now":
            self._write(f"🕰 {self._now()} in the sandbox")
        elif command.startswith(":") and not (
            is_press(command) or command.startswith(LOCATION_COMMAND)
        ):
            self._write(f"! {command} is no sandbox command; :help lists them")
        elif command:
            await self._say(line)
        return True

    async def tomorrow(self) -> None:
        """Move the clock to the next daily tip and deliver it."""
        services = self._services
        due = services.store.earliest_due()
        if due is None:
            self._write("! no daily tip is coming: /start subscribes")
            return
        self._clock.jump_to(due)
        self._write(f"⏩ The clock moved on to {self._now()}: your daily tip is due")
        if not await self._tips.next_one(services.loop.look_again, ANSWER_TIMEOUT):
            self._write(f"! no daily tip within {ANSWER_TIMEOUT:.0f} s")
        self._chat.show_new()

    def close(self) -> None:
        """Nothing to undo: the delivery loop stops with the bot."""

    async def _say(self, line: str) -> None:
        since = self._chat.mark()
        try:
            self._chat.act(line)
        except (LookupError, ValueError) as problem:
            self._write(f"! {problem}")
            return
        if not await self._chat.wait_for_answer(since, ANSWER_TIMEOUT):
            self._write(f"! no answer from the bot within {ANSWER_TIMEOUT:.0f} s")
        self._chat.show_new()

    async def _show_as_they_come(self) -> None:
        """Messages that answer nothing typed (a late reply) are shown when they arrive."""
        while True:
            await self._chat.wait_for_answer(self._chat.mark(), timeout=3600)
            self._chat.show_new()

    def _now(self) -> str:
        return sandbox_time(self._services.store, self._services.settings, self._clock)


def sandbox_time(store: Store, settings: Settings, clock: SandboxClock) -> str:
    """The sandbox's date and time, in the chat's timezone."""
    default = settings.default_schedule
    subscriber = store.subscriber(CHAT_ID, default)
    now = clock().astimezone((subscriber.schedule if subscriber else default).timezone)
    return f"{now:%a %d %b %Y, %H:%M} ({now.tzinfo})"
