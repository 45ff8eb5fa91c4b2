"""`gutbone-bot sandbox`: try the real bot in this terminal, with no token and no network.

The bot and the Bot API emulator run in one process on 127.0.0.1, with a database in a
temporary folder that goes when the sandbox ends (unless `--keep`). You are a new user in a
private chat: type /start, /tip, press a button with :1, and see the replies. `:tomorrow`
moves the clock to your next daily tip, which then arrives at once; with `--fast-clock` a
sandbox day passes in a minute, so daily tips come by themselves. `:help` lists the rest.
Lines fit the terminal's width (80 columns when it has none); a file the bot sends (/export)
is saved in the current folder, or in --downloads DIR.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import shutil
import sys
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.sandbox.clock import FAST_CLOCK_SPEED, SandboxClock
from bot.sandbox.session import converse
from bot.sandbox.terminal import Terminal
from bot.service.logs import PROGRAM, configure_logging
from emulator import TEST_TOKEN, stdin_lines
from tips import LIBRARY_DIR, LibraryError, load_library


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
    start = args.at or datetime.now(UTC)
    clock = SandboxClock(start, speed=FAST_CLOCK_SPEED if args.fast_clock else 1)
    typing = sys.stdin.isatty()
    terminal = Terminal(sys.stdout, prompt=typing)  # piped input: each line echoed instead
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(
                converse(
                    terminal.lines(stdin_lines()),
                    terminal.write,
                    folder / "gutbone.db",
                    clock=clock,
                    styled=sys.stdout.isatty(),
                    width=shutil.get_terminal_size((80, 24)).columns,
                    echo=not typing,
                    library=library,
                    downloads=args.downloads,
                    rng=None if args.seed is None else random.Random(args.seed),
                )
            )
    finally:
        if args.keep:
            terminal.write(f"The sandbox's database is kept: {folder / 'gutbone.db'}")
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
    parser.add_argument(
        "--downloads",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="where files the bot sends (/export) are saved (default: the current folder)",
    )
    parser.add_argument(
        "--at",
        type=_moment,
        metavar="MOMENT",
        help="start the sandbox's clock there, e.g. 2026-03-08T07:55Z (default: now)",
    )
    parser.add_argument(
        "--seed", type=int, metavar="N", help="pick tips with this seed (a transcript to repeat)"
    )
    return parser


def _moment(text: str) -> datetime:
    """`--at`: an ISO 8601 moment with its offset (a bare time would be no one's)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} is no moment with an offset, e.g. 2026-03-08T07:55Z"
        )
    return moment
