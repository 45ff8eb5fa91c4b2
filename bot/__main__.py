"""`python -m bot` / `gutbone-bot`: run GutBone Daily, operate it, try it, or curate its tips."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from telegram.error import InvalidToken

from bot.service import operate
from bot.service.config import (
    ConfigError,
    check_env_file,
    raw_secrets,
)
from bot.service.context import services_of
from bot.service.faults import DeliveryLoopFailed
from bot.service.logs import PROGRAM, Redactor, crash_line, install_crash_hooks
from bot.service.metrics import MetricsUnavailable
from bot.service.runner import serve_until_signalled
from bot.service.wiring import CannotStart, application_from_environment
from bot.transport.gateway import GatewayFailed
from bot.transport.polling import TokenRevoked
from bot.transport.webhook import WebhookError
from storage import Store, StoreError
from tips import FeedbackUnreadable
from tips.__main__ import main as tips_main

logger = logging.getLogger(__name__)

EXIT_TOKEN_REVOKED = 3  # 1: unexpected error, 2: configuration (systemd: do not restart)
EXIT_GATEWAY_FAILED = 4  # the gateway kept failing, or the delivery loop died: restart


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen command (the bot itself by default); return the exit code.

    Anything unexpected ends as one redacted line and exit code 1, never a traceback that
    could quote the token; the traceback goes to the (redacting) log at DEBUG.
    """
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    env_file: Path | None = getattr(args, "env_file", None)
    try:
        check_env_file(env_file)
    except ConfigError as problem:
        return _fail(str(problem))
    redact = Redactor(raw_secrets(env_file=env_file))
    install_crash_hooks(redact)
    try:
        return _command(parser, args, rest)
    except Exception as exc:
        logger.debug("Unexpected error", exc_info=True)
        print(crash_line(exc, redact), file=sys.stderr)
        return 1


def _command(parser: argparse.ArgumentParser, args: argparse.Namespace, rest: list[str]) -> int:
    if args.command == "tips":
        return tips_main(rest, read_feedback)
    if args.command == "sandbox":
        return sandbox(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    code = operate.run(args)
    return run(getattr(args, "env_file", None)) if code is None else code


def _parser() -> argparse.ArgumentParser:
    common = operate.env_file_option()
    parser = argparse.ArgumentParser(prog=PROGRAM, description=__doc__, parents=[common])
    commands = parser.add_subparsers(dest="command", metavar="command")
    commands.add_parser(
        "run",
        parents=[common],
        help="run the bot (long polling, or a webhook) until SIGINT/SIGTERM (the default)",
    )
    commands.add_parser(
        "tips",
        help="the curator tools: check, stats, sync-references (see `gutbone-bot tips -h`)",
        add_help=False,  # `gutbone-bot tips -h` is answered by the tools themselves
    )
    operate.add_parsers(commands, common)
    commands.add_parser(
        "sandbox",
        help="try the bot in this terminal, no token needed (see `gutbone-bot sandbox -h`)",
        add_help=False,  # `gutbone-bot sandbox -h` is answered by the sandbox itself
    )
    return parser


def run(env_file: Path | None = None) -> int:
    """Start the bot; configuration problems end with one line each and exit code 2, a token
    revoked while running with exit code 3, a gateway that kept failing (or a delivery loop
    that died) with exit code 4."""
    try:
        app = application_from_environment(env_file)
    except CannotStart as problem:
        return _fail(*problem.problems)
    try:
        asyncio.run(serve_until_signalled(app))
    except InvalidToken:
        return _fail("Telegram rejected TELEGRAM_BOT_TOKEN: check it with @BotFather")
    except (MetricsUnavailable, WebhookError) as problem:
        return _fail(str(problem))
    except TokenRevoked:  # already said in the log; a distinct code for systemd and alerts
        return EXIT_TOKEN_REVOKED
    except (GatewayFailed, DeliveryLoopFailed):  # said in the log; systemd restarts the bot
        return EXIT_GATEWAY_FAILED
    finally:
        services_of(app).store.close()
    return 0


def read_feedback(path: Path) -> dict[str, tuple[int, int]]:
    """👍 and 👎 per tip from the bot's database, for `gutbone-bot tips stats --database`."""
    if not path.is_file():  # opening would create an empty one
        raise FeedbackUnreadable(f"no database at {path}")
    try:
        store = Store.open(path)
    except (sqlite3.Error, OSError, StoreError) as problem:
        raise FeedbackUnreadable(f"cannot read the database at {path}: {problem}") from problem
    try:
        return {tip_id: (v.up, v.down) for tip_id, v in store.feedback_counts().items()}
    finally:
        store.close()


def sandbox(argv: Sequence[str]) -> int:
    """The sandbox: the bot and the emulator in this process (imported only when asked for)."""
    from bot.sandbox import main as sandbox_main

    return sandbox_main(argv)


def _fail(*messages: str) -> int:
    for message in messages:
        print(f"{PROGRAM}: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
