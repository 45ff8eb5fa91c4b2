"""A bot that remembers you, and the rhythm of your tips: the welcome back (with what is new
since you left), quiet delivery, the weekend time, and a welcome's other choice."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.commands.texts.common import escape, render_schedule
from bot.commands.texts.settings import render_chosen, render_quiet
from bot.commands.texts.welcome import DISCLAIMER
from scheduler.due import Schedule
from tips import Topic

#: What changed for subscribers, newest last: (the day it shipped, one short line). A returning
#: subscriber is told of those after they left; keep each line short, and drop old ones.
CHANGES = ((date(2026, 12, 2), "🔕 quiet delivery and 🗓 a weekend time, in /settings"),)
MAX_NEWS = 3
WEEKEND_EXAMPLE = (
    "Example: <code>/time weekends 09:30</code>, or <code>/time weekends off</code> for the "
    "weekday time every day."
)


Changes = tuple[tuple[date, str], ...]


def news_since(since: datetime | None, changes: Changes = CHANGES) -> list[str]:
    """The newest changes (at most `MAX_NEWS`) shipped after `since`; all of them if unknown."""
    after = since.astimezone(UTC).date() if since else date.min
    return [line for day, line in changes if day > after][-MAX_NEWS:]


def render_welcome_back(
    schedule: Schedule,
    next_tip: datetime,
    *,
    returning: bool,
    quiet: bool,
    topics: tuple[Topic, ...],
    chosen: frozenset[str] | None,
    news: list[str],
) -> str:
    """/start from someone who was here: their settings, and what is new (`returning`: they
    had stopped, and are subscribed again now)."""
    opening = "Your daily tip is on again." if returning else "You're subscribed."
    since = "since you left" if returning else "lately"
    new = f"\n🆕 New {since}: {escape('; '.join(news))}." if news else ""
    return (
        f"👋 <b>Welcome back!</b> {opening}\n\n{render_schedule(schedule, next_tip)}\n"
        f"{render_chosen(topics, chosen)}\n{render_quiet(quiet)}{new}\n\n"
        f"/settings changes any of it. Want one now? /tip\n\n{DISCLAIMER}"
    )


def render_quiet_changed(quiet: bool) -> str:
    """A button answer (plain text)."""
    if quiet:
        return "🔕 Daily tips will arrive without a sound."
    return "🔔 Daily tips will arrive with a sound again."


def render_weekend_picker(schedule: Schedule) -> str:
    current = f"{schedule.weekend_at:%H:%M}" if schedule.weekend_at else "the weekday time"
    return (
        f"🗓 <b>Your weekend time</b>\nOn Saturdays and Sundays your tip comes at {current} "
        f"({escape(schedule.timezone.key)}); weekdays stay at {schedule.at:%H:%M}. Tap a time, "
        "or send <code>/time weekends 09:45</code> for any other."
    )


def render_weekend_usage(problem: str) -> str:
    return f"{escape(problem)}\n{WEEKEND_EXAMPLE}"


def render_other_choice(saved: str, time_left: bool) -> str:
    """A welcome's confirmation, with its other choice (the time, or the timezone) to make."""
    ask = (
        "🕗 And your time? Tap one below, or ✓ Done to keep it."
        if time_left
        else "🌍 And your timezone? Tap your region below, or ✓ Done to keep it."
    )
    return f"{saved}\n\n{ask}"
