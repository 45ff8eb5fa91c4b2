"""The time zone in one step: 📍 a shared location, or 🕰 the time it is where you are.

Pure keyboards and their callback data, no Telegram I/O. The 📍 button under a picker asks for
the reply keyboard whose button shares the location (Telegram allows that in private chats
only); 🕰 shows the local times of every UTC offset in use, and one of them the zones that have
it now. The data carries the offset itself (`v1:utc:-300`), so a press is read against the
zones as they are when it arrives, not as they were when the picker was sent; a zone is picked
with the region picker's own `v1:tz:<zone>` button, so both save alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from telegram import (
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.commands.buttons.settings_buttons import MAX_DATA, PickZone, RegionPage, press_data
from bot.commands.places.naming import city_name
from scheduler.zones import offsets_in_use

PRESS_PATTERN = r"^v1:(loc|utc)(:|$)"
LOCATION_LABEL = "📍 Send my location"
CLOCK_LABEL = "🕰 Pick the time it is here"
CLOCK_COLUMNS, ZONE_COLUMNS, MAX_ZONES = 4, 3, 15
MAX_OFFSET = 18 * 60  # minutes: what any UTC offset can be (Python's and ISO's bound)
_OFFSET = re.compile(r"-?[0-9]{1,4}", re.ASCII)


@dataclass(frozen=True)
class ShareLocation:
    """📍: show the reply keyboard with the location button."""


@dataclass(frozen=True)
class ClockTimes:
    """🕰: the local times of the UTC offsets in use."""


@dataclass(frozen=True)
class ClockOffset:
    minutes: int  # east of UTC; checked against the zones when pressed


ZonePress = ShareLocation | ClockTimes | ClockOffset


def parse_zone_press(data: str | None) -> ZonePress | None:
    """What a 📍 or 🕰 button asks for; None for anything else, garbled or forged."""
    if not data or len(data.encode()) > MAX_DATA:
        return None
    if data == "v1:loc":
        return ShareLocation()
    if data == "v1:utc":
        return ClockTimes()
    prefix, _, minutes = data.rpartition(":")
    if prefix != "v1:utc" or not _OFFSET.fullmatch(minutes) or abs(int(minutes)) > MAX_OFFSET:
        return None
    return ClockOffset(int(minutes))


def zone_press_data(press: ZonePress) -> str:
    """The callback data of a button that sends `press` (the inverse of `parse_zone_press`)."""
    match press:
        case ShareLocation():
            return "v1:loc"
        case ClockTimes():
            return "v1:utc"
        case ClockOffset(minutes):
            return f"v1:utc:{minutes}"


def _button(label: str, press: ZonePress | PickZone | RegionPage) -> InlineKeyboardButton:
    data = press_data(press) if isinstance(press, PickZone | RegionPage) else zone_press_data(press)
    return InlineKeyboardButton(label, callback_data=data)


def shortcut_row(*, private: bool) -> list[InlineKeyboardButton]:
    """📍 (in private chats, the only ones Telegram lets share a location) and 🕰."""
    clock = _button(CLOCK_LABEL, ClockTimes())
    return [_button(LOCATION_LABEL, ShareLocation()), clock] if private else [clock]


def with_shortcuts(markup: InlineKeyboardMarkup, chat_type: str) -> InlineKeyboardMarkup:
    """A picker's keyboard with the one-step shortcuts above it (📍 in private chats)."""
    shortcuts = shortcut_row(private=chat_type == Chat.PRIVATE)
    return InlineKeyboardMarkup([shortcuts, *markup.inline_keyboard])


def clock_shortcut() -> InlineKeyboardMarkup:
    """🕰 alone: where a location found no zone."""
    return InlineKeyboardMarkup([shortcut_row(private=False)])


def location_keyboard() -> ReplyKeyboardMarkup:
    """The reply keyboard whose one button shares the location (private chats only)."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(LOCATION_LABEL, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def local_clock(minutes: int, now: datetime) -> datetime:
    """The wall-clock time at `minutes` from UTC at `now` (naive, to the minute)."""
    local = now.astimezone(UTC) + timedelta(minutes=minutes)
    return local.replace(tzinfo=None, second=0, microsecond=0)


def clock_labels(offsets: tuple[int, ...], now: datetime) -> dict[int, str]:
    """Each offset's local time as a label, `09:14`; where two offsets show the same time a
    day apart, their weekday too (`Mon 23:14`, `Tue 23:14`). Ordered by the clock's time."""
    clocks = {minutes: local_clock(minutes, now) for minutes in offsets}
    shown = [f"{clock:%H:%M}" for clock in clocks.values()]
    labels = {
        minutes: f"{clock:%a %H:%M}" if shown.count(f"{clock:%H:%M}") > 1 else f"{clock:%H:%M}"
        for minutes, clock in clocks.items()
    }
    return dict(sorted(labels.items(), key=lambda item: (clocks[item[0]].time(), clocks[item[0]])))


def clock_keyboard(now: datetime) -> InlineKeyboardMarkup:
    """The local times of every UTC offset in use at `now`, four to a row, then 🌍 Regions."""
    labels = clock_labels(offsets_in_use(now), now)
    buttons = [_button(label, ClockOffset(minutes)) for minutes, label in labels.items()]
    rows = [buttons[i : i + CLOCK_COLUMNS] for i in range(0, len(buttons), CLOCK_COLUMNS)]
    return InlineKeyboardMarkup([*rows, [_button("🌍 Regions", RegionPage(None, 0))]])


def zone_label(key: str) -> str:
    """`America/Argentina/Buenos_Aires` -> "Buenos Aires": CLDR's name of the place, as the
    region picker's buttons say it ("Vevay, Indiana", "Bogotá")."""
    return city_name(key)


def offset_keyboard(zones: tuple[str, ...]) -> InlineKeyboardMarkup:
    """The first `MAX_ZONES` of `zones` (most-used first), then ‹ Times and 🌍 Regions."""
    buttons = [_button(zone_label(key), PickZone(key)) for key in zones[:MAX_ZONES]]
    rows = [buttons[i : i + ZONE_COLUMNS] for i in range(0, len(buttons), ZONE_COLUMNS)]
    back = [_button("‹ Times", ClockTimes()), _button("🌍 Regions", RegionPage(None, 0))]
    return InlineKeyboardMarkup([*rows, back])
