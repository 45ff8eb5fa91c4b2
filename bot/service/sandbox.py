"""`gutbone-bot sandbox`: try the real bot in this terminal, with no token and no network.

The bot and the Bot API emulator run in one process on 127.0.0.1, with a database in a
temporary folder that goes when the sandbox ends (unless `--keep`). You are a new user in a
private chat: type /start, /tip, press a button with :1, and see the replies. `:tomorrow`
moves the clock to your next daily tip, which then arrives at once; with `--fast-clock` a
sandbox day passes in a minute, so daily tips come by themselves. `:help` lists the rest.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import sys
import tempfile
import time
from collections.abc import AsyncIterable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.service.config import parse_settings
from bot.service.context import Services, services_of
from bot.service.logs import PROGRAM, configure_logging
from bot.service.runner import serve
from bot.service.wiring import build_application
from bot.transport.gateway import Gateway
from emulator import TEST_TOKEN, BotAPIEmulator
from emulator.chat import TerminalChat, is_press, stdin_lines
from storage import Store
from tips import LIBRARY_DIR, Library, LibraryError, load_library

CHAT_ID = 1  # the private chat you type in
ANSWER_TIMEOUT = 10.0  # seconds to wait for the bot's answer before reading the next line
DAY = 24 * 60 * 60.0
FAST_CLOCK_SPEED = DAY / 60  # --fast-clock: a sandbox day in a minute
INTRO = (
    "GutBone Daily sandbox: the real bot, talking to a stand-in for Telegram on this machine\n"
    "(no token, nothing leaves 127.0.0.1). You are a new user in a private chat with the bot.\n"
    "Type /start to subscribe, /tip for a tip now, :help for the sandbox's own commands."
)
HELP = """\
Anything you type goes to the bot as your message (/start, /tip fiber, /time 07:30, /help …),
except these sandbox commands:
  :1, :2 …    press button 1, 2 … of the latest message with buttons
  :tomorrow   move the clock to your next daily tip, which then arrives at once
  :now        the sandbox's date and time
  :help       this list
  :quit       leave (Ctrl-D does too)"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sandbox on stdin and stdout until :quit, end of input or Ctrl-C."""
    args = _parser().parse_args(argv)
    configure_logging("WARNING", secrets=[TEST_TOKEN])  # problems only: the chat is the output
    try:
        library = load_library(args.library)
    except LibraryError as problem:
        print(f"{PROGRAM} sandbox: {problem}", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="gutbone-sandbox-"))
    clock = SandboxClock(datetime.now(UTC), speed=FAST_CLOCK_SPEED if args.fast_clock else 1)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                converse(
                    stdin_lines(),
                    _print,
                    folder / "gutbone.db",
                    clock=clock,
                    styled=sys.stdout.isatty(),
                    width=shutil.get_terminal_size((100, 24)).columns,
                    echo=not sys.stdin.isatty(),  # piped input: show what was "typed"
                    library=library,
                )
            )
    finally:
        if args.keep:
            _print(f"The sandbox's database is kept: {folder / 'gutbone.db'}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"{PROGRAM} sandbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--fast-clock", action="store_true", help="a sandbox day passes in a minute of real time"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the database at the end (and say where)"
    )
    parser.add_argument(
        "--library",
        type=Path,
        default=LIBRARY_DIR,
        metavar="DIR",
        help="a tip library to try instead of the shipped one (a curator's draft)",
    )
    return parser


class SandboxClock:
    """The bot's clock in the sandbox: real time, `speed` times faster, moved on by `jump_to`."""

    def __init__(
        self,
        start: datetime,
        *,
        speed: float = 1,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._start = start
        self.speed = speed
        self._monotonic = monotonic
        self._started = monotonic()
        self._jumped = timedelta()

    def __call__(self) -> datetime:
        elapsed = (self._monotonic() - self._started) * self.speed
        return self._start + self._jumped + timedelta(seconds=elapsed)

    def jump_to(self, moment: datetime) -> None:
        """Move the clock forward to `moment` (a moment already past leaves it as it is)."""
        self._jumped += max(moment - self(), timedelta())

    async def sleep(self, seconds: float) -> None:
        """Sleep `seconds` of sandbox time (the delivery loop's sleep)."""
        await asyncio.sleep(seconds / self.speed)

    def real_seconds_until(self, moment: datetime) -> float:
        """How long, in real seconds, until the clock shows `moment` (0 if it is past)."""
        return max((moment - self()).total_seconds() / self.speed, 0.0)


async def converse(
    lines: AsyncIterable[str],
    write: Callable[[str], None],
    database: Path,
    *,
    clock: SandboxClock,
    styled: bool = False,
    width: int | None = None,
    echo: bool = False,
    gateway: Gateway | None = None,
    library: Library | None = None,
) -> None:
    """The bot and the emulator, and a chat fed by `lines` and shown with `write`, until a
    line says :quit or the lines run out. Tests pass a gateway whose time they control, and
    a library whose tips they know (the shipped one by default)."""
    store, library = Store.open(database), library or load_library()
    try:
        async with BotAPIEmulator() as telegram:
            values = {"TELEGRAM_BOT_TOKEN": TEST_TOKEN, "TELEGRAM_API_BASE_URL": telegram.base_url}
            app = build_application(
                parse_settings(values),
                store,
                library,
                clock=clock,
                sleep=clock.sleep,
                gateway=gateway,
                leased=False,  # one process, one throwaway database
            )
            chat = TerminalChat(telegram, CHAT_ID, write, styled=styled, width=width)
            sandbox = Sandbox(services_of(app), chat, clock, write)
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


class Sandbox:
    """The sandbox's own commands; daily tips come from the bot's own delivery loop, which
    runs on the sandbox clock."""

    def __init__(
        self,
        services: Services,
        chat: TerminalChat,
        clock: SandboxClock,
        write: Callable[[str], None],
    ) -> None:
        self._services = services
        self._chat = chat
        self._clock = clock
        self._write = write
        self._moving_on = False  # :tomorrow is delivering the tip itself
        services.delivery.outcome_listeners.append(self._delivered)

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
        elif command.startswith(":") and not is_press(command):
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
        self._moving_on = True
        try:
            await services.delivery.sweep()
        finally:
            self._moving_on = False
        self._chat.show_new()
        services.wake_at(self._clock())  # the loop slept on the old time: let it look again

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

    def _delivered(self, _status: object) -> None:
        """A daily tip came by itself (a fast clock, or a wait until the minute)."""
        if not self._moving_on:
            self._write(f"⏰ {self._now()} in the sandbox: your daily tip is due")

    async def _show_as_they_come(self) -> None:
        """Messages that answer nothing typed (a late reply) are shown when they arrive."""
        while True:
            await self._chat.wait_for_answer(self._chat.mark(), timeout=3600)
            self._chat.show_new()

    def _now(self) -> str:
        """The sandbox's date and time, in the chat's timezone."""
        services = self._services
        default = services.settings.default_schedule
        subscriber = services.store.subscriber(CHAT_ID, default)
        now = self._clock().astimezone((subscriber.schedule if subscriber else default).timezone)
        return f"{now:%a %d %b %Y, %H:%M} ({now.tzinfo})"


def _print(text: str) -> None:
    print(text, flush=True)
