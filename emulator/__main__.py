"""Run the emulator on its own: ``python -m emulator --port 8081 --token 123:ABC``.

Point a bot at the printed base URL. Lines typed here reach the bot as messages from a user
(``--chat``); ``:press MESSAGE_ID DATA`` presses an inline button; Ctrl-C stops.
With ``--headless`` nothing is read or printed after the base URL: users are acted through the
``/_emulator/`` control endpoints (``emulator.control``), and SIGTERM stops it too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import threading

from emulator.server import TEST_TOKEN, BotAPIEmulator
from emulator.state import SentMessage


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
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        _read_stdin(asyncio.get_running_loop(), lines)
        watcher = asyncio.create_task(_print_bot_messages(emulator))
        try:
            await _type_as_user(emulator, lines, args.chat)
            await asyncio.Event().wait()  # stdin closed: keep serving
        finally:
            watcher.cancel()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def _read_stdin(loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]) -> None:
    """Read stdin in a daemon thread, so a blocked read never holds up Ctrl-C."""

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="emulator-stdin", daemon=True).start()


async def _type_as_user(
    emulator: BotAPIEmulator, lines: asyncio.Queue[str | None], chat_id: int
) -> None:
    while (line := await lines.get()) is not None:
        try:
            _act(emulator, line, chat_id)
        except (LookupError, ValueError) as exc:
            print(f"! {exc}", flush=True)


def _act(emulator: BotAPIEmulator, line: str, chat_id: int) -> None:
    if line.startswith(":press "):
        _, message_id, data = line.split(" ", 2)
        emulator.user_presses(chat_id, int(message_id), data)
    elif line.strip():
        emulator.user_sends(chat_id, line)


async def _print_bot_messages(emulator: BotAPIEmulator) -> None:
    shown = (0, 0)

    def counts() -> tuple[int, int]:
        return len(emulator.sent), len(emulator.edits)

    while True:

        def changed(seen: tuple[int, int] = shown) -> bool:
            return counts() != seen

        await emulator.wait_until(changed, timeout=3600)
        for message in emulator.sent[shown[0] :]:
            print(_render("<-", message), flush=True)
        for message in emulator.edits[shown[1] :]:
            print(_render("<- edited", message), flush=True)
        shown = counts()


def _render(arrow: str, message: SentMessage) -> str:
    buttons = f"\n   [buttons: {', '.join(message.callback_data)}]" if message.callback_data else ""
    return f"{arrow} #{message.message_id} to {message.chat_id}: {message.visible_text}{buttons}"


if __name__ == "__main__":
    main()
