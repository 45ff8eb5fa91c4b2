"""Inline keyboards under messages, and reading back what their buttons send."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

SOURCE = "source:"


def tip_keyboard(tip_id: str) -> InlineKeyboardMarkup:
    """The button under every tip that opens its full sources."""
    button = InlineKeyboardButton("📚 Source", callback_data=f"{SOURCE}{tip_id}")
    return InlineKeyboardMarkup([[button]])


def source_tip_id(data: str | None) -> str | None:
    """The tip id a "Source" button carries, or None for any other data."""
    if data and data.startswith(SOURCE) and len(data) > len(SOURCE):
        return data[len(SOURCE) :]
    return None
