"""`gutbone-bot check`: what the bot would refuse at its start, found before it starts.

The unit runs it as `ExecStartPre=`, as the service's user, so it must not say "ok" where the
start would fail: it reports every bad setting (and every variable that looks like a misspelt
one of ours), and opens the database for writing as the bot will — or, where there is none
yet, creates it as the bot would and removes it again — failing with the bot's own line.
"""

from __future__ import annotations

import argparse
import sqlite3
from pathlib import Path

from bot.service.config import (
    ConfigError,
    Settings,
    database_path,
    load_settings,
    misspelled_variables,
)
from storage import Store, StoreError, offline
from tips import LIBRARY_DIR, LibraryError, load_library

__all__ = ["CONFIGURATION", "check", "database_problem", "open_store"]

OK, PROBLEM, CONFIGURATION = 0, 1, 2


def database_problem(path: Path, problem: Exception) -> str:
    """The line the bot gives when it cannot use the database at `path`."""
    if isinstance(problem, StoreError):  # the file opened, but is not fit to use: say why
        return f"cannot use the database at {path}: {problem}"
    return f"cannot open the database at {path} ({problem}); set DATABASE_PATH to a writable file"


def open_store(path: Path) -> Store:
    """The bot's database, opened for its run: refused at once if the bot could not write it
    (SQLite opens a read-only file without a word, and the first write would fail later)."""
    store = Store.open(path)
    try:
        offline.probe_writable(path)
    except BaseException:
        store.close()
        raise
    return store


def check(args: argparse.Namespace) -> int:
    """Configuration, library, database: a line each (more for each problem); the worst
    result is the exit code."""
    env_file: Path | None = getattr(args, "env_file", None)
    settings, code = _check_configuration(env_file)
    code = max(code, _check_library(settings.tips_library if settings else LIBRARY_DIR))
    path = settings.database_path if settings else database_path(env_file=env_file)
    return max(code, _check_database(path))


def _check_configuration(env_file: Path | None) -> tuple[Settings | None, int]:
    misspelled = misspelled_variables(env_file=env_file)
    try:
        settings: Settings | None = load_settings(env_file=env_file)
        problems: tuple[str, ...] = ()
    except ConfigError as error:
        settings, problems = None, error.problems
    for problem in (*problems, *misspelled):
        _line(False, f"configuration: {problem}")
    if problems or misspelled:
        return settings, CONFIGURATION
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
        return _check_new_database(path)
    try:
        found = offline.inspect(path)
        offline.probe_writable(path)
    except StoreError as problem:
        _line(False, f"database: {database_problem(path, problem)}")
        return PROBLEM
    except (sqlite3.Error, OSError) as problem:
        _line(False, f"database: {database_problem(path, problem)}")
        return CONFIGURATION  # the bot exits 2 on it: a setting (or a permission) to fix
    upgrade = " (upgraded at the next start: back up first)" if found.version < found.latest else ""
    _line(
        True, f"database {path}: quick_check ok, writable, schema version {found.version}{upgrade}"
    )
    return OK


def _check_new_database(path: Path) -> int:
    try:
        offline.probe_new(path)
    except (sqlite3.Error, OSError, StoreError) as problem:
        _line(False, f"database: {database_problem(path, problem)}")
        return CONFIGURATION
    _line(True, f"database {path}: none yet, and it can be created (at the first start)")
    return OK


def _line(good: bool, text: str) -> None:
    print(f"{'ok  ' if good else 'FAIL'}  {text}")
