"""Inline keyboards under messages, and reading back what their buttons send.

A button's callback data is self-contained, so a press still means the same after a restart:
`v1:<action>:<tip id>`, at most 64 bytes (Telegram's limit; tip ids are at most 48
characters, so every action fits). The version comes first, so a later layout can be told
apart from this one; data from before the versions (`source:<tip id>`) is still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tips import WHY

VERSION = "v1"
LEGACY_SOURCE = "source:"  # the only button before versioned data: still under old tips
MAX_DATA_BYTES = 64  # Telegram's limit on callback_data
_TIP_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_TIP_ID = 48  # as the tip library allows


class Action(StrEnum):
    """What a button under a tip asks for; the value is its part of the callback data."""

    UP = "fb:+"
    DOWN = "fb:-"
    DID = "did"
    ANOTHER = "more"
    SOURCE = "src"
    WHY = "why"


VOTES = {Action.UP: 1, Action.DOWN: -1}


@dataclass(frozen=True)
class Press:
    """A button press read back from its callback data."""

    action: Action
    tip_id: str


def press_data(action: Action, tip_id: str) -> str:
    return f"{VERSION}:{action}:{tip_id}"


def parse_press(data: str | None) -> Press | None:
    """The press a button's data stands for; None for anything this version does not know
    (another version, an unknown action, a malformed tip id, data over 64 bytes)."""
    if not data or len(data.encode()) > MAX_DATA_BYTES:
        return None
    if data.startswith(LEGACY_SOURCE):
        return _press(Action.SOURCE, data.removeprefix(LEGACY_SOURCE))
    version, _, rest = data.partition(":")
    if version != VERSION:
        return None
    action, _, tip_id = rest.rpartition(":")
    try:
        return _press(Action(action), tip_id)
    except ValueError:
        return None


def _press(action: Action, tip_id: str) -> Press | None:
    if len(tip_id) > MAX_TIP_ID or not _TIP_ID.fullmatch(tip_id):
        return None
    return Press(action, tip_id)


def tip_keyboard(
    tip_id: str,
    *,
    vote: int | None = None,
    done: bool = False,
    did: bool = True,
    why: bool = True,
) -> InlineKeyboardMarkup:
    """The buttons under every tip; the chat's vote and today's check-in show as chosen.

    ✅ only under a tip to act on (`did`), showing "Done today" once the chat checked in;
    🔎 Why? (`why`) until the message shows the evidence.
    """
    up = "👍 ✓" if vote == 1 else "👍"
    down = "👎 ✓" if vote == -1 else "👎"
    check_in = [("✅ Done today" if done else "✅ Did it", Action.DID)] if did else []
    first = [(up, Action.UP), (down, Action.DOWN), *check_in]
    evidence = [(WHY, Action.WHY)] if why else []
    second = [*evidence, ("Another tip", Action.ANOTHER), ("📚 Source", Action.SOURCE)]
    return InlineKeyboardMarkup([_row(first, tip_id), _row(second, tip_id)])


def _row(buttons: Iterable[tuple[str, Action]], tip_id: str) -> list[InlineKeyboardButton]:
    return [
        InlineKeyboardButton(text, callback_data=press_data(action, tip_id))
        for text, action in buttons
    ]


def keyboard_tip_ids(markup: InlineKeyboardMarkup | None) -> set[str]:
    """The tips the buttons of a message's keyboard are about (to tell a forged press)."""
    if markup is None:
        return set()
    data = (button.callback_data for row in markup.inline_keyboard for button in row)
    return {press.tip_id for press in map(_parse_any, data) if press is not None}


def _parse_any(data: object) -> Press | None:
    return parse_press(data) if isinstance(data, str) else None
