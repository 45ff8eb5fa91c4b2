"""The sandbox at 80 columns, end to end (the real bot on the emulator): a prompt, lines that
fit, a press that prints only what it changed, and /export saved where it says."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox import CHAT_ID, SandboxClock, converse
from bot.sandbox.terminal import PROMPT, Terminal
from tests.conftest import TEST_LIBRARY
from tests.test_sandbox import MONDAY, Transcript, paced, run, sandbox_process, typed
from tips import load_library


def shown_width(line: str) -> int:
    """Terminal columns, counted apart from the sandbox's own rule: a wide character (emoji,
    CJK) takes two; a variation selector or joiner none."""
    marks = {"\ufe0f", "\u200d"}
    return sum(
        0 if char in marks else 2 if unicodedata.east_asian_width(char) in "WF" else 1
        for char in line
    )


def too_wide(text: str, width: int = 80) -> list[str]:
    return [line for line in text.splitlines() if shown_width(line) > width]


def test_piped_into_gutbone_bot_sandbox_every_line_fits_80_columns(tmp_path):
    stdin = "/start\n/tip k2\n:help\n:1\n/export\n"
    done = sandbox_process(tmp_path, stdin=stdin, COLUMNS="80")
    assert done.returncode == 0, done.stderr
    assert "bot › 🥦 " in done.stdout or "bot › " in done.stdout.partition("/tip k2")[2]
    assert too_wide(done.stdout) == []
    assert max(shown_width(line) for line in done.stdout.splitlines()) > 70  # lines are filled
    assert too_wide(done.stdout, 79) != []  # ... up to the width: the check can fail
    narrow = sandbox_process(tmp_path, stdin=stdin, COLUMNS="50")
    assert too_wide(narrow.stdout, 50) == [], narrow.stdout


def test_export_prints_where_the_file_was_saved_and_it_is_there(tmp_path):
    done = sandbox_process(tmp_path, stdin="/start\n/export\n/export\n")
    assert done.returncode == 0, done.stderr
    said = [line for line in done.stdout.splitlines() if line.startswith("💾 saved as ")]
    assert said == ["💾 saved as ./gutbone-daily-1.json", "💾 saved as ./gutbone-daily-1-2.json"]
    saved = json.loads((tmp_path / "gutbone-daily-1.json").read_text(encoding="utf-8"))
    assert str(CHAT_ID) in json.dumps(saved)  # the chat's own data
    assert (tmp_path / "gutbone-daily-1-2.json").exists()  # the second never overwrote the first


async def test_export_into_a_downloads_folder(tmp_path, pacing):
    downloads = tmp_path / "files"
    transcript = await run(tmp_path, pacing, ["/start", "/export"], downloads=downloads)
    answer = transcript.after("/export")
    assert answer.startswith("bot › 📎 gutbone-daily-1.json (")
    where = answer.rstrip().splitlines()[-1].removeprefix("💾 saved as ")
    assert Path(where) == (downloads / "gutbone-daily-1.json").resolve()
    assert json.loads(Path(where).read_bytes())


async def test_a_press_prints_only_what_it_changed(tmp_path, pacing):
    transcript = await run(tmp_path, pacing, ["/tip k2", ":1", ":tap why", ":tap why"])
    tip = transcript.after("/tip k2")
    title = tip.partition("\n")[0].removeprefix("bot › ")
    voted = transcript.after(":1")
    assert voted.splitlines()[:2] == [
        "bot (pop-up) › Thanks — noted 👍",
        "bot (edited) › [1] 👍 ✓   [2] 👎   [3] ✅ Did it   [4] 🔎 Why?   [5] Another tip",
    ]
    assert len(voted.splitlines()) == 3 and title not in voted  # no tip reprinted
    why = transcript.after(":tap why")
    assert why.startswith("bot (edited) › …\n      🔎 Why?")  # the new lines, not the title
    assert title not in why and "[4] Another tip" in why  # the buttons changed too
    assert transcript.text.count(title) == 1


async def test_the_prompt_asks_for_each_line_and_the_answers_fit(tmp_path, pacing):
    out = io.StringIO()
    terminal = Terminal(out, prompt=True)
    await converse(
        terminal.lines(typed(["/start", "/tip k2"])),
        terminal.write,
        tmp_path / "sandbox.db",
        clock=SandboxClock(MONDAY),
        pacing=paced(pacing),
        library=load_library(TEST_LIBRARY),
    )
    shown = out.getvalue()
    assert shown.count(PROMPT) == 3  # before each line, and before the end of input
    turns = shown.split(PROMPT)
    assert turns[1].startswith("bot › 🦴 Welcome") and turns[2].startswith("bot › ")
    assert turns[3] == "\n"  # Ctrl-D: the shell's prompt on a line of its own
    assert too_wide(shown) == []


async def test_tap_presses_a_button_by_its_words(tmp_path, pacing):
    transcript = Transcript()

    async def lines() -> AsyncIterator[str]:
        yield "/start"
        yield ":tap europe"
        await transcript.wait_for("page 1 of 3")
        yield ":tap Berlin"

    await run(tmp_path, pacing, lines(), transcript=transcript)
    assert "Saved" in transcript.text and "(Europe/Berlin)" in transcript.text
    assert "And your time?" in transcript.after(":tap Berlin")  # the welcome keeps its times
    nowhere = await run(tmp_path / "again", pacing, ["/tip k2", ":tap nothing like it"])
    answer = '! no button says "nothing like it" under the latest message with buttons'
    assert nowhere.after(":tap nothing like it") == answer


@pytest.mark.timeout(240)  # two sandboxes, one after the other
def test_the_transcripts_script_writes_a_new_and_a_returning_user(tmp_path):
    out = tmp_path / "transcripts.md"
    script = Path(__file__).resolve().parent.parent / "scripts" / "sandbox-transcripts"
    done = subprocess.run(
        [sys.executable, str(script), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "## A new user" in text and "## A returning user" in text
    new, returning = re.findall(r"```text\n(.*?)```", text, flags=re.DOTALL)
    assert too_wide(new) == [] and too_wide(returning) == []
    assert "you › :1\nbot (pop-up) › " in new and "you › /tip\nbot › " in new
    assert returning.count("you › /start\nbot › ") == 2 and "you › /stop\nbot › " in returning
