"""/settings, /topics, /pause, /resume, /time and /timezone, typed or tapped."""

from __future__ import annotations

from datetime import datetime

from bot.commands.texts.common import escape, render_local, render_schedule
from bot.commands.texts.zones import TIMEZONE_TRY
from scheduler.due import Schedule
from tips import Topic, is_chosen

TIME_EXAMPLE = "try <code>/time 7pm</code>, <code>/time 7:30 am</code> or <code>/time 19:00</code>."
TIMEZONE_EXAMPLE = "Example: <code>/timezone Europe/Berlin</code> or <code>/timezone berlin</code>."


WEEKEND_EXAMPLE = (
    "Example: <code>/time weekends 09:30</code>, or <code>/time weekends off</code> for the "
    "weekday time every day."
)


def render_settings(
    schedule: Schedule,
    next_tip: datetime | None,
    *,
    unreadable: bool = False,
    paused_until: datetime | None = None,
    topics: tuple[Topic, ...] = (),
    chosen: frozenset[str] | None = None,
    quiet: bool = False,
) -> str:
    """`next_tip` is None while the chat is not subscribed (or its stored row is unreadable);
    `paused_until` is given while a pause runs; `chosen` topics of `topics` (None: all);
    `quiet`: daily tips arrive without a sound."""
    state = "on ✅" if next_tip else "off ⏸ (/start to turn it on)"
    if next_tip and paused_until:
        state = f"paused ⏸ until {render_local(paused_until, schedule)} (/resume)"
    problem = (
        "\n\nYour saved time or timezone could not be read, so daily tips are paused. "
        "/start turns them back on with the defaults shown above."
        if unreadable
        else ""
    )
    return (
        f"⚙️ <b>Your settings</b>\nDaily tip: {state}\n"
        f"{render_schedule(schedule, next_tip)}\n{render_chosen(topics, chosen)}\n"
        f"{render_quiet(quiet)}\n\n"
        f"Change with the buttons below, /time 7pm or {timezone_example(schedule)}.{problem}"
    )


def timezone_example(schedule: Schedule) -> str:
    """`/timezone` as this chat would type it: its own city (`/timezone new york`); a chat on
    a zone without one (UTC, the default) is shown the form instead."""
    area, _, city = schedule.timezone.key.rpartition("/")
    if not area or area == "Etc":
        return "/timezone and your city"
    return f"/timezone {escape(city.replace('_', ' ').lower())}"


def render_quiet(quiet: bool) -> str:
    """One line for /settings and the welcome back."""
    return "🔕 Quiet delivery: on, no sound" if quiet else "🔔 Quiet delivery: off"


def render_chosen(topics: tuple[Topic, ...], chosen: frozenset[str] | None) -> str:
    """One line: the topics daily tips come from (or, when shorter, those left out)."""
    on = [topic for topic in topics if is_chosen(chosen, topic.id)]
    off = [topic for topic in topics if not is_chosen(chosen, topic.id)]
    if not on or not off:
        return "🗂 Topics: all"
    if len(off) < len(on):
        return f"🗂 Topics: all but {_titles(off)}"
    return f"🗂 Topics: {_titles(on)}"


def _titles(topics: list[Topic]) -> str:
    return ", ".join(f"{topic.emoji} {escape(topic.title)}" for topic in topics)


def render_topic_choice() -> str:
    return (
        "🗂 <b>Your topics</b>\nDaily tips and /tip come from the topics ticked below: tap one "
        "to switch it on or off.\n/tip with a topic (/tip fiber) still gives any topic, "
        "and /avoid always has its own."
    )


def render_last_topic() -> str:
    """A button answer (plain text, at most 200 characters)."""
    return "At least one topic stays on: tick another one before switching this one off."


def render_topic_gone() -> str:
    """A button answer (plain text)."""
    return "That topic is no longer in the library. Send /topics for the current list."


def render_pause_usage(problem: str) -> str:
    return f"{escape(problem)}\nExample: <code>/pause 7</code> (no daily tips for a week)."


def render_paused(paused_until: datetime, next_tip: datetime, schedule: Schedule) -> str:
    return (
        f"⏸ Paused: no daily tips until {render_local(paused_until, schedule)}.\n"
        f"They come back by themselves; the next one is on {render_local(next_tip, schedule)}.\n"
        "/resume ends the pause sooner."
    )


def render_resumed(was_paused: bool, next_tip: datetime, schedule: Schedule) -> str:
    if not was_paused:
        return f"You're not paused. Next tip: {render_local(next_tip, schedule)}"
    return f"▶️ Welcome back! Next tip: {render_local(next_tip, schedule)}"


def render_nothing_to_pause() -> str:
    return (
        "You're not subscribed, so there's nothing to pause or resume. /start to get a daily tip."
    )


def render_timezone_picker() -> str:
    return (
        "🌍 <b>Your timezone</b>\nTap your region, then your city (or the nearest one in the "
        f"same timezone).\n{TIMEZONE_EXAMPLE}"
    )


def render_region_page(region: str, page: int, pages: int) -> str:
    """`page` counts from 0; the first holds the region's most-used places."""
    first = ": the most-used places, More › for the rest" if page == 0 and pages > 1 else ""
    return (
        f"🌍 <b>{escape(region)}</b> — page {page + 1} of {pages}{first}\n"
        "Tap your city, or the nearest one in the same timezone."
    )


def render_time_picker() -> str:
    return (
        "🕗 <b>Your daily time</b>\nTap a time (your local time), or send "
        "<code>/time 07:45</code> to set any other."
    )


def render_picker_gone() -> str:
    """A button answer (plain text): a page or zone this picker no longer has."""
    return "That choice is no longer on offer. Send /timezone for the current list."


def render_schedule_changed(schedule: Schedule, next_tip: datetime | None) -> str:
    """`next_tip` is None while the chat is not subscribed."""
    reminder = "" if next_tip else "\n\nYou're not subscribed yet: /start to get the daily tip."
    return f"👍 Saved.\n{render_schedule(schedule, next_tip)}{reminder}"


def render_time_usage(problem: str) -> str:
    """One line: what could not be read, and the forms that can."""
    return f"{escape(problem)}: {TIME_EXAMPLE}"


def render_timezone_usage(problem: str) -> str:
    """One line: what was wrong, and what to try."""
    return f"{escape(problem)} {TIMEZONE_TRY}"


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
