"""/help in two pages that each fit a phone screen: the main commands, then "More"."""

from __future__ import annotations

from bot.commands.texts.common import escape
from bot.commands.texts.menu import GROUP_ADMIN_ONLY, MAIN_COMMANDS, MORE_COMMANDS
from bot.commands.texts.tips import render_topics
from tips import Topic

HELP_LINES = 12  # the first page fits a phone screen


def render_help(in_group: bool) -> str:
    """The first page: the main commands (/help itself aside), at most `HELP_LINES` lines."""
    listed = [entry for entry in MAIN_COMMANDS if entry[0] != "help"]
    return "\n".join(
        [
            "📋 <b>Commands</b> — one gut–bone tip a day",
            *_lines(listed),
            *(["👥 In this group only its admins can change the daily tip."] if in_group else []),
            "Tap ➕ More for /start, /stop, /pause, /privacy and the rest.",
        ]
    )


def render_help_more(topics: tuple[Topic, ...], in_group: bool) -> str:
    """The second page: every other command, then the topics /tip and /topics know."""
    return "\n".join(
        [
            "📋 <b>More commands</b>",
            *_lines(MORE_COMMANDS),
            *_group_note(in_group),
            "",
            "<b>Topics</b>",
            render_topics(topics),
        ]
    )


def _lines(commands: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> list[str]:
    return [f"/{name} — {escape(description)}" for name, description in commands]


def _group_note(in_group: bool) -> list[str]:
    if not in_group:
        return []
    listed = ", ".join(f"/{name}" for name in GROUP_ADMIN_ONLY)
    return [f"👥 In this group only its admins can use {listed}."]
