"""Every message the bot writes, as pure functions returning Telegram HTML."""

from __future__ import annotations

from datetime import datetime
from html import escape as html_escape

from scheduler.due import Schedule
from scheduler.streaks import FREEZE_EVERY, Streak
from storage.heartbeat import Heartbeat
from storage.stats import Stats, TipVotes
from tips import Topic

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Subscribe to one gut–bone tip a day"),
    ("tip", "A tip right now (or a topic: /tip fiber)"),
    ("avoid", "What to cut down on, and why"),
    ("time", "Set your daily time: /time 07:30"),
    ("timezone", "Set your timezone: /timezone Europe/Berlin"),
    ("source", "Full sources of your last tip"),
    ("streak", "Your run of days with a ✅ Did it"),
    ("settings", "Your subscription and next tip"),
    ("stop", "Stop the daily tip (settings are kept)"),
    ("help", "All commands and topics"),
    ("about", "What this bot is, its sources, disclaimer"),
)

# For `ADMIN_USER_IDS` only: not in the menu or /help (everyone else gets the unknown-command
# answer), documented in the README's "Operating it".
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (("stats", "Figures for operators"),)

DISCLAIMER = "<i>General information, not medical advice.</i>"
TIME_EXAMPLE = "Example: <code>/time 07:30</code> (24-hour clock, your local time)."
TIMEZONE_LIST = "All names: en.wikipedia.org/wiki/List_of_tz_database_time_zones"
TIMEZONE_EXAMPLE = "Example: <code>/timezone Europe/Berlin</code> or <code>/timezone berlin</code>."


def escape(text: str) -> str:
    """Text for the body of a Telegram HTML message (quotes need no escaping there)."""
    return html_escape(text, quote=False)


def render_welcome(schedule: Schedule, next_tip: datetime, newly_subscribed: bool) -> str:
    opening = (
        "🦴 <b>Welcome to GutBone Daily!</b>\n\nOnce a day you'll get one short tip on how your "
        "gut and its microbes can help your bones, each with the study it rests on."
        if newly_subscribed
        else "✅ You're already subscribed."
    )
    return (
        f"{opening}\n\n{render_schedule(schedule, next_tip)}\n\n"
        "Change it with /time and /timezone. Want one now? /tip\n\n"
        f"{DISCLAIMER}"
    )


def render_schedule(schedule: Schedule, next_tip: datetime | None) -> str:
    lines = [
        f"🕗 Daily at <b>{schedule.at:%H:%M}</b> ({escape(schedule.timezone.key)})",
    ]
    if next_tip is not None:
        lines.append(f"Next tip: {render_local(next_tip, schedule)}")
    return "\n".join(lines)


def render_local(moment: datetime, schedule: Schedule) -> str:
    return moment.astimezone(schedule.timezone).strftime("%a %d %b, %H:%M")


def render_stopped(was_active: bool) -> str:
    if not was_active:
        return "You're not subscribed, so there's nothing to stop. /start to get a daily tip."
    return "⏸ Daily tips stopped. Your settings are kept: /start brings them back."


def render_settings(
    schedule: Schedule, next_tip: datetime | None, *, unreadable: bool = False
) -> str:
    """`next_tip` is None while the chat is not subscribed (or its stored row is unreadable)."""
    state = "on ✅" if next_tip else "off ⏸ (/start to turn it on)"
    problem = (
        "\n\nYour saved time or timezone could not be read, so daily tips are paused. "
        "/start turns them back on with the defaults shown above."
        if unreadable
        else ""
    )
    return (
        f"⚙️ <b>Your settings</b>\nDaily tip: {state}\n"
        f"{render_schedule(schedule, next_tip)}\n\n"
        f"Change with /time 07:30 and /timezone Europe/Berlin.{problem}"
    )


def render_schedule_changed(schedule: Schedule, next_tip: datetime | None) -> str:
    """`next_tip` is None while the chat is not subscribed."""
    reminder = "" if next_tip else "\n\nYou're not subscribed yet: /start to get the daily tip."
    return f"👍 Saved.\n{render_schedule(schedule, next_tip)}{reminder}"


def render_time_usage(problem: str) -> str:
    return f"{escape(problem)}\n{TIME_EXAMPLE}"


def render_timezone_usage(problem: str, candidates: list[str] | None = None) -> str:
    if candidates:
        listed = "\n".join(f"<code>/timezone {escape(name)}</code>" for name in candidates[:8])
        return f"{escape(problem)}. Which one?\n{listed}"
    return f"{escape(problem)}\n{TIMEZONE_EXAMPLE}\n{TIMEZONE_LIST}"


def render_unknown_topic(name: str, topics: tuple[Topic, ...]) -> str:
    shown = escape(name[:40])
    return f"I don't have a topic called “{shown}”. Try one of these:\n{render_topics(topics)}"


def render_topics(topics: tuple[Topic, ...]) -> str:
    return "\n".join(f"{topic.emoji} /tip {topic.id} — {escape(topic.title)}" for topic in topics)


