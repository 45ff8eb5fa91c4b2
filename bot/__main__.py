"""`python -m bot` / `gutbone-bot`: run GutBone Daily with long polling until SIGINT/SIGTERM.

`gutbone-bot tips check|stats|sync-references` runs the curator tools of `python -m tips`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys

from telegram.error import InvalidToken

from bot.app import build_application
from bot.config import ConfigError, Settings, load_settings
from bot.logs import configure_logging
from bot.runner import serve_until_signalled
from storage import Store
from tips import LibraryError, load_library
from tips.__main__ import main as tips_main


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the curator tools or run the bot."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] in (["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    if args[:1] == ["tips"]:
        return tips_main(args[1:])
    if args and args != ["run"]:
        return _fail(
            f"unknown command {args[0]!r}; use `gutbone-bot` (or `run`) or `gutbone-bot tips`"
        )
    return run()


def run() -> int:
    """Start the bot; configuration problems end with one line and exit code 2."""
    try:
        settings = load_settings()
    except ConfigError as problem:
        return _fail(str(problem))
    configure_logging(settings.log_level, secrets=[settings.token])
    try:
        library = load_library()
    except LibraryError as problem:
        return _fail(str(problem))
    try:
        store = Store.open(settings.database_path)
    except (sqlite3.Error, OSError) as problem:
        return _fail(_database_problem(settings, problem))
    try:
        asyncio.run(serve_until_signalled(build_application(settings, store, library)))
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather")
    finally:
        store.close()
    return 0


def _database_problem(settings: Settings, problem: Exception) -> str:
    return (
        f"cannot open the database at {settings.database_path} ({problem}); "
        "set DATABASE_PATH to a writable file"
    )


def _fail(message: str) -> int:
    print(f"gutbone-bot: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
