"""Asking for tips: unknown topics, the topic list, a missing or retired tip, a vote noted."""

from __future__ import annotations

from bot.commands.texts.common import escape
from tips import Topic


def render_unknown_topic(name: str, topics: tuple[Topic, ...]) -> str:
    shown = escape(name[:40])
    return f'I don\'t have a topic called "{shown}". Try one of these:\n{render_topics(topics)}'


def render_topics(topics: tuple[Topic, ...]) -> str:
    return "\n".join(f"{topic.emoji} /tip {topic.id} — {escape(topic.title)}" for topic in topics)


def render_button_retired() -> str:
    return "That tip has been retired from the library. Try /tip for a current one."


def render_vote_noted(vote: int, before: int | None) -> str:
    """The short answer to 👍 or 👎 (shown by the client for a moment)."""
    mark = "👍" if vote > 0 else "👎"
    if before == vote:
        return f"Already noted {mark}"
    return f"Changed to {mark}, thanks" if before is not None else f"Thanks — noted {mark}"


def render_no_tip_yet() -> str:
    return "You haven't had a tip yet. Try /tip, then /source shows where it comes from."


def render_tip_retired() -> str:
    return "That tip has been retired from the library, so its source is no longer shown."
