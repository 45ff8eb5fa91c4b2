"""The buttons of a subscription's rhythm: quiet delivery and the weekend time in /settings, and
what stays under a new subscriber's welcome once one of its two choices is made.

Their callback data is versioned and self-contained like the settings buttons'
(`bot.commands.buttons.settings_buttons`), with kinds of their own: `v1:quiet:on|off`,
`v1:wkd` (the weekend picker), `v1:wkd:HH:MM|off` and `v1:done` (the welcome's choices
dismissed). A press says the state it asks for, never "toggle", so a double tap stays put.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.commands.buttons.pickers import COMMON_TIMES, region_rows, time_rows
from bot.commands.buttons.settings_buttons import (
    MAX_DATA,
    CountryPage,
    PickTime,
    PickZone,
    RegionPage,
    Show,
    parse_press,
    press_data,
)
from bot.commands.buttons.zone_buttons import parse_zone_press, with_shortcuts

PRESS_PATTERN = r"^v1:(quiet|wkd|done)(:|$)"
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])", re.ASCII)


@dataclass(frozen=True)
class SetQuiet:
    quiet: bool


@dataclass(frozen=True)
class ShowWeekends:
    pass


@dataclass(frozen=True)
class PickWeekend:
    at: time | None  # None: the weekday time at weekends too


@dataclass(frozen=True)
class DoneChoosing:
    pass


RhythmPress = SetQuiet | ShowWeekends | PickWeekend | DoneChoosing


class Choice(StrEnum):
    """One of the two choices a new subscriber's welcome offers."""

    ZONE = "zone"
    TIME = "time"


def parse_rhythm_press(data: str | None) -> RhythmPress | None:
    """What a rhythm button asks for; None for anything else or forged."""
    if not data or len(data.encode()) > MAX_DATA:
        return None
    match data.split(":"):
        case ["v1", "quiet", "on" | "off" as state]:
            return SetQuiet(state == "on")
        case ["v1", "wkd"]:
            return ShowWeekends()
        case ["v1", "wkd", "off"]:
            return PickWeekend(None)
        case ["v1", "wkd", hours, minutes] if _TIME.fullmatch(f"{hours}:{minutes}"):
            return PickWeekend(time(int(hours), int(minutes)))
        case ["v1", "done"]:
            return DoneChoosing()
    return None


def rhythm_data(press: RhythmPress) -> str:
    """The callback data of a button that sends `press` (the inverse of `parse_rhythm_press`)."""
    match press:
        case SetQuiet(quiet):
            return f"v1:quiet:{'on' if quiet else 'off'}"
        case ShowWeekends():
            return "v1:wkd"
        case PickWeekend(None):
            return "v1:wkd:off"
        case PickWeekend(at):
            return f"v1:wkd:{at:%H:%M}"
        case DoneChoosing():
            return "v1:done"


def _button(label: str, press: RhythmPress) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=rhythm_data(press))


def with_rhythm_rows(
    keyboard: InlineKeyboardMarkup, *, quiet: bool, weekend_at: time | None
) -> InlineKeyboardMarkup:
    """/settings' keyboard with the quiet toggle (✅ when on) and the weekend time below."""
    weekend = f"{weekend_at:%H:%M}" if weekend_at else "same time"
    rows = [
        [_button(f"{'✅' if quiet else '▫️'} 🔕 Quiet delivery", SetQuiet(not quiet))],
        [_button(f"🗓 Weekends: {weekend}", ShowWeekends())],
    ]
    return InlineKeyboardMarkup([*keyboard.inline_keyboard, *rows])


def weekend_keyboard() -> InlineKeyboardMarkup:
    """Common weekend times four to a row, the weekday time at weekends, back to settings."""
    times = [_button(f"{at:%H:%M}", PickWeekend(at)) for at in COMMON_TIMES]
    rows = [times[i : i + 4] for i in range(0, len(times), 4)]
    rows.append([_button("Same as weekdays", PickWeekend(None))])
    rows.append([InlineKeyboardButton("⚙️ Settings", callback_data=press_data(Show.SETTINGS))])
    return InlineKeyboardMarkup(rows)


def _offers(keyboard: InlineKeyboardMarkup | None) -> tuple[bool, bool]:
    """Whether a keyboard offers (a timezone, a time): what a welcome still has open."""
    rows = keyboard.inline_keyboard if keyboard else ()
    data = [item for row in rows for button in row if isinstance(item := button.callback_data, str)]
    pressed = [parse_press(item) for item in data]
    shortcut = any(parse_zone_press(item) is not None for item in data)  # 📍, 🕰
    zone = shortcut or any(isinstance(p, RegionPage | CountryPage | PickZone) for p in pressed)
    return zone, any(isinstance(press, PickTime) for press in pressed)


def still_open(keyboard: InlineKeyboardMarkup | None, chosen: Choice) -> Choice | None:
    """After `chosen` was picked under `keyboard`: the other choice if that keyboard offered it
    too (a new subscriber's welcome, which keeps both until both are made), else None."""
    zone, at = _offers(keyboard)
    if chosen is Choice.ZONE:
        return Choice.TIME if at else None
    return Choice.ZONE if zone else None


def other_choice_keyboard(choice: Choice, chat_type: str) -> InlineKeyboardMarkup:
    """The welcome's other choice (a timezone with its shortcuts) and ✓ Done to dismiss it."""
    rows = time_rows() if choice is Choice.TIME else region_rows()
    keyboard = InlineKeyboardMarkup([*rows, [_button("✓ Done", DoneChoosing())]])
    return keyboard if choice is Choice.TIME else with_shortcuts(keyboard, chat_type)


def keep_times(
    keyboard: InlineKeyboardMarkup, pressed_under: InlineKeyboardMarkup | None
) -> InlineKeyboardMarkup:
    """A timezone picker shown under a welcome (a region, its cities, 🕰's clocks) keeps the
    welcome's delivery times below it, marked 🕗 so they are never taken for a clock's time."""
    if not _offers(pressed_under)[1]:
        return keyboard
    marked = [
        [
            InlineKeyboardButton(f"🕗 {button.text}", callback_data=button.callback_data)
            for button in row
        ]
        for row in time_rows()
    ]
    return InlineKeyboardMarkup([*keyboard.inline_keyboard, *marked])