def render_help(topics: tuple[Topic, ...]) -> str:
    commands = "\n".join(f"/{name} — {escape(description)}" for name, description in COMMANDS)
    groups = "In a group, only its admins can /start, /stop or change /time and /timezone."
    return f"<b>Commands</b>\n{commands}\n{groups}\n\n<b>Topics</b>\n{render_topics(topics)}"


def render_about(tip_count: int, reference_count: int) -> str:
    return (
        "🦴 <b>GutBone Daily</b> sends one short tip a day on the gut–bone axis: how the "
        "microbes in your gut, and what you feed them, relate to bone strength.\n\n"
        f"Each of the {tip_count} tips cites one of {reference_count} published sources, "
        "shown under the tip. Much of this research is early: many findings come from mice "
        "or rats, or measure bone density or calcium absorption rather than fractures, and the "
        "tips say so.\n\n"
        "⚕️ <b>Not medical advice.</b> The tips are general information and no substitute for "
        "your doctor's care. If you have osteoporosis, take bone medication or blood thinners "
        "such as warfarin, or are thinking about supplements, talk to your clinician first."
    )


def render_hint() -> str:
    return "I answer commands: /tip for a tip right now, or /help for everything I can do."


def render_ask_an_admin() -> str:
    return "Only this group's admins can change its daily tip: please ask one of them."


def render_sorry() -> str:
    return "Sorry, something went wrong on my side. Please try again in a minute."


def render_stale_button() -> str:
    return "This button no longer works. Try /tip or /help."


def render_button_retired() -> str:
    return "That tip has been retired from the library. Try /tip for a current one."


def render_vote_noted(vote: int, before: int | None) -> str:
    """The short answer to 👍 or 👎 (shown by the client for a moment)."""
    mark = "👍" if vote > 0 else "👎"
    if before == vote:
        return f"Already noted {mark}"
    return f"Changed to {mark}, thanks" if before is not None else f"Thanks — noted {mark}"


def render_checked_in(new: bool) -> str:
    """The short answer to ✅ Did it."""
    return "✅ Done for today — see /streak" if new else "Already checked in today ✅"


def render_streak(streak: Streak) -> str:
    if streak.longest == 0:
        return (
            "🔥 No check-ins yet. Press ✅ Did it under a tip on a day you tried it, "
            "and /streak counts the days in a row."
        )
    today = (
        "Today is done ✅" if streak.today else "Not checked in today yet: ✅ Did it under a tip."
    )
    return (
        f"🔥 <b>Current streak: {_days(streak.current)}</b>\n"
        f"🏆 Longest: {_days(streak.longest)}\n{today}\n\n"
        f"One missed day in any {FREEZE_EVERY} days is forgiven (a freeze); "
        "two in a row end the streak."
    )


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def render_no_tip_yet() -> str:
    return "You haven't had a tip yet. Try /tip, then /source shows where it comes from."


def render_tip_retired() -> str:
    return "That tip has been retired from the library, so its source is no longer shown."


def render_stats(stats: Stats) -> str:
    """The operator's figures, plain lines (also printed by `gutbone-bot stats`)."""
    paused = "—" if stats.paused is None else str(stats.paused)
    lines = [
        f"📊 GutBone Daily, {stats.at:%Y-%m-%d %H:%M} UTC",
        f"Subscribers: {stats.active} active, paused {paused}, {stats.inactive} inactive",
        f"Last 7 days: {stats.joined_7d} joined, {stats.left_7d} left",
        f"Tips sent (UTC days): {stats.sent_today} today, {stats.sent_yesterday} yesterday",
        f"Due now, not yet claimed: {stats.due_backlog}",
        f"Last sweep: {render_sweep(stats.last_sweep, stats.at)}",
        f"Last 24 h: {stats.rate_limited_24h} × 429, {stats.failed_24h} failed deliveries",
        render_tip_feedback(stats.tip_feedback),
    ]
    if stats.unreadable:
        lines.insert(2, f"Unreadable rows (no tips until fixed): {stats.unreadable}")
    return "\n".join(lines)


def render_tip_feedback(votes: tuple[TipVotes, ...]) -> str:
    """The best and worst tips by 👍 − 👎, on one line (best first)."""
    if not votes:
        return "Top and bottom tips by 👍/👎: no feedback collected yet"
    shown = ", ".join(f"{v.tip_id} {v.up}/{v.down}" for v in votes)
    return f"Top and bottom tips by 👍/👎: {shown}"


def render_sweep(beat: Heartbeat | None, now: datetime) -> str:
    if beat is None:
        return "none yet"
    if beat.running:
        ago = (now - beat.started_at).total_seconds()
        return f"running since {beat.started_at:%H:%M:%S} UTC ({ago:.0f} s)"
    assert beat.finished_at is not None and beat.seconds is not None, "a finished sweep"
    ago = (now - beat.finished_at).total_seconds()
    return f"{beat.finished_at:%H:%M:%S} UTC ({ago:.0f} s ago), took {beat.seconds:.1f} s"
