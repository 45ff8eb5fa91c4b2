"""The weekly recap's words: the picture's one-line caption, and its /settings toggle."""

from __future__ import annotations

from bot.commands.texts.common import escape
from habits.recap import Recap
from tips import GOAL

_TITLE_CHARS = 60  # of the liked tip's title, in the caption


def render_recap_caption(recap: Recap, liked_title: str | None) -> str:
    """One line under the picture, saying what it shows (a caption is at most 1024)."""
    parts = [
        f"🗓 Your week: ✅ {recap.days_checked}/7 days",
        f"🔥 streak {recap.streak}",
        f"🌱 {recap.plants}/{GOAL} plants",
    ]
    if liked_title:
        short = liked_title if len(liked_title) <= _TITLE_CHARS else liked_title[:59] + "…"
        parts.append(f"👍 {escape(short)}")
    return " · ".join(parts)


def render_recap_toggle(wanted: bool) -> str:
    """The /settings button's label: the state it is in (a tap switches it)."""
    return "🖼 Sunday picture: on ✅" if wanted else "🖼 Sunday picture: off"


def render_recap_switched(wanted: bool) -> str:
    """A button answer (plain text, at most 200 characters)."""
    if wanted:
        return "On: a picture of your week comes with Sunday's tip."
    return "Off: no weekly picture on Sundays."


def render_recap_needs_subscription() -> str:
    """A button answer (plain text): the chat has no subscription to set it on."""
    return "You're not subscribed: /start first, then the Sunday picture can be set."
