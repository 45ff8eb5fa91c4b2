"""/channel: daily tips in a channel of the person's."""

from __future__ import annotations

from datetime import datetime

from bot.commands.texts.common import escape, render_schedule
from scheduler.due import Schedule

CHANNEL_HOW = (
    "Make me an admin of your channel who can post messages, then send "
    "<code>/channel @name</code> here (or forward me one of its posts)."
)


def render_channel_usage() -> str:
    return f"That isn't a channel I can find. {CHANNEL_HOW}"


def render_channel_private_only() -> str:
    return "/channel works in a private chat with me: send <code>/channel @name</code> there."


def render_channel_bot_missing(name: str) -> str:
    return f"Add me to {escape(name)} as an admin who can post messages, then try again."


def render_channel_not_admin() -> str:
    return "Only the channel's admins can subscribe it."


def render_channel_added(
    name: str, schedule: Schedule, next_tip: datetime | None, newly: bool
) -> str:
    opening = (
        f"✅ {escape(name)} now gets the daily tip."
        if newly
        else f"✅ {escape(name)} already gets the daily tip."
    )
    return f"{opening}\n\n{render_schedule(schedule, next_tip)}\n\n/channel lists your channels."


def render_channels(channels: list[tuple[str, bool]], removed: str | None = None) -> str:
    """The person's channels (name, still getting tips); after a remove, which one went."""
    opening = f"🗑 {escape(removed)} no longer gets the daily tip.\n\n" if removed else ""
    if not channels:
        return f"{opening}📣 You haven't added a channel yet. {CHANNEL_HOW}"
    stopped = " — stopped: I can't post there any more; /channel @name starts it again"
    listed = "\n".join(f"• {escape(name)}{'' if on else stopped}" for name, on in channels)
    return f"{opening}📣 <b>Your channels</b> (daily tip)\n{listed}\n\nTap one below to remove it."


def render_channel_remove_refused() -> str:
    return "Only the channel's admins can remove it."
