"""`gutbone-bot check / stats / backup / health`, run as an operator runs them: in a process of
their own, configured by the environment, beside a bot process that delivers."""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduler.due import Schedule
from storage import Store
from storage.schema import LATEST
from tests.conftest import TEST_LIBRARY
from tests.e2e import TOKEN
from tests.test_process import BotProcess, bot_env

OPERATIONS = ("check", "stats", "backup", "health")


def environment(db_path: Path | None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env["TIPS_LIBRARY"] = str(TEST_LIBRARY)
    if db_path is not None:
        env["DATABASE_PATH"] = str(db_path)
    return env | extra


def gutbone(
    *args: str,
    db_path: Path | None,
    cwd: Path,
    preexec_fn: Callable[[], None] | None = None,
    **extra: str,
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=environment(db_path, **extra),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=preexec_fn,
    )


async def gutbone_async(*args: str, db_path: Path, cwd: Path) -> tuple[int, str, str]:
    """The same, without blocking the event loop that serves the emulator."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=environment(db_path),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode, out.decode(), err.decode()


@pytest.mark.parametrize("command", OPERATIONS)
def test_every_operation_has_help(tmp_path, command):
    done = gutbone(command, "--help", db_path=None, cwd=tmp_path)
    assert done.returncode == 0
    assert done.stdout.startswith(f"usage: gutbone-bot {command}")


def test_every_operation_is_in_the_readme():
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    operating = readme.split("## Operating it", 1)[1].split("\n## ", 1)[0]
    for command in OPERATIONS:
        assert f"gutbone-bot {command}" in operating


def subscribed(db_path: Path, count: int, *, due: bool) -> None:
    """`count` subscribers, due now (subscribed yesterday, for 00:00) or not before tomorrow."""
    now = datetime.now(UTC)
    store = Store.open(db_path)
    since = now - timedelta(days=1) if due else now
    at = (
        time(0, 0) if due else (now + timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    )
    for chat_id in range(1, count + 1):
        store.subscribe(chat_id, "private", Schedule(at, ZoneInfo("UTC")), since)
    store.close()


def heartbeat(db_path: Path, *, lease_for: float | None, swept_ago: float) -> None:
    now = datetime.now(UTC)
    store = Store.open(db_path)
    if lease_for is not None:
        store.acquire_lease("host:42:beef", now, lease_for)
    swept = now - timedelta(seconds=swept_ago)
    store.sweep_started("host:42:beef", swept - timedelta(seconds=3))
    store.sweep_finished(swept, 3.0)
    store.close()


def test_stats_json_needs_only_the_database(tmp_path):
    db_path = tmp_path / "bot.db"
    subscribed(db_path, 3, due=True)
    heartbeat(db_path, lease_for=60, swept_ago=5)
    done = gutbone("stats", "--json", db_path=db_path, cwd=tmp_path)  # no token anywhere
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert (figures["active"], figures["inactive"], figures["joined_7d"]) == (3, 0, 3)
    assert figures["due_backlog"] == 3 and figures["sent_today"] == 0
    assert figures["last_sweep"]["seconds"] == 3.0
    assert figures["paused"] == 0 and figures["tip_feedback"] == []
    text = gutbone("stats", db_path=db_path, cwd=tmp_path)
    assert "Subscribers: 3 active, paused 0, 0 inactive" in text.stdout


def test_stats_of_a_missing_database_is_one_line(tmp_path):
    done = gutbone("stats", db_path=tmp_path / "nowhere.db", cwd=tmp_path)
    assert done.returncode == 1
    missing = tmp_path / "nowhere.db"
    assert done.stderr == (
        f"gutbone-bot: cannot read {missing}: no database at {missing}: set DATABASE_PATH to the"
        " bot's database, or pass --env-file with the service's settings\n"
    )
    assert not (tmp_path / "nowhere.db").exists()  # looked at, never created


@pytest.mark.parametrize(
    ("lease_for", "swept_ago", "code", "answer"),
    [
        (60, 5, 0, r"healthy: host:42:beef delivers; last sign of a sweep \d+ s ago"),
        (60, 900, 1, r"unhealthy: the last sweep was 9\d\d s ago \(over 600 s\)"),
        (None, 5, 1, r"unhealthy: no process holds the delivery lease: is the bot running\?"),
    ],
)
def test_health_from_the_heartbeat(tmp_path, lease_for, swept_ago, code, answer):
    db_path = tmp_path / "bot.db"
    subscribed(db_path, 1, due=False)
    heartbeat(db_path, lease_for=lease_for, swept_ago=swept_ago)
    done = gutbone("health", db_path=db_path, cwd=tmp_path)
    assert done.returncode == code
    assert re.fullmatch(answer + "\n", done.stdout)  # seconds pass while the process starts


def test_health_without_a_database_is_1_not_2(tmp_path):
    done = gutbone("health", db_path=tmp_path / "none.db", cwd=tmp_path)
    assert done.returncode == 1  # Docker reserves 2
    assert done.stdout.startswith("unhealthy: cannot read")


async def test_health_of_a_running_bot_then_a_stopped_one(telegram, tmp_path):
    db_path = tmp_path / "bot.db"
    bot = await BotProcess.start(bot_env(telegram, db_path), tmp_path)
    await bot.wait_for_log("Sweep finished", timeout=20)
    code, out, _ = await gutbone_async("health", db_path=db_path, cwd=tmp_path)
    assert code == 0 and out.startswith("healthy: ")
    assert await bot.stop(signal.SIGTERM) == 0  # a clean stop hands the lease back
    code, out, _ = await gutbone_async("health", db_path=db_path, cwd=tmp_path)
    assert (code, out) == (
        1,
        "unhealthy: no process holds the delivery lease: is the bot running?\n",
    )


def delivered(telegram) -> int:
    return sum(len(telegram.messages_to(chat_id)) for chat_id in range(1, 121))


async def test_backup_while_the_bot_delivers(telegram, tmp_path):
    db_path = tmp_path / "bot.db"
    subscribed(db_path, 120, due=True)
    bot = await BotProcess.start(bot_env(telegram, db_path, BROADCAST_RATE="10"), tmp_path)
    assert await telegram.wait_until(lambda: delivered(telegram) >= 5, timeout=20)
    code, out, err = await gutbone_async(
        "backup", str(tmp_path / "copy.db"), db_path=db_path, cwd=tmp_path
    )
    delivered_by_then = delivered(telegram)
    assert code == 0, err
    assert out.startswith(f"backed up {db_path} to {tmp_path / 'copy.db'}: ")
    assert "120 subscribers, schema version" in out and out.endswith("quick_check ok\n")
    assert delivered_by_then < 120  # it really ran mid-sweep
    assert await bot.stop(signal.SIGTERM) == 0
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
    assert copy.execute("SELECT count(*) FROM subscribers").fetchone() == (120,)
    assert copy.execute("SELECT count(*) FROM deliveries").fetchone()[0] >= 1


def test_backup_refuses_to_overwrite(tmp_path):
    db_path = tmp_path / "bot.db"
    subscribed(db_path, 1, due=False)
    (tmp_path / "old.db").write_text("keep me")
    done = gutbone("backup", str(tmp_path / "old.db"), db_path=db_path, cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr == (
        f"gutbone-bot: no backup made: {tmp_path / 'old.db'} already exists;"
        " pass --force to replace it\n"
    )
    assert (tmp_path / "old.db").read_text() == "keep me"
    forced = gutbone("backup", "--force", str(tmp_path / "old.db"), db_path=db_path, cwd=tmp_path)
    assert forced.returncode == 0 and ", 1 subscriber, schema version" in forced.stdout


def test_check_on_a_good_setup(tmp_path):
    db_path = tmp_path / "bot.db"
    subscribed(db_path, 1, due=False)
    done = gutbone("check", db_path=db_path, cwd=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN)
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert lines[0] == "ok    configuration"
    assert lines[1].startswith("ok    tip library: ") and lines[1].endswith(" references")
    assert lines[2] == (
        f"ok    database {db_path}: quick_check ok, writable, schema version {LATEST}"
    )


def test_check_before_the_first_start_creates_the_database_and_removes_it(tmp_path):
    db_path = tmp_path / "var" / "lib" / "new.db"
    done = gutbone("check", db_path=db_path, cwd=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN)
    assert done.returncode == 0
    assert f"database {db_path}: none yet, and it can be created (at the first start)" in (
        done.stdout
    )
    assert list(tmp_path.iterdir()) == []  # no file, no -wal, no folder left behind


def test_check_finds_a_damaged_database(tmp_path):
    db_path = tmp_path / "bot.db"
    db_path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    done = gutbone("check", db_path=db_path, cwd=tmp_path, TELEGRAM_BOT_TOKEN=TOKEN)
    assert done.returncode == 1
    assert done.stdout.splitlines()[2].startswith(
        f"FAIL  database: cannot use the database at {db_path}: it is not a readable"
    )


def test_check_reports_a_configuration_error_with_exit_2(tmp_path):
    db_path = tmp_path / "bot.db"
    subscribed(db_path, 1, due=False)
    done = gutbone(
        "check",
        db_path=db_path,
        cwd=tmp_path,
        TELEGRAM_BOT_TOKEN=TOKEN,
        DEFAULT_TIMEZONE="Moon/Base",
    )
    assert done.returncode == 2
    assert done.stdout.splitlines()[0] == (
        "FAIL  configuration: DEFAULT_TIMEZONE 'Moon/Base' is not an IANA timezone"
        " (e.g. Europe/Berlin)"
    )
    assert done.stdout.splitlines()[2].startswith("ok    database")  # still looked at


async def test_a_metrics_port_in_use_is_one_line_and_exit_2(telegram, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = bot_env(telegram, tmp_path / "bot.db", METRICS_PORT=str(port))
        bot = await BotProcess.start(env, tmp_path)
        assert await bot.exited(timeout=20) == 2
    assert bot.lines[-1] == (
        f"gutbone-bot: cannot serve metrics on 127.0.0.1 port {port} (Address already in use);"
        " choose another METRICS_PORT or unset it\n"
    )
    assert "Traceback" not in bot.log


def unprivileged() -> None:
    """In the child: file permissions apply, even to root (which CI containers often are)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop root's file capabilities")


PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 24, 1, 2, 3


@pytest.mark.parametrize(
    ("exists", "folder_mode"),
    [(True, 0o755), (True, 0o555), (False, 0o555)],
    ids=["a read-only database", "a read-only folder", "no database, a read-only folder"],
)
def test_check_fails_where_the_bot_cannot_write_with_the_bots_own_line(
    tmp_path, exists, folder_mode
):
    folder = tmp_path / "readonly"
    db_path = folder / "bot.db" if exists else folder / "data" / "bot.db"
    if exists:
        subscribed(db_path, 1, due=False)
        db_path.chmod(0o444)
    else:
        folder.mkdir()
    folder.chmod(folder_mode)
    env = {"TELEGRAM_BOT_TOKEN": TOKEN}
    checked = gutbone("check", db_path=db_path, cwd=tmp_path, preexec_fn=unprivileged, **env)
    started = gutbone("run", db_path=db_path, cwd=tmp_path, preexec_fn=unprivileged, **env)
    folder.chmod(0o755)
    assert (checked.returncode, started.returncode) == (2, 2)
    said = started.stderr.strip().removeprefix("gutbone-bot: ")
    assert said.startswith(f"cannot open the database at {db_path} (")
    assert said.endswith("); set DATABASE_PATH to a writable file")
    assert f"FAIL  database: {said}" in checked.stdout.splitlines()


def test_check_reports_every_bad_setting_and_misspelled_variables(tmp_path):
    env_file = tmp_path / "gutbone.env"
    env_file.write_text(
        f"TELEGRAM_BOT_TOKEN={TOKEN}\nDATABSE_PATH=/srv/bot.db\nDEFAULT_TIMEZONE=EST\n"
        "LOG_LEVEL=LOUD\n"
    )
    done = gutbone("check", "--env-file", str(env_file), db_path=tmp_path / "x.db", cwd=tmp_path)
    assert done.returncode == 2
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAIL")]
    assert failed == [
        "FAIL  configuration: DEFAULT_TIMEZONE 'EST' is an abbreviation, read by tzdata as"
        " America/Panama, which never changes for daylight saving: name the place instead,"
        " like America/New_York",
        "FAIL  configuration: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR",
        "FAIL  configuration: DATABSE_PATH is not a setting of this bot: did you mean"
        " DATABASE_PATH?",
    ]


def test_every_operation_reads_the_env_file_named_before_or_after_it(tmp_path):
    db_path = tmp_path / "service" / "gutbone.db"
    subscribed(db_path, 2, due=False)
    env_file = tmp_path / "gutbone.env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nDATABASE_PATH={db_path}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    option = ["--env-file", str(env_file)]
    for args, expected in [
        ([*option, "stats", "--json"], '"active": 2'),
        (["check", *option], f"ok    database {db_path}: quick_check ok"),
        ([*option, "health"], "unhealthy: no process holds the delivery lease"),
        (["backup", *option, str(tmp_path / "copy.db")], ", 2 subscribers, schema version"),
    ]:
        done = gutbone(*args, db_path=None, cwd=elsewhere)
        assert expected in done.stdout, (args, done.stdout, done.stderr)


def test_the_bot_itself_reads_the_env_file(tmp_path):
    env_file = tmp_path / "gutbone.env"
    env_file.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nDEFAULT_TIMEZONE=Moon/Base\nLOG_LEVEL=x\n")
    done = gutbone("--env-file", str(env_file), db_path=tmp_path / "x.db", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "gutbone-bot: DEFAULT_TIMEZONE 'Moon/Base' is not an IANA timezone (e.g. Europe/Berlin)",
        "gutbone-bot: LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR",
    ]


def test_an_env_file_that_is_not_there_is_one_line_and_exit_2(tmp_path):
    done = gutbone("stats", "--env-file", str(tmp_path / "nope.env"), db_path=None, cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        f"gutbone-bot: cannot read the env file {tmp_path / 'nope.env'} (No such file or"
        " directory)\n",
    )


def test_backup_into_a_folder_keeps_the_newest_n(tmp_path):
    db_path = tmp_path / "bot.db"
    subscribed(db_path, 1, due=False)
    folder = tmp_path / "backups"
    folder.mkdir()
    old = ["gutbone-20250101T033000Z.db", "gutbone-20250102T033000Z.db"]
    for name in [*old, "gutbone-by-hand.db"]:
        (folder / name).write_text("an older backup")
    done = gutbone("backup", "--keep", "2", str(folder), db_path=db_path, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [made] = [p.name for p in folder.iterdir() if p.name not in old and "by-hand" not in p.name]
    assert re.fullmatch(r"gutbone-\d{8}T\d{6}Z\.db", made)
    assert sorted(p.name for p in folder.iterdir()) == sorted([old[1], made, "gutbone-by-hand.db"])
    assert done.stdout.splitlines()[1] == "kept the newest 2 backups, removed 1 older one"


def test_backup_keep_makes_its_folder(tmp_path):
    db_path = tmp_path / "bot.db"
    subscribed(db_path, 3, due=False)
    done = gutbone(
        "backup", "--keep", "1", str(tmp_path / "nightly"), db_path=db_path, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert len(list((tmp_path / "nightly").iterdir())) == 1
    assert ", 3 subscribers, " in done.stdout
