"""/export and /delete_me, and what is stored about a chat (also in /about)."""

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


def render_what_is_stored() -> str:
    return (
        "🔒 <b>What is stored, and why.</b> For each chat: its id and type, whether it is "
        "subscribed, its delivery time (and weekend time), timezone, topics, quiet setting and "
        "any pause (to send your tip when and how you asked for it), when it last stopped (to "
        "welcome you back), its tips of the last 3 days and which tips it has had this round "
        "(so a day gets one tip and tips don't repeat), your 👍/👎 on tips, your streak's "
        "figures, this week's and last week's plants, and the channels you added with "
        "/channel (to list them for you). Not your name, nor anything else you type. "
        "/export sends you all of it; /delete_me erases it."
    )
