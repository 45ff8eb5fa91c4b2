"""The sandbox's side of the chat: what a typed line does (a message to the bot, a press, or
one of the sandbox's own `:` commands), and waiting until the bot has answered it in full."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, Awaitable, Callable

from bot.sandbox.clock import SandboxClock
from bot.sandbox.terminal import PROMPT
from bot.service.config import Settings
from bot.service.context import Services
from emulator import LOCATION_COMMAND, TerminalChat, is_press
from storage import Store

__all__ = ["ANSWER_TIMEOUT", "CHAT_ID", "HELP", "Sandbox", "sandbox_time"]

CHAT_ID = 1  # the private chat you type in
ANSWER_TIMEOUT = 10.0  # seconds to wait for the bot's answer before reading the next line
HELP = """\
Anything you type goes to the bot as your message (/start, /tip fiber, /time 07:30, /help …), \
except these sandbox commands:
  :1, :2 …    press button 1, 2 … of the latest message with buttons
  :tap WORDS  press the button that says WORDS (:tap europe, :tap why)
  :location LAT LNG   share a place (📍), e.g. :location 40.71 -74.01 for New York
  :tomorrow   move the clock to your next daily tip, which then arrives at once
  :now        the sandbox's date and time
  :help       this list
  :quit       leave (Ctrl-D does too)"""


class Sandbox:
    """The sandbox's own commands; daily tips come from the bot's own delivery loop and its
    sweeper, which run on the sandbox clock (`:tomorrow` only moves the clock and wakes it).
    `settled` waits until the bot has done all a line asked for (a press's answer and its
    edit); `buttons` are the labels of the latest message with buttons; `show_new` shows what
    the bot sent since it was last called."""

    def __init__(
        self,
        services: Services,
        chat: TerminalChat,
        clock: SandboxClock,
        write: Callable[[str], None],
        next_daily_tip: Callable[[float], Awaitable[bool]],
        *,
        settled: Callable[[], Awaitable[None]],
        buttons: Callable[[], tuple[str, ...]],
        show_new: Callable[[], None],
    ) -> None:
        self._services = services
        self._chat = chat
        self._clock = clock
        self._write = write
        self._next_daily_tip = next_daily_tip
        self._settled = settled
        self._buttons = buttons
        self.show_new = show_new

    async def run(self, lines: AsyncIterable[str], *, echo: bool) -> None:
        """Handle typed lines, showing the bot's messages as they come, until :quit."""
        watcher = asyncio.create_task(self._show_as_they_come())
        try:
            async for line in lines:
                if echo:
                    self._write(f"{PROMPT}{line}")
                if not await self.handle(line):
                    break
        finally:
            watcher.cancel()
        self.show_new()

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
        elif command.startswith(":tap"):
            await self._tap(command.removeprefix(":tap").strip())
        elif command.startswith(":") and not (
            is_press(command) or command.startswith(LOCATION_COMMAND)
        ):
            self._write(f"! {command} is no sandbox command; :help lists them")
        elif command:
            await self._say(line)
        return True

    async def tomorrow(self) -> None:
        """Move the clock to the next daily tip and deliver it."""
        due = self._services.store.earliest_due()
        if due is None:
            self._write("! no daily tip is coming: /start subscribes")
            return
        self._clock.jump_to(due)
        self._write(f"⏩ The clock moved on to {self._now()}: your daily tip is due")
        if not await self._next_daily_tip(ANSWER_TIMEOUT):
            self._write(f"! no daily tip within {ANSWER_TIMEOUT:.0f} s")
        self.show_new()

    async def _tap(self, words: str) -> None:
        labels = [label.casefold() for label in self._buttons()]
        wanted = words.casefold()
        found = [n for n, label in enumerate(labels, 1) if label == wanted]
        found += [n for n, label in enumerate(labels, 1) if wanted and wanted in label]
        if not found:
            self._write(f'! no button says "{words}" under the latest message with buttons')
            return
        await self._say(f":{found[0]}")

    async def _say(self, line: str) -> None:
        since = self._chat.mark()
        try:
            self._chat.act(line)
        except (LookupError, ValueError) as problem:
            self._write(f"! {problem}")
            return
        if not await self._chat.wait_for_answer(since, ANSWER_TIMEOUT):
            self._write(f"! no answer from the bot within {ANSWER_TIMEOUT:.0f} s")
        else:  # the first answer came: wait for the rest (a press's edit follows its answer)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._settled(), ANSWER_TIMEOUT)
        self.show_new()

    async def _show_as_they_come(self) -> None:
        """Messages that answer nothing typed (a late reply) are shown when they arrive."""
        while True:
            await self._chat.wait_for_answer(self._chat.mark(), timeout=3600)
            self.show_new()

    def _now(self) -> str:
        return sandbox_time(self._services.store, self._services.settings, self._clock)


def sandbox_time(store: Store, settings: Settings, clock: SandboxClock) -> str:
    """The sandbox's date and time, in the chat's timezone."""
    default = settings.default_schedule
    subscriber = store.subscriber(CHAT_ID, default)
    now = clock().astimezone((subscriber.schedule if subscriber else default).timezone)
    return f"{now:%a %d %b %Y, %H:%M} ({now.tzinfo})"
