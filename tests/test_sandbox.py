"""`gutbone-bot sandbox`: a new user's first minute, typed as lines, read as a transcript."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, date, datetime, timedelta

from bot.sandbox import CHAT_ID, FAST_CLOCK_SPEED, HELP, SandboxClock, converse
from bot.service.wiring import Pacing
from storage import Store
from tests.conftest import TEST_LIBRARY
from tips import load_library

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # after the default 08:00: next tip tomorrow


def flat(text: str) -> str:
    """`text` with its line breaks and runs of spaces as single spaces (wrapping undone)."""
    return " ".join(text.split())


class Transcript:
    """What the sandbox wrote, and a way to wait for a line that is still to come."""

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self._changed = asyncio.Event()

    def write(self, block: str) -> None:
        self.blocks.append(block)
        self._changed.set()

    async def wait_for(self, text: str, timeout: float = 5) -> None:
        async with asyncio.timeout(timeout):
            while flat(text) not in flat(self.text):
                self._changed.clear()
                await self._changed.wait()

    @property
    def text(self) -> str:
        return "\n".join(self.blocks)

    def after(self, typed: str) -> str:
        """Everything shown after `you › typed`, up to the next typed line."""
        exchanges = re.split(r"^you › ", self.text, flags=re.MULTILINE)
        answers = [e.partition("\n")[2] for e in exchanges if e.partition("\n")[0] == typed]
        assert answers, f"{typed!r} was not typed: {self.text}"
        return answers[0]


async def typed(lines: Iterable[str]) -> AsyncIterator[str]:
    for line in lines:
        yield line


def paced(pacing) -> Pacing:
    """The gateway's time is the tests' pacing time: Telegram's per-chat pauses pass at once."""
    return Pacing(pacing.clock, pacing.sleep)


async def run(
    tmp_path, pacing, lines, clock=None, transcript: Transcript | None = None, **options
) -> Transcript:
    """The sandbox on the test library, Monday 10:00 unless `clock` says otherwise; pass
    `transcript` when the typed lines wait for what it shows."""
    transcript = transcript or Transcript()
    await converse(
        typed(lines) if isinstance(lines, list) else lines,
        transcript.write,
        tmp_path / "sandbox.db",
        clock=clock or SandboxClock(MONDAY),
        echo=True,
        pacing=paced(pacing),
        library=load_library(TEST_LIBRARY),
        **options,
    )
    return transcript


async def test_a_new_user_sets_the_timezone_from_the_welcome(tmp_path, pacing):
    transcript = Transcript()

    async def lines() -> AsyncIterator[str]:
        yield "/start"
        yield ":8"  # the welcome's eighth button: Europe (after 📍 and 🕰)
        await transcript.wait_for("page 1 of 3")
        yield ":3"  # the third city of the page (the most-used first): Berlin
        await transcript.wait_for("Saved")
        yield ":quit"

    await run(tmp_path, pacing, lines(), transcript=transcript)
    assert "[8] Europe" in transcript.after("/start") and "[13] 07:00" in transcript.after("/start")
    assert "[3] Berlin" in transcript.text
    assert "bot (edited) › 👍 Saved.\n      🕗 Daily at 08:00 (Europe/Berlin)" in transcript.text


async def test_a_new_user_shares_a_location_from_the_welcome(tmp_path, pacing):
    transcript = Transcript()

    async def lines() -> AsyncIterator[str]:
        yield "/start"
        yield ":1"  # 📍 Send my location
        await transcript.wait_for("⌨ [📍 Send my location]")
        yield ":location 40.71"
        yield ":location 40.71 -74.01"
        await transcript.wait_for("Saved")
        yield ":quit"

    await run(tmp_path, pacing, lines(), transcript=transcript)
    assert "[1] 📍 Send my location" in transcript.after("/start")
    assert "(:location LAT LNG shares a place)" in transcript.after(":1")
    assert "! usage: :location LAT LNG" in transcript.after(":location 40.71")
    assert "👍 Saved.\n      🕗 Daily at 08:00 (America/New_York)" in transcript.text


