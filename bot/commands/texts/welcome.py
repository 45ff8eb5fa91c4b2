"""/start and /stop: how the bot begins or ends, and how it greets someone who comes back (their
settings, and what is new since they left); /help, /about and /privacy have their own."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.commands.texts.common import escape, render_schedule
from bot.commands.texts.settings import render_chosen, render_quiet
from scheduler.due import Schedule
from tips import Topic

DISCLAIMER = "<i>General information, not medical advice.</i>"

#: What changed for subscribers, newest last: (the day it shipped, one short line). A returning
#: subscriber is told of those after they left; keep each line short, and drop old ones.
CHANGES = (
    (date(2026, 12, 2), "📍 your timezone from your location, or 🕰 the time it is there"),
    (date(2026, 12, 2), "/time as you say it (7pm, 7.15) and a shorter /help"),
    (date(2026, 12, 2), "🔕 quiet delivery and 🗓 a weekend time, in /settings"),
    (date(2026, 12, 2), "a 👎 takes that tip out of your rotation for good"),
    (date(2026, 12, 2), "🖼 a small picture of your week on Sundays"),
)
MAX_NEWS = 3

Changes = tuple[tuple[date, str], ...]


def news_since(since: datetime | None, changes: Changes = CHANGES) -> list[str]:
    """The newest changes (at most `MAX_NEWS`) shipped after `since`; all of them if unknown."""
    after = since.astimezone(UTC).date() if since else date.min
    return [line for day, line in changes if day > after][-MAX_NEWS:]


def render_welcome(schedule: Schedule, next_tip: datetime) -> str:
    """A new subscriber's welcome; someone who was here is welcomed back instead
    (`render_welcome_back`)."""
    return (
        "🦴 <b>Welcome to GutBone Daily!</b>\n\nOnce a day you'll get one short tip on how your "
        "gut and its microbes can help your bones, each with the study it rests on.\n\n"
        f"{render_schedule(schedule, next_tip)}\n\n"
        "🌍 Tap your region below to set your timezone, and 🕗 one of the times. Tap nothing and "
        "your tips come at the time shown above; /time and /timezone change it any day. "
        f"Want one now? /tip\n\n{DISCLAIMER}"
    )


def render_stopped(was_active: bool) -> str:
    if not was_active:
        return "You're not subscribed, so there's nothing to stop. /start to get a daily tip."
    return "⏸ Daily tips stopped. Your settings are kept: /start brings them back."


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


def render_other_choice(saved: str, time_left: bool) -> str:
    """A welcome's confirmation, with its other choice (the time, or the timezone) to make."""
    ask = (
        "🕗 And your time? Tap one below, or ✓ Done to keep it."
        if time_left
        else "🌍 And your timezone? Tap your region below, or ✓ Done to keep it."
    )
    return f"{saved}\n\n{ask}"
