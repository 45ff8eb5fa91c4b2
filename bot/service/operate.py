"""The operator's commands: `check`, `stats`, `backup` and `health`.

None of them needs Telegram, and all but `check` need only `DATABASE_PATH` (a missing token must
not stop a backup). `--env-file PATH` reads the settings from the service's file, as the unit
does, so `sudo -u gutbone gutbone-bot --env-file /etc/gutbone/gutbone.env stats` sees what the
service sees. They open the database read-only and never upgrade it, so they are safe beside a
running bot. Problems end as one line; the exit code says it all.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.commands.texts import render_stats
from bot.service.checking import check
from bot.service.config import database_path
from bot.service.logs import PROGRAM
from scheduler.engine import SAFETY_SWEEP_SECONDS
from storage import NoDatabase, StoreError, heartbeat, offline, stats

OK, PROBLEM = 0, 1
HEALTHY_WITHIN = 2 * SAFETY_SWEEP_SECONDS  # seconds since the last sign of a sweep
WHERE = "set DATABASE_PATH to the bot's database, or pass --env-file with the service's settings"


def env_file_option() -> argparse.ArgumentParser:
    """`--env-file PATH`, for `gutbone-bot` and each of its commands (a parent parser)."""
    option = argparse.ArgumentParser(add_help=False)
    option.add_argument(
        "--env-file",
        type=Path,
        metavar="PATH",
        default=argparse.SUPPRESS,  # given before or after the command: neither hides the other
        help="read the settings from PATH instead of ./.env (real environment variables win)",
    )
    return option


def add_parsers(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add the operator's commands to `gutbone-bot`'s sub-commands."""
    commands.add_parser(
        "check",
        parents=[common],
        help="check the configuration, the tip library and the database (exit 0 / 1 / 2)",
        description="One line per check, every problem at once. Exit code 0: all good; 1: a"
        " problem with the library or the database; 2: a configuration error. Opens the"
        " database for writing as the bot will (as this user), and changes nothing.",
    ).set_defaults(operate=check)
    stats_parser = commands.add_parser(
        "stats",
        parents=[common],
        help="the figures /stats shows: subscribers, deliveries, sweeps, 429s",
        description="Read the figures from DATABASE_PATH (read-only; days are UTC days).",
    )
    stats_parser.add_argument("--json", action="store_true", help="one JSON object, for scripts")
    stats_parser.set_defaults(operate=show_stats)
    _add_backup(commands, common)
    health_parser = commands.add_parser(
        "health",
        parents=[common],
        help="exit 0 if the delivering process has swept recently, else 1 with the reason",
        description="Healthy: a process holds the delivery lease, and a sweep made progress"
        f" within --max-age seconds (default {HEALTHY_WITHIN}: two safety-sweep intervals)."
        " Exit code 0 or 1 only, as Docker's HEALTHCHECK expects.",
    )
    health_parser.add_argument(
        "--max-age",
        type=float,
        default=HEALTHY_WITHIN,
        metavar="SECONDS",
        help=f"how recent a sweep must be (default {HEALTHY_WITHIN})",
    )
    health_parser.set_defaults(operate=health)


def _add_backup(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    parser = commands.add_parser(
        "backup",
        parents=[common],
        help="copy the database to PATH, safely while the bot runs, and verify the copy",
        description="SQLite's online backup of DATABASE_PATH to PATH, checked with quick_check"
        " before it takes the name PATH. PATH may be a folder: the copy is then named for the"
        " time, gutbone-YYYYMMDDTHHMMSSZ.db. Restore: stop the bot, copy it over DATABASE_PATH.",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="the backup file, or a folder")
    parser.add_argument("--force", action="store_true", help="replace PATH if it exists")
    parser.add_argument(
        "--keep",
        type=_positive,
        metavar="N",
        help="PATH is a folder (made if missing): keep its newest N backups, remove older ones",
    )
    parser.set_defaults(operate=backup)


def _positive(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError("must be a whole number, 1 or more")
    return int(raw)


def run(args: argparse.Namespace) -> int | None:
    """Run the operator's command `args` names; None if it names none of them."""
    operate: Callable[[argparse.Namespace], int] | None = getattr(args, "operate", None)
    return operate(args) if operate is not None else None


def _database(args: argparse.Namespace) -> Path:
    return database_path(env_file=getattr(args, "env_file", None))


def _unreadable(path: Path, problem: Exception) -> str:
    """Why the database cannot be read; where there is none, which setting says where."""
    hint = f": {WHERE}" if isinstance(problem, NoDatabase) else ""
    return f"cannot read {path}: {problem}{hint}"


# stats, backup, health -----------------------------------------------------------------------


def show_stats(args: argparse.Namespace) -> int:
    """Print the figures, as text or as one JSON object."""
    path = _database(args)
    try:
        with closing(offline.open_current(path)) as db:
            figures = stats.gather(db, datetime.now(UTC))
    except (StoreError, sqlite3.Error) as problem:
        return _fail(_unreadable(path, problem))
    print(json.dumps(figures.as_json(), indent=2) if args.json else render_stats(figures))
    return OK


def backup(args: argparse.Namespace) -> int:
    """Copy the database to `args.path` (or into it) and say how big the verified copy is."""
    path, target, now = _database(args), args.path, datetime.now(UTC)
    if args.keep is not None:
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
    if target.is_dir():
        target = target / offline.backup_name(now)
    try:
        report = offline.backup(path, target, force=args.force)
    except NoDatabase as problem:
        return _fail(f"no backup made: {problem}: {WHERE}")
    except (StoreError, sqlite3.Error, OSError) as problem:
        return _fail(f"no backup made: {problem}")
    print(
        f"backed up {path} to {report.target}: {_size(report.size)},"
        f" {_count(report.subscribers, 'subscriber')}, schema version {report.version},"
        " quick_check ok"
    )
    if args.keep is not None:
        old = offline.beyond_keep([p.name for p in args.path.iterdir()], args.keep)
        for name in old:
            (args.path / name).unlink()
        kept, removed = _count(args.keep, "backup"), _count(len(old), "older one")
        print(f"kept the newest {kept}, removed {removed}")
    return OK


def health(args: argparse.Namespace) -> int:
    """0 when deliveries look alive, 1 (never 2: Docker reserves it) with the reason if not."""
    path = _database(args)
    now = datetime.now(UTC)
    try:
        with closing(offline.open_current(path)) as db:
            lease, beat = heartbeat.lease_holder(db), heartbeat.read(db)
    except (StoreError, sqlite3.Error) as problem:
        print(f"unhealthy: {_unreadable(path, problem)}")
        return PROBLEM
    reason = heartbeat.health_problem(lease, beat, now, timedelta(seconds=args.max_age))
    if reason is not None:
        print(f"unhealthy: {reason}")
        return PROBLEM
    assert lease is not None and beat is not None, "healthy means both exist"
    print(
        f"healthy: {lease.holder} delivers; last sign of a sweep"
        f" {(now - beat.progress_at).total_seconds():.0f} s ago"
    )
    return OK


def _count(number: int, noun: str) -> str:
    """`1 subscriber`, `2 subscribers` (the nouns here all take an s)."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _size(size: int) -> str:
    value, unit = float(size), "bytes"
    for bigger in ("KB", "MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"


def _fail(message: str) -> int:
    print(f"{PROGRAM}: {message}", file=sys.stderr)
    return PROBLEM