async def test_a_new_users_first_minute(tmp_path, pacing):
    transcript = Transcript()

    async def lines() -> AsyncIterator[str]:
        for line in ["/start", "/tip k2", ":1"]:  # the test library's k2 tips are all actions
            yield line
        await transcript.wait_for("👍 ✓")  # the pop-up comes first, the edited buttons next
        for line in [":6", ":tomorrow", ":quit", "/settings"]:
            yield line

    await run(tmp_path, pacing, lines(), transcript=transcript)
    assert "You are a new user in a private chat" in flat(transcript.blocks[0])
    assert "bot › 🦴 Welcome to GutBone Daily!" in transcript.after("/start")
    tip = transcript.after("/tip k2")
    assert tip.startswith("bot › ") and flat(tip).endswith(
        "[4] 🔎 Why? [5] Another tip [6] 📚 Source"
    )
    title = tip.partition("\n")[0].split(" ", 3)[3]  # "bot › 🥦 Title"
    voted = transcript.after(":1")
    assert voted.startswith("bot (pop-up) › Thanks — noted 👍\nbot (edited) › [1] 👍 ✓   [2] 👎")
    assert title not in voted  # only the buttons changed, and only they are shown
    assert f"bot › 📚 Sources for {title}" in transcript.after(":6")
    daily = transcript.after(":tomorrow")
    assert daily.startswith("⏩ The clock moved on to Tue 03 Mar 2026, 08:00 (UTC)")
    assert daily.rstrip().endswith(" 📚 Source") and "\nbot › " in daily
    assert "/settings" not in transcript.text  # nothing is read after :quit
    store = Store.open(tmp_path / "sandbox.db")
    assert store.subscriber(CHAT_ID).last_delivery == date(2026, 3, 3)  # a real daily tip
    store.close()


async def test_the_sandbox_commands_are_listed_and_unknown_ones_refused(tmp_path, pacing):
    transcript = await run(tmp_path, pacing, [":help", ":tomorow", ":1", ":now"])
    for command in (":1, :2", ":tomorrow", ":now", ":help", ":quit"):
        assert command in transcript.after(":help")
    assert transcript.after(":tomorow") == "! :tomorow is no sandbox command; :help lists them\n"
    assert transcript.after(":1") == "! no message with buttons yet\n"
    assert transcript.after(":now").strip() == "🕰 Mon 02 Mar 2026, 10:00 (UTC) in the sandbox"


async def test_tomorrow_before_start_says_how_to_subscribe(tmp_path, pacing):
    transcript = await run(tmp_path, pacing, [":tomorrow", "/stop"])
    assert transcript.after(":tomorrow") == "! no daily tip is coming: /start subscribes\n"
    assert "not subscribed" in transcript.after("/stop")


async def test_the_next_daily_tip_follows_the_chats_time_and_timezone(tmp_path, pacing):
    lines = ["/start", "/timezone Asia/Tokyo", "/time 07:15", ":tomorrow", ":tomorrow"]
    transcript = await run(tmp_path, pacing, lines)
    assert "Tue 03 Mar 2026, 07:15 (Asia/Tokyo)" in transcript.after(":tomorrow")
    assert "Wed 04 Mar 2026, 07:15 (Asia/Tokyo)" in transcript.text
    assert flat(transcript.text).count("your daily tip is due") == 2


class HeldTime:
    """A monotonic clock that stands still until released, then runs as the real one."""

    def __init__(self) -> None:
        self._held_at: float | None = time.monotonic()
        self._lost = 0.0

    def __call__(self) -> float:
        return self._held_at if self._held_at is not None else time.monotonic() - self._lost

    def release(self) -> None:
        if self._held_at is not None:
            self._lost, self._held_at = time.monotonic() - self._held_at, None


