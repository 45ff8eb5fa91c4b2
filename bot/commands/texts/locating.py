"""The time zone in one step: 📍 a shared location, 🕰 the time it is where you are."""

from __future__ import annotations

from datetime import datetime

from bot.commands.texts.common import escape


def render_location_offer() -> str:
    return (
        "📍 Tap <b>Send my location</b> below and your time zone is set in one step.\n"
        "Only the time zone is kept, never the place."
    )


def render_location_unknown() -> str:
    """A location no time zone covers: the open sea, mostly."""
    return (
        "🌊 No time zone covers that spot (out at sea?), so nothing changed.\n"
        "Tap 🕰 below to pick the time it is where you are, or send "
        "<code>/timezone</code> with your city."
    )


def render_utc_offset(minutes: int) -> str:
    """`UTC+5:30`, `UTC−5`, `UTC` for 0 minutes east of UTC."""
    if minutes == 0:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    sign = "+" if minutes > 0 else "−"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def render_clock_picker() -> str:
    return (
        "🕰 <b>What time is it where you are?</b>\n"
        "Tap the time your clock shows (or showed when this message came)."
    )


def render_clock_zones(minutes: int, local: datetime, shown: int, total: int) -> str:
    """The zones at `minutes` from UTC, where it is `local` o'clock now; `shown` of `total`."""
    more = (
        f"\nThe {shown} places most people live in are shown. Not yours? Send "
        "<code>/timezone</code> with your city."
        if shown < total
        else ""
    )
    return (
        f"🕰 It's <b>{local:%H:%M}</b> there ({escape(render_utc_offset(minutes))}).\n"
        f"Tap your place, or the nearest one: zones at the same time today may change their "
        f"clocks on different days.{more}"
    )


def render_clock_gone() -> str:
    """A button answer (plain text): no zone has that time any more."""
    return "The clocks have changed since: here are the times now."


def render_location_private_only() -> str:
    """A button answer (plain text): locations are shared in private chats only."""
    return "📍 Locations can be shared in a private chat with me: there, send /timezone."
