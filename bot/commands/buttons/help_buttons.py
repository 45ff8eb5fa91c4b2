"""/help's two pages and the buttons between them: `v1:help:more` and `v1:help:main`."""

from __future__ import annotations

from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

PRESS_PATTERN = r"^v1:help:(main|more)$"


class HelpPage(StrEnum):
    """A page of /help; the value is its part of the callback data."""

    MAIN = "main"
    MORE = "more"


def help_keyboard(shown: HelpPage) -> InlineKeyboardMarkup:
    """Under the main page a button to the rest; under the rest one back."""
    if shown is HelpPage.MAIN:
        return _one_button("➕ More", HelpPage.MORE)
    return _one_button("⬅️ Back", HelpPage.MAIN)


def help_page(data: str | None) -> HelpPage | None:
    """The page a press asks for, or None for data that is not /help's."""
    prefix = "v1:help:"
    if data is None or not data.startswith(prefix):
        return None
    try:
        return HelpPage(data.removeprefix(prefix))
    except ValueError:
        return None


def _one_button(label: str, page: HelpPage) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"v1:help:{page}")]])
