"""The weekly recap's /settings button: `v1:recap:on` or `v1:recap:off`, the state a press
asks for (not a flip, so a double tap or an old message still means what it says). A module
of its own beside `settings_buttons`, read back by `bot.commands.weekly`."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.commands import texts

RECAP_PATTERN = r"^v1:recap:(on|off)$"
_DATA = {True: "v1:recap:on", False: "v1:recap:off"}


def parse_recap_press(data: str | None) -> bool | None:
    """Whether the press asks for the recap on (True) or off (False); None for anything else."""
    return {value: wanted for wanted, value in _DATA.items()}.get(data or "")


def with_recap_toggle(markup: InlineKeyboardMarkup, wanted: bool) -> InlineKeyboardMarkup:
    """`markup` with one more row: the recap's state, a tap away from the other one."""
    button = InlineKeyboardButton(
        texts.render_recap_toggle(wanted), callback_data=_DATA[not wanted]
    )
    return InlineKeyboardMarkup([*markup.inline_keyboard, [button]])
