"""The command handlers `bot.service.wiring` registers, one module a feature; parse → core →
render → reply, each one short, none builds text inline.

How they answer (reply, edit in place, answer a press) and the group-admin guard live in
`bot.commands.replying`; the buttons' handlers in `bot.commands.presses` and `choices`.
"""

from __future__ import annotations

from bot.commands.handlers.info import (
    about,
    addressed_hint,
    help_command,
    help_pressed,
    hint,
    privacy,
    stats,
)
from bot.commands.handlers.locating import location_shared, shortcut_pressed
from bot.commands.handlers.schedule import (
    local_today,
    save_schedule,
    set_time,
    set_timezone,
    upcoming_tip,
)
from bot.commands.handlers.subscription import chat_migrated, membership_changed, start, stop
from bot.commands.handlers.tipping import avoid, send_tip_from, source, streak, tip, tip_markup
from bot.commands.handlers.updates import on_error, received

__all__ = [
    "about",
    "addressed_hint",
    "avoid",
    "chat_migrated",
    "help_command",
    "help_pressed",
    "hint",
    "local_today",
    "location_shared",
    "membership_changed",
    "on_error",
    "privacy",
    "received",
    "save_schedule",
    "send_tip_from",
    "set_time",
    "set_timezone",
    "shortcut_pressed",
    "source",
    "start",
    "stats",
    "stop",
    "streak",
    "tip",
    "tip_markup",
    "upcoming_tip",
]
