"""What the sandbox prints of the chat: the emulator's blocks laid out for the terminal, and an
edited message shown by what changed in it, not reprinted whole.

The emulator's chat (`emulator.TerminalChat`, with message ids and without wrapping) writes a
block per message: `bot #4 › text`, `bot #4 (edited) › text`, `bot (pop-up) › text`, the
other lines indented by six spaces, the buttons as `[1] 👍   [2] 👎`, a reply keyboard last
as `⌨ [📍 Send my location]`. `read_block` turns
one back into its parts; `Screen` remembers each message's last version, so an edit prints
only its changed lines and, if they changed, its buttons. A block it can't read is printed as
it came, wrapped. Everything here is pure: text in, lines out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from bot.sandbox.layout import INDENT, block, wrap_items, wrap_text

__all__ = ["Screen", "Shown", "read_block", "render_edit", "render_message"]

_HEAD = re.compile(r"^bot(?: #(?P<id>\d+))?(?: \((?P<tag>[^)]*)\))? › ")
_BUTTON = re.compile(r"^\[(\d+)\] \S")
REPLY_KEYS = "⌨ "  # how the emulator's chat shows a reply keyboard (keys under the text field)
ELIDED = "…"  # where unchanged lines of an edited message are left out
MOSTLY_NEW = 0.5  # an edit that changed more than this share of the lines is shown whole


@dataclass(frozen=True)
class Shown:
    """One block of the chat: a message (`message_id`), an edit of one (`tag` "edited"), a
    pop-up or a file (`tag` "pop-up", no id); its text lines and its buttons' labels."""

    message_id: int | None
    tag: str | None
    lines: tuple[str, ...]
    buttons: tuple[str, ...] = ()
    keys: str | None = None  # a reply keyboard's line, under the buttons: `⌨ [📍 Send …]`

    @property
    def head(self) -> str:
        return f"bot ({self.tag}) › " if self.tag else "bot › "


def read_block(text: str) -> Shown | None:
    """The parts of one of the emulator chat's blocks; None for anything else."""
    first, *rest = text.split("\n")
    head = _HEAD.match(first)
    if head is None or any(line and not line.startswith(INDENT) for line in rest):
        return None
    lines = [first[head.end() :], *(line.removeprefix(INDENT) for line in rest)]
    keys = lines.pop() if len(lines) > 1 and lines[-1].startswith(REPLY_KEYS) else None
    buttons = _buttons(lines[-1]) if len(lines) > 1 else ()  # under a line of text
    if buttons:
        lines.pop()
    message_id = int(head["id"]) if head["id"] else None
    return Shown(message_id, head["tag"], tuple(lines), buttons, keys)


def _buttons(line: str) -> tuple[str, ...]:
    """The labels of a buttons line (`[1] 👍   [2] 👎`), or () if it is none."""
    items = line.split("   ")
    numbered = [_BUTTON.match(item) for item in items]
    expected = [str(n) for n in range(1, len(items) + 1)]
    if not all(numbered) or [m[1] for m in numbered if m] != expected:
        return ()
    return tuple(item.split(" ", 1)[1] for item in items)


def render_message(shown: Shown, width: int) -> list[str]:
    """A message, a pop-up or a file in full: its text, its buttons, its reply keyboard."""
    lines = _layout(shown.head, shown.lines, shown.buttons, width)
    if not shown.keys:
        return lines
    keys = re.split(r" {2,}", shown.keys)  # each key (and the hint after them) kept whole
    return lines + wrap_items(keys, width, first=INDENT, rest=INDENT, gap="  ")


def render_edit(before: Shown, after: Shown, width: int) -> list[str]:
    """An edit by what it changed: the changed lines (unchanged runs as `…`; the whole text if
    most of it changed), then the buttons if they changed."""
    lines = _changed_lines(before.lines, after.lines)
    buttons = after.buttons if after.buttons != before.buttons else ()
    if before.buttons and not after.buttons:
        lines.append("(no buttons now)")
    if not lines and not buttons:
        lines.append("(no visible change)")
    return _layout(after.head, lines, buttons, width)


def _changed_lines(before: tuple[str, ...], after: tuple[str, ...]) -> list[str]:
    if before == after:
        return []
    matcher = SequenceMatcher(a=before, b=after, autojunk=False)
    if matcher.ratio() < 1 - MOSTLY_NEW:
        return list(after)
    out: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [ELIDED] if any(line.strip() for line in before[i1:i2]) else []
        elif op == "delete":
            out += [f"✕ {line}" for line in before[i1:i2] if line.strip()]
        else:
            out += after[j1:j2]
    return out


def _layout(head: str, lines: Sequence[str], buttons: Sequence[str], width: int) -> list[str]:
    """`lines` after `head` and under it, then the buttons numbered, each one kept whole."""
    out = block(head, lines, width) if lines or not buttons else []
    if not buttons:
        return out
    items = [f"[{n}] {label}" for n, label in enumerate(buttons, 1)]
    return out + wrap_items(items, width, first=INDENT if out else head, rest=INDENT)


class Screen:
    """The terminal's view of the chat: each block laid out at `width` columns and written
    with `write`, an edit shown by its changes against the version printed before."""

    def __init__(self, width: int, write: Callable[[str], None]) -> None:
        self.width = width
        self._write = write
        self._versions: dict[int, Shown] = {}
        self.buttons: tuple[str, ...] = ()  # the latest message with buttons: its labels

    def chat(self, text: str) -> None:
        """Write one of the emulator chat's blocks."""
        self._write("\n".join(self.lines_of(text)))

    def say(self, text: str) -> None:
        """Write the sandbox's own text."""
        self._write("\n".join(wrap_text(text, self.width)))

    def say_whole(self, text: str) -> None:
        """Write a line that must stay whole to be of use (a path to copy), however long."""
        self._write(text)

    def lines_of(self, text: str) -> list[str]:
        """The lines for one of the emulator chat's blocks (and remember its version)."""
        shown = read_block(text)
        if shown is None:
            return wrap_text(text, self.width)
        before = self._versions.get(shown.message_id) if shown.message_id else None
        if shown.message_id is not None:
            self._versions[shown.message_id] = shown
        if shown.buttons:
            self.buttons = shown.buttons
        if before is None or shown.tag != "edited":
            return render_message(shown, self.width)
        return render_edit(before, shown, self.width)
