"""What every feature's texts share: HTML escaping, the schedule line, and the answers any
command or button may get (a hint, an apology, a stale button, a group's admins only)."""

from __future__ import annotations

from datetime import datetime
from html import escape as html_escape

from scheduler.due import Schedule


def escape(text: str) -> str:
    """Text for the body of a Telegram HTML message (quotes need no escaping there)."""
    return html_escape(text, quote=False)


def render_schedule(schedule: Schedule, next_tip: datetime | None) -> str:
    lines = [
        f"🕗 Daily at <b>{schedule.at:%H:%M}</b> ({escape(schedule.timezone.key)})",
    ]
    if schedule.weekend_at is not None:
        lines.append(f"🗓 Weekends at <b>{schedule.weekend_at:%H:%M}</b>")
    if next_tip is not None:
        lines.append(f"Next tip: {render_local(next_tip, schedule)}")
    return "\n".join(lines)


def render_local(moment: datetime, schedule: Schedule) -> str:
    return moment.astimezone(schedule.timezone).strftime("%a %d %b, %H:%M")


def render_hint() -> str:
    return "I answer commands: /tip for a tip right now, or /help for everything I can do."


def render_unknown_command(command: str, closest: str | None) -> str:
    """`command` as typed (its `@botname` dropped); `closest` a known one it may have meant."""
    guess = f" Did you mean /{closest}?" if closest else ""
    return f"I don't know {escape(command[:33])}.{guess} /help lists what I can do."


def render_ask_an_admin() -> str:
    return "Only this group's admins can change its daily tip: please ask one of them."


def render_sorry() -> str:
    return "Sorry, something went wrong on my side. Please try again in a minute."


def render_stale_button() -> str:
    return "This button no longer works. Try /tip or /help."