async def test_with_a_fast_clock_the_daily_tip_comes_by_itself(tmp_path, pacing):
    transcript, held = Transcript(), HeldTime()

    async def lines() -> AsyncIterator[str]:
        yield "/start"  # at 07:59 however long the start-up took; then a minute is 42 ms
        held.release()
        await transcript.wait_for("your daily tip is due")  # nobody types :tomorrow
        await transcript.wait_for(" 📚 Source")  # under the daily tip, whatever its kind

    a_minute_early = datetime(2026, 3, 2, 7, 59, tzinfo=UTC)
    await run(
        tmp_path,
        pacing,
        lines(),
        SandboxClock(a_minute_early, speed=FAST_CLOCK_SPEED, monotonic=held),
        transcript,
    )
    assert "a sandbox day passes in 60 s." in transcript.blocks[0]
    assert "⏰ Mon 02 Mar 2026, 08:00 (UTC) in the sandbox" in transcript.text


def test_the_fast_clock_makes_a_day_a_minute():
    now = [100.0]
    clock = SandboxClock(MONDAY, speed=FAST_CLOCK_SPEED, monotonic=lambda: now[0])
    now[0] += 60
    assert clock() == MONDAY + timedelta(days=1)
    assert clock.real_seconds_until(MONDAY + timedelta(days=2)) == 60
    clock.jump_to(MONDAY + timedelta(days=3))
    clock.jump_to(MONDAY)  # the clock never goes back
    assert clock() == MONDAY + timedelta(days=3)
    assert clock.real_seconds_until(MONDAY) == 0


def sandbox_process(tmp_path, *args: str, stdin: str = "/start\n", **env: str):
    """`python -m bot sandbox` with piped input and its own TMPDIR, as an operator runs it."""
    (tmp_path / "tmp").mkdir(exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    environ.update(TMPDIR=str(tmp_path / "tmp"), **env)
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--library", str(TEST_LIBRARY), *args],
        input=stdin,
        env=environ,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_python_m_bot_sandbox_answers_and_exits_0_at_end_of_input(tmp_path):
    done = sandbox_process(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "you › /start\nbot › 🦴 Welcome to GutBone Daily!" in done.stdout
    assert done.stderr == ""  # no warning, no traceback
    assert list((tmp_path / "tmp").iterdir()) == []  # the throwaway database is gone


def test_keep_says_where_the_database_is_and_keeps_it(tmp_path):
    done = sandbox_process(tmp_path, "--keep", stdin="/start\n:quit\n")
    assert done.returncode == 0, done.stderr
    where = done.stdout.strip().splitlines()[-1].removeprefix("The sandbox's database is kept: ")
    store = Store.open(where)
    assert store.subscriber(CHAT_ID).active
    store.close()


def test_sandbox_help_names_its_options(tmp_path):
    done = sandbox_process(tmp_path, "--help", stdin="")
    assert done.returncode == 0
    assert "--fast-clock" in done.stdout and "--keep" in done.stdout and "--library" in done.stdout


def test_a_broken_library_is_one_message_and_exit_2(tmp_path):
    done = sandbox_process(tmp_path, "--library", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert done.stderr.startswith("gutbone-bot sandbox: the tip library has ")
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_help_lists_every_sandbox_command():
    assert re.findall(r"^  (:\w+)", HELP, flags=re.MULTILINE) == [
        ":1",
        ":tap",
        ":location",
        ":tomorrow",
        ":now",
        ":help",
        ":quit",
    ]


def test_at_starts_the_clock_there_and_a_moment_without_offset_is_refused(tmp_path):
    done = sandbox_process(
        tmp_path, "--at", "2026-03-08T07:55+01:00", "--seed", "3", stdin=":now\n"
    )
    assert done.returncode == 0, done.stderr
    assert "🕰 Sun 08 Mar 2026, 06:55 (UTC) in the sandbox" in done.stdout
    refused = sandbox_process(tmp_path, "--at", "07:55", stdin="")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.splitlines()[-1] == (
        "gutbone-bot sandbox: error: argument --at: '07:55' is no moment with an offset,"
        " e.g. 2026-03-08T07:55Z"
    )
