"""/export and /delete_me (what is stored, and for how long, is /privacy, in `about`)."""

from __future__ import annotations


def render_delete_confirm() -> str:
    return (
        "🗑 <b>Delete everything stored about this chat?</b>\n"
        "Your subscription, settings, tip history and anything else saved for this chat will "
        "be erased, and can't be brought back. /export first if you want a copy."
    )


def render_deleted(anything: bool) -> str:
    if not anything:
        return "There was nothing stored about this chat, so nothing to delete."
    return (
        "🗑 Deleted: nothing about this chat is stored any more. "
        "/start whenever you'd like tips again."
    )


def render_delete_cancelled() -> str:
    return "Nothing was deleted."


def render_delete_expired() -> str:
    """A button answer (plain text): an old confirmation, or one from before a new /start."""
    return "This confirmation is out of date and nothing was deleted. Send /delete_me again."


def render_export_caption() -> str:
    return "📦 Everything stored about this chat, as JSON. /delete_me erases it."
