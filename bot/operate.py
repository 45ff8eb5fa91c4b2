"""The operator's commands: `check`, `stats`, `backup` and `health`.

None of them needs Telegram, and all but `check` need only `DATABASE_PATH` (a missing token must
not stop a backup). They open the database read-only and never upgrade it, so they are safe
beside a running bot. Problems end as one line; the exit code says it all.
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

from bot.config import ConfigError, Settings, database_path, load_settings
from bot.logs import PROGRAM
from bot.texts import render_stats
from scheduler.delivery import SAFETY_SWEEP_SECONDS
from storage import StoreError, heartbeat, offline, stats
from tips import LIBRARY_DIR, LibraryError, load_library

OK, PROBLEM, CONFIGURATION = 0, 1, 2
HEALTHY_WITHIN = 2 * SAFETY_SWEEP_SECONDS  # seconds since the last sign of a sweep


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operator's commands to `gutbone-bot`'s sub-commands."""
    commands.add_parser(
        "check",
        help="check the configuration, the tip library and the database (exit 0 / 1 / 2)",
        description="One line per check. Exit code 0: all good; 1: a problem with the library"
        " or the database; 2: a configuration error. Changes nothing.",
    ).set_defaults(operate=check)
    stats_parser = commands.add_parser(
        "stats",
        help="the figures /stats shows: subscribers, deliveries, sweeps, 429s",
        description="Read the figures from DATABASE_PATH (read-only; days are UTC days).",
    )
    stats_parser.add_argument("--json", action="store_true", help="one JSON object, for scripts")
    stats_parser.set_defaults(operate=show_stats)
    backup_parser = commands.add_parser(
        "backup",
        help="copy the database to PATH, safely while the bot runs, and verify the copy",
        description="SQLite's online backup of DATABASE_PATH to PATH, checked with quick_check"
        " before it takes the name PATH. Restore: stop the bot, copy PATH over DATABASE_PATH.",
    )
    backup_parser.add_argument("path", type=Path, metavar="PATH", help="the backup file")
    backup_parser.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup_parser.set_defaults(operate=backup)
    health_parser = commands.add_parser(
        "health",
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


def run(args: argparse.Namespace) -> int | None:
    """Run the operator's command `args` names; None if it names none of them."""
    operate: Callable[[argparse.Namespace], int] | None = getattr(args, "operate", None)
    return operate(args) if operate is not None else None


# check ---------------------------------------------------------------------------------------


def check(args: argparse.Namespace) -> int:
    """Configuration, library, database: one line each; the worst result is the exit code."""
    settings, code = _check_configuration()
    code = max(code, _check_library(settings.tips_library if settings else LIBRARY_DIR))
    path = settings.database_path if settings else database_path()
    return max(code, _check_database(path))


def _check_configuration() -> tuple[Settings | None, int]:
    try:
        settings = load_settings()
    except ConfigError as problem:
        _line(False, f"configuration: {problem}")
        return None, CONFIGURATION
    _line(True, "configuration")
    return settings, OK


def _check_library(root: Path) -> int:
    try:
        library = load_library(root)
    except LibraryError as problem:
        first = problem.problems[0] if problem.problems else problem
        _line(False, f"tip library: {len(problem.problems)} problem(s), the first: {first}")
        return PROBLEM
    _line(True, f"tip library: {len(library.tips)} tips, {len(library.references)} references")
    return OK


def _check_database(path: Path) -> int:
    if not path.exists():
        _line(True, f"database {path}: none yet (created at the first start)")
        return OK
    try:
        found = offline.inspect(path)
    except (StoreError, sqlite3.Error, OSError) as problem:
        _line(False, f"database {path}: {problem}")
        return PROBLEM
    upgrade = " (upgraded at the next start: back up first)" if found.version < found.latest else ""
    _line(True, f"database {path}: quick_check ok, schema version {found.version}{upgrade}")
    return OK


def _line(good: bool, text: str) -> None:
    print(f"{'ok  ' if good else 'FAIL'}  {text}")


# stats, backup, health -----------------------------------------------------------------------


def show_stats(args: argparse.Namespace) -> int:
    """Print the figures, as text or as one JSON object."""
    path = database_path()
    try:
        with closing(offline.open_current(path)) as db:
            figures = stats.gather(db, datetime.now(UTC))
    except (StoreError, sqlite3.Error) as problem:
        return _fail(f"cannot read {path}: {problem}")
    print(json.dumps(figures.as_json(), indent=2) if args.json else render_stats(figures))
    return OK


def backup(args: argparse.Namespace) -> int:
    """Copy the database to `args.path` and say how big the verified copy is."""
    path = database_path()
    try:
        report = offline.backup(path, args.path, force=args.force)
    except (StoreError, sqlite3.Error, OSError) as problem:
        return _fail(f"no backup made: {problem}")
    print(
        f"backed up {path} to {report.target}: {_size(report.size)},"
        f" {report.subscribers} subscribers, schema version {report.version}, quick_check ok"
    )
    return OK


def health(args: argparse.Namespace) -> int:
    """0 when deliveries look alive, 1 (never 2: Docker reserves it) with the reason if not."""
    path = database_path()
    now = datetime.now(UTC)
    try:
        with closing(offline.open_current(path)) as db:
            lease, beat = heartbeat.lease_holder(db), heartbeat.read(db)
    except (StoreError, sqlite3.Error) as problem:
        print(f"unhealthy: cannot read {path}: {problem}")
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
