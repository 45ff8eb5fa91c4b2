"""The sandbox's pure layout: columns, wrapping, the emulator's blocks read back, an edit shown
by its changes, where files go, and the prompt."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.sandbox.commands import HELP
from bot.sandbox.files import free_path, save_file, shown_path
from bot.sandbox.layout import INDENT, block, columns, wrap, wrap_text
from bot.sandbox.screen import Screen, Shown, read_block, render_edit, render_message
from bot.sandbox.session import INTRO
from bot.sandbox.terminal import PROMPT, Terminal

TIP = (
    "bot #5 › 🥦 Natto on toast\n\n"
    "      Spread a spoon of natto on wholegrain toast for breakfast, twice this week.\n\n"
    "      📚 Source (https://example.org/natto)\n"
    "      [1] 👍   [2] 👎   [3] ✅ Did it   [4] 🔎 Why?   [5] Another tip   [6] 📚 Source"
)
BUTTONS = ("👍", "👎", "✅ Did it", "🔎 Why?", "Another tip", "📚 Source")


def test_columns_count_what_a_terminal_shows():
    assert columns("abc") == 3
    assert columns("👍 ✓") == 4  # the emoji takes two columns, the check mark one
    assert columns("⚠️") == 2  # a narrow sign made an emoji by its variation selector
    assert columns("\x1b[1mbold\x1b[22m") == 4  # styles take no room
    assert columns("e\u0301") == 1  # a combining accent neither
    assert columns("日本") == 4


def test_wrap_breaks_between_words_and_keeps_the_indent():
    text = "Make greens a regular part of meals rather than a giant salad once a week"
    lines = wrap(text, 30, first="bot › ", rest=INDENT)
    assert lines == [
        "bot › Make greens a regular",  # "part" would make it 32 columns
        "      part of meals rather",
        "      than a giant salad once",
        "      a week",
    ]
    assert " ".join(" ".join(lines).split()[2:]) == text


def test_wrap_counts_emoji_as_two_columns():
    lines = wrap("👍 " * 20, 21)
    assert lines[0] == "👍 " * 6 + "👍" and all(columns(line) <= 21 for line in lines)


def test_an_address_gets_a_line_of_its_own_and_is_cut_only_if_no_line_holds_it():
    short = "https://example.org/" + "a" * 40  # 60 characters
    assert wrap(f"see {short} now", 70, first="bot › ", rest=INDENT) == [
        f"bot › see {short}",
        f"{INDENT}now",
    ]
    assert wrap(f"see {short}", 62, first="bot › ", rest=INDENT) == ["bot › see", short]
    long = "https://example.org/" + "b" * 100
    cut = wrap(long, 50, first="bot › ", rest=INDENT)
    assert cut[0] == "bot ›" and "".join(cut[1:]) == long
    assert [columns(line) for line in cut[1:]] == [50, 50, 20]


@given(st.lists(st.sampled_from(["a", "bb", "👍", "ccccccc", "✅ x", "日本語"]), max_size=40))
def test_wrapped_lines_never_pass_the_width_when_every_word_fits(words):
    lines = wrap(" ".join(words), 20, first="bot › ", rest=INDENT)
    assert all(columns(line) <= 20 for line in lines)
    assert " ".join(lines).split()[2:] == [w for word in words for w in word.split()]


def test_a_block_keeps_its_empty_lines_empty():
    assert block("bot › ", ["Hello", "", "there"], 80) == ["bot › Hello", "", f"{INDENT}there"]


@pytest.mark.parametrize("width", [80, 60, 40])
def test_the_banner_and_help_fit_the_width(width):
    for text in (INTRO, HELP):
        assert all(columns(line) <= width for line in wrap_text(text, width))


def test_a_help_row_goes_on_under_its_second_column():
    lines = wrap_text("  :tomorrow   move the clock to your next daily tip", 38)
    assert lines == ["  :tomorrow   move the clock to your", "              next daily tip"]


def test_a_block_of_the_emulators_chat_is_read_back():
    shown = read_block(TIP)
    assert shown == Shown(
        5,
        None,
        (
            "🥦 Natto on toast",
            "",
            "Spread a spoon of natto on wholegrain toast for breakfast, twice this week.",
            "",
            "📚 Source (https://example.org/natto)",
        ),
        BUTTONS,
    )
    assert read_block("bot (pop-up) › Thanks — noted 👍") == Shown(
        None, "pop-up", ("Thanks — noted 👍",)
    )
    assert read_block("bot #7 (edited) › Saved.\n      🕗 Daily at 08:00").tag == "edited"


def test_what_is_no_block_of_the_chat_is_not_read():
    assert read_block("⏰ Mon 02 Mar 2026, 08:00 (UTC)") is None
    assert read_block("bot › text\nnot indented") is None


def test_a_text_line_that_looks_like_buttons_but_is_not_numbered_in_order_stays_text():
    shown = read_block("bot #3 › Pick one\n      [2] this   [1] that")
    assert shown is not None and shown.buttons == () and shown.lines[-1] == "[2] this   [1] that"


def test_a_new_message_shows_its_text_then_its_buttons_whole():
    lines = render_message(read_block(TIP), 80)
    assert lines[-2:] == [
        f"{INDENT}[1] 👍   [2] 👎   [3] ✅ Did it   [4] 🔎 Why?   [5] Another tip",
        f"{INDENT}[6] 📚 Source",
    ]
    assert all(columns(line) <= 80 for line in lines)


def edited(shown: Shown, lines: tuple[str, ...] | None = None, buttons=None) -> Shown:
    return Shown(shown.message_id, "edited", lines or shown.lines, buttons or shown.buttons)


def test_an_edit_of_the_buttons_only_shows_only_the_buttons():
    tip = read_block(TIP)
    voted = edited(tip, buttons=("👍 ✓", *BUTTONS[1:]))
    assert render_edit(tip, voted, 80) == [
        "bot (edited) › [1] 👍 ✓   [2] 👎   [3] ✅ Did it   [4] 🔎 Why?   [5] Another tip",
        f"{INDENT}[6] 📚 Source",
    ]


def test_an_edit_that_adds_lines_shows_them_and_elides_the_rest():
    tip = read_block(TIP)
    why = (*tip.lines[:4], "🔎 Why? Natto is rich in vitamin K2.", "", tip.lines[4])
    assert render_edit(tip, edited(tip, why), 80) == [
        "bot (edited) › …",
        f"{INDENT}🔎 Why? Natto is rich in vitamin K2.",
        "",
        f"{INDENT}…",
    ]


def test_an_edit_that_removes_lines_says_which():
    tip = read_block(TIP)
    shorter = (*tip.lines[:2], *tip.lines[3:])  # the body and one empty line gone
    lines = render_edit(tip, edited(tip, (*shorter[:-1], "📚 Source")), 80)
    assert lines == [
        "bot (edited) › …",
        f"{INDENT}✕ Spread a spoon of natto on wholegrain toast for breakfast, twice this",
        f"{INDENT}week.",
        f"{INDENT}📚 Source",
    ]


def test_an_edit_that_changed_most_lines_is_shown_whole():
    picker = Shown(9, None, ("🌍 Pick your region",), ("Africa", "Europe"))
    saved = Shown(9, "edited", ("👍 Saved.", "🕗 Daily at 08:00 (Europe/Berlin)"))
    assert render_edit(picker, saved, 80) == [
        "bot (edited) › 👍 Saved.",
        f"{INDENT}🕗 Daily at 08:00 (Europe/Berlin)",
        f"{INDENT}(no buttons now)",
    ]
    assert render_edit(saved, saved, 80) == ["bot (edited) › (no visible change)"]


def test_the_screen_diffs_an_edit_against_the_version_it_printed():
    written: list[str] = []
    screen = Screen(80, written.append)
    screen.chat(TIP)
    screen.chat(TIP.replace("bot #5 ›", "bot #5 (edited) ›").replace("[1] 👍 ", "[1] 👍 ✓ "))
    assert written[0].startswith("bot › 🥦 Natto on toast\n")
    assert written[1].startswith("bot (edited) › [1] 👍 ✓   [2] 👎")
    assert "Natto" not in written[1]
    assert screen.buttons == ("👍 ✓", *BUTTONS[1:])
    screen.chat("bot #6 (edited) › an edit of a message never shown")  # shown whole
    screen.say("⏩ " + "word " * 30)
    assert written[2] == "bot (edited) › an edit of a message never shown"
    assert all(columns(line) <= 80 for line in written[3].splitlines())


def test_a_file_never_goes_over_another():
    taken = {Path("/d/export.json"), Path("/d/export-2.json")}
    assert free_path(Path("/d"), "export.json", taken.__contains__) == Path("/d/export-3.json")
    assert free_path(Path("/d"), "../../etc/passwd", taken.__contains__) == Path("/d/passwd")
    assert free_path(Path("/d"), None, taken.__contains__) == Path("/d/file")
    assert free_path(Path("/d"), ".hidden", taken.__contains__) == Path("/d/hidden")


def test_a_saved_file_is_shown_short_when_it_is_under_the_current_folder(tmp_path):
    first = save_file(tmp_path / "new", "a.json", b"1")
    second = save_file(tmp_path / "new", "a.json", b"2")
    assert (first.read_bytes(), second.read_bytes()) == (b"1", b"2")
    assert shown_path(second, tmp_path) == "./new/a-2.json"
    assert shown_path(second, tmp_path / "elsewhere") == str(second)


async def lines_of(items: list[str]):
    for item in items:
        yield item


async def test_the_prompt_comes_before_each_line_and_stays_last():
    out = io.StringIO()
    terminal = Terminal(out, prompt=True)
    got = []
    async for line in terminal.lines(lines_of(["/start"])):
        got.append(line)
        terminal.write("bot › hi")  # the answer, on the line after the typed one
    assert got == ["/start"]
    assert out.getvalue() == f"{PROMPT}bot › hi\n{PROMPT}\n"


async def test_what_comes_while_the_prompt_waits_is_printed_above_it():
    out = io.StringIO()
    terminal = Terminal(out, prompt=True)

    async def typed_later():
        terminal.write("⏰ your daily tip is due")  # while the prompt waits for this line
        yield "/tip"

    assert [line async for line in terminal.lines(typed_later())] == ["/tip"]
    clear = "\r\x1b[2K"
    assert out.getvalue() == f"{PROMPT}{clear}⏰ your daily tip is due\n{PROMPT}{PROMPT}\n"


async def test_piped_input_gets_no_prompt():
    out = io.StringIO()
    terminal = Terminal(out, prompt=False)
    assert [line async for line in terminal.lines(lines_of(["/tip"]))] == ["/tip"]
    assert out.getvalue() == ""


def test_a_reply_keyboard_under_the_buttons_is_kept_apart_from_them():
    text = (
        "bot #2 › 📍 Tap the button below.\n"
        "      [1] « Back\n"
        "      ⌨ [📍 Send my location]  (:location LAT LNG shares a place)"
    )
    shown = read_block(text)
    assert shown is not None and shown.buttons == ("« Back",)
    assert shown.keys == "⌨ [📍 Send my location]  (:location LAT LNG shares a place)"
    assert render_message(shown, 40) == [
        "bot › 📍 Tap the button below.",
        f"{INDENT}[1] « Back",
        f"{INDENT}⌨ [📍 Send my location]",
        f"{INDENT}(:location LAT LNG shares a place)",
    ]
