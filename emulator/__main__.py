"""Run the emulator on its own: ``python -m emulator --port 8081 --token 123:ABC``.

Point a bot at the printed base URL. Lines typed here reach the bot as messages from a user
(``--chat``); ``:1`` presses the first button of the latest message with buttons,
``:press MESSAGE_ID DATA`` any button; Ctrl-C stops.
With ``--headless`` nothing is read or printed after the base URL: users are acted through the
``/_emulator/`` control endpoints (``emulator.control``), and SIGTERM stops it too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import signal
import sys

from emulator.chat import TerminalChat, stdin_lines
from emulator.server import TEST_TOKEN, BotAPIEmulator


def main(argv: list[str] | None = None) -> None:
    """Serve until Ctrl-C."""
    args = _parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default=TEST_TOKEN)
    parser.add_argument("--bot-username", default="GutBoneDailyBot")
    parser.add_argument("--chat", type=int, default=1, help="the private chat you type in")
    parser.add_argument("--flood-control", action="store_true", help="answer 429 past limits")
    parser.add_argument(
        "--headless",
        action="store_true",
        help="no typing or printing: serve the /_emulator/ control endpoints until SIGINT/SIGTERM",
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    emulator = BotAPIEmulator(
        args.token,
        host=args.host,
        port=args.port,
        bot_username=args.bot_username,
        control=args.headless,
    )
    emulator.flood_control = args.flood_control
    async with emulator:
        print(f"Bot API emulator listening: base_url {emulator.base_url}", flush=True)
        if args.headless:
            await _until_signalled()
            return
        print(f"Type to write to the bot as chat {args.chat}; Ctrl-C stops.", flush=True)
        styled, width = sys.stdout.isatty(), shutil.get_terminal_size((100, 24)).columns
        chat = TerminalChat(emulator, args.chat, _print, styled=styled, show_ids=True, width=width)
        watcher = asyncio.create_task(_show_bot_messages(emulator, chat))
        try:
            async for line in stdin_lines():
                try:
                    chat.act(line)
                except (LookupError, ValueError) as exc:
                    print(f"! {exc}", flush=True)
            await asyncio.Event().wait()  # stdin closed: keep serving
        finally:
            watcher.cancel()


async def _show_bot_messages(emulator: BotAPIEmulator, chat: TerminalChat) -> None:
    """Print what the bot sends as it arrives, whatever is being typed."""
    while True:
        await chat.wait_for_answer(chat.mark(), timeout=3600)
        chat.show_new()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def _print(text: str) -> None:
    print(text, flush=True)


if __name__ == "__main__":
    main()
