"""Text laid out for a terminal of a given width: pure functions, text in and lines out.

Widths are counted in terminal columns, not characters: an emoji takes two, a combining mark,
a zero-width joiner or an ANSI style none (`textwrap` counts characters, so its lines of
emoji overflow). Lines break between words; a word longer than its line (an address) gets a
line of its own, and is cut only where even a whole line can't hold it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

__all__ = ["INDENT", "block", "columns", "wrap", "wrap_items", "wrap_text"]

INDENT = " " * 6  # a message's lines under its `bot › ` head
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\ufe0e", "\u2060"}
_EMOJI_STYLE = "\ufe0f"  # makes the character before it an emoji, two columns wide
_TABLE_ROW = re.compile(r"^( +\S+(?: \S+)*? {2,})")  # "  :help       this list"


def columns(text: str) -> int:
    """How many terminal columns `text` takes."""
    if text.isascii() and "\x1b" not in text:
        return len(text)  # most words: one column a character
    total, previous = 0, 0
    for char in _ANSI.sub("", text):
        if char == _EMOJI_STYLE:
            total += 1 if previous == 1 else 0
            previous = 2
        elif char in _ZERO_WIDTH or unicodedata.combining(char):
            continue
        else:
            previous = 2 if unicodedata.east_asian_width(char) in "WF" else 1
            total += previous
    return total


def wrap(line: str, width: int, *, first: str = "", rest: str = "") -> list[str]:
    """`line` broken between words into lines of at most `width` columns, the first one after
    `first` (a head), the others after `rest` (an indent)."""
    return wrap_items(line.split(), width, first=first, rest=rest, gap=" ")


def wrap_items(
    items: Sequence[str], width: int, *, first: str = "", rest: str = "", gap: str = "   "
) -> list[str]:
    """`items` (words, or buttons) joined by `gap` into lines of at most `width` columns, each
    item kept whole where a line can hold it."""
    lines: list[str] = []
    current, used, fresh = first, columns(first), True  # fresh: only its head or indent
    spacing = columns(gap)
    for item in items:
        size = columns(item)
        if used + (0 if fresh else spacing) + size <= width:
            current += item if fresh else gap + item
            used, fresh = used + (0 if fresh else spacing) + size, False
            continue
        if not fresh:
            lines.append(current)
            current, used, fresh = rest, columns(rest), True
            if used + size <= width:
                current, used, fresh = current + item, used + size, False
                continue
        if current.strip():
            lines.append(current.rstrip())  # a head whose first item goes below it
        current, full = _too_long(item, width, rest)
        lines, used, fresh = lines + full, columns(current), False
    return [*lines, current]


def _too_long(item: str, width: int, indent: str) -> tuple[str, list[str]]:
    """A line of its own for `item`: indented if it fits so, flush left if only that way,
    cut into lines of `width` if not even then. Returns the last line and the full ones."""
    if columns(indent + item) <= width:
        return indent + item, []
    pieces = [""]
    for char in item:
        if columns(pieces[-1] + char) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces[-1], pieces[:-1]


def block(head: str, lines: Sequence[str], width: int) -> list[str]:
    """A message as a chat shows it: `head` before its first line, the others indented under
    it, every line wrapped to `width`; an empty line stays empty."""
    out: list[str] = []
    for line in lines or [""]:
        lead = head if not out else INDENT
        out += wrap(line, width, first=lead, rest=INDENT) if line.strip() else [lead.rstrip()]
    return out


def wrap_text(text: str, width: int) -> list[str]:
    """The sandbox's own text (its banner, its :help): each line wrapped to `width`; a line
    that starts with spaces is a table row, whose wrapped part goes on under its second
    column."""
    out: list[str] = []
    for line in text.split("\n"):
        row = _TABLE_ROW.match(line)
        if row is None:
            out += wrap(line, width) if line.strip() else [""]
            continue
        head = row.group(1)
        out += wrap(line[len(head) :], width, first=head, rest=" " * columns(head))
    return out
