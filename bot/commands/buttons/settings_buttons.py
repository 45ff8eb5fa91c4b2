"""The buttons of /settings, /topics and /delete_me, and reading back what they send.

Their callback data is versioned and self-contained like the tip buttons'
(`bot.commands.buttons.keyboards`), with kinds of its own (`v1:topic:…`, `v1:pause:…`, `v1:resume`,
`v1:set:…`, `v1:del:…`, and the pickers' `v1:tzr[:region:page]`, `v1:tzc:country:page`,
`v1:tz:zone`, `v1:at:HH:MM`, and /channel's `v1:chan:rm:<channel id>`), so the two never read
each other's presses.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from tips import Topic, is_chosen

# Preferences and privacy: versioned, self-contained data, read back by `parse_press`.
# (`v1:` keeps old buttons answerable after a format change: a `v2` would be new data.)
PRESS_PATTERN = r"^v1:(topic|pause|resume|set|del|tzr|tzc|tz|at|chan)(:|$)"
MAX_DATA = 64  # bytes, Telegram's limit for callback data
MAX_PAUSE_DAYS = 90
SETTINGS_PAUSE_DAYS = 7


@dataclass(frozen=True)
class ToggleTopic:
    topic_id: str


@dataclass(frozen=True)
class Pause:
    days: int


@dataclass(frozen=True)
class Resume:
    pass


class Show(StrEnum):
    """A view or hint a settings button asks for."""

    SETTINGS = "show"
    TOPICS = "topics"
    TIME = "time"
    TIMEZONE = "tz"


@dataclass(frozen=True)
class ConfirmDelete:
    issued: int  # UTC epoch seconds when /delete_me asked: an old button is refused


@dataclass(frozen=True)
class CancelDelete:
    pass


@dataclass(frozen=True)
class RegionPage:
    region: str | None  # None: the list of regions
    page: int  # from 0; checked against the region's pages when pressed


@dataclass(frozen=True)
class CountryPage:
    code: str  # ISO 3166, checked against the countries when pressed
    page: int  # from 0; checked against the country's pages when pressed


@dataclass(frozen=True)
class PickZone:
    key: str  # checked against the canonical zones when pressed


@dataclass(frozen=True)
class PickTime:
    at: time


@dataclass(frozen=True)
class RemoveChannel:
    channel_id: int  # checked against the presser's channels and Telegram when pressed


Press = (
    ToggleTopic
    | Pause
    | Resume
    | Show
    | ConfirmDelete
    | CancelDelete
    | RegionPage
    | CountryPage
    | PickZone
    | PickTime
    | RemoveChannel
)

_TOPIC_ID = re.compile(r"[a-z0-9_-]{1,40}", re.ASCII)
_NUMBER = re.compile(r"[0-9]{1,3}", re.ASCII)  # days of a pause
_EPOCH = re.compile(r"[1-9][0-9]{9}", re.ASCII)  # seconds: 2001-09-09 to 2286-11-20
_REGION = re.compile(r"([A-Z][a-z]{1,15}):([0-9]{1,2})", re.ASCII)
_COUNTRY = re.compile(r"([A-Z]{2}):([0-9]{1,2})", re.ASCII)
_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}", re.ASCII)
_CHANNEL = re.compile(r"rm:(-100[0-9]{1,13})", re.ASCII)
_TIME = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])", re.ASCII)


def parse_press(data: str | None) -> Press | None:
    """What a preferences or privacy button asks for; None for anything else or forged."""
    if not data or len(data.encode()) > MAX_DATA:
        return None
    version, _, rest = data.partition(":")
    if version != "v1":
        return None
    kind, _, argument = rest.partition(":")
    read = _READERS.get(kind)
    return read(argument) if read else None


def _toggle(argument: str) -> Press | None:
    return ToggleTopic(argument) if _TOPIC_ID.fullmatch(argument) else None


def _pause(argument: str) -> Press | None:
    if not _NUMBER.fullmatch(argument) or not 1 <= int(argument) <= MAX_PAUSE_DAYS:
        return None
    return Pause(int(argument))


def _show(argument: str) -> Press | None:
    return Show(argument) if argument in tuple(Show) else None


def _delete(argument: str) -> Press | None:
    answer, _, issued = argument.partition(":")
    if answer == "yes" and _EPOCH.fullmatch(issued):  # ten digits: any datetime can hold it
        return ConfirmDelete(int(issued))
    return CancelDelete() if argument == "no" else None


def _region(argument: str) -> Press | None:
    if not argument:
        return RegionPage(None, 0)
    found = _REGION.fullmatch(argument)
    return RegionPage(found[1], int(found[2])) if found else None


def _country(argument: str) -> Press | None:
    found = _COUNTRY.fullmatch(argument)
    return CountryPage(found[1], int(found[2])) if found else None


def _zone(argument: str) -> Press | None:
    return PickZone(argument) if _ZONE.fullmatch(argument) else None


def _time(argument: str) -> Press | None:
    found = _TIME.fullmatch(argument)
    return PickTime(time(int(found[1]), int(found[2]))) if found else None


def _channel(argument: str) -> Press | None:
    found = _CHANNEL.fullmatch(argument)
    return RemoveChannel(int(found[1])) if found else None


_READERS: dict[str, Callable[[str], Press | None]] = {
    "topic": _toggle,
    "pause": _pause,
    "resume": lambda argument: None if argument else Resume(),
    "set": _show,
    "del": _delete,
    "tzr": _region,
    "tzc": _country,
    "tz": _zone,
    "at": _time,
    "chan": _channel,
}


def press_data(press: Press) -> str:
    """The callback data of a button that sends `press` (the inverse of `parse_press`)."""
    match press:
        case ToggleTopic(topic_id):
            return f"v1:topic:{topic_id}"
        case Pause(days):
            return f"v1:pause:{days}"
        case Resume():
            return "v1:resume"
        case Show():
            return f"v1:set:{press.value}"
        case ConfirmDelete(issued):
            return f"v1:del:yes:{issued}"
        case CancelDelete():
            return "v1:del:no"
        case RegionPage(None, _):
            return "v1:tzr"
        case RegionPage(region, page):
            return f"v1:tzr:{region}:{page}"
        case CountryPage(code, page):
            return f"v1:tzc:{code}:{page}"
        case PickZone(key):
            return f"v1:tz:{key}"
        case PickTime(at):
            return f"v1:at:{at:%H:%M}"
        case RemoveChannel(channel_id):
            return f"v1:chan:rm:{channel_id}"


def _button(label: str, press: Press) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press_data(press))


def topics_keyboard(topics: Sequence[Topic], chosen: frozenset[str] | None) -> InlineKeyboardMarkup:
    """One ✅ toggle per topic (all ticked when `chosen` is None), then back to settings."""
    rows = [
        [
            _button(
                f"{'✅' if is_chosen(chosen, t.id) else '▫️'} {t.emoji} {t.title}", ToggleTopic(t.id)
            )
        ]
        for t in topics
    ]
    rows.append([_button("⚙️ Settings", Show.SETTINGS)])
    return InlineKeyboardMarkup(rows)


def settings_keyboard(*, subscribed: bool, paused: bool) -> InlineKeyboardMarkup:
    """Topics; pause or resume (for a subscription); the time and timezone hints."""
    rows = [[_button("🗂 Topics", Show.TOPICS)]]
    if subscribed:
        pause = (
            _button("▶️ Resume", Resume())
            if paused
            else _button(f"⏸ Pause {SETTINGS_PAUSE_DAYS} days", Pause(SETTINGS_PAUSE_DAYS))
        )
        rows.append([pause])
    rows.append([_button("🕗 Time", Show.TIME), _button("🌍 Timezone", Show.TIMEZONE)])
    return InlineKeyboardMarkup(rows)


def delete_keyboard(issued: int) -> InlineKeyboardMarkup:
    """Confirm or cancel `/delete_me`; `issued` lets a late press be told apart."""
    return InlineKeyboardMarkup(
        [
            [
                _button("🗑 Yes, delete everything", ConfirmDelete(issued)),
                _button("Cancel", CancelDelete()),
            ]
        ]
    )


def channels_keyboard(channels: Sequence[tuple[int, str]]) -> InlineKeyboardMarkup | None:
    """A remove button per (channel id, name); None when there is none."""
    rows = [[_button(f"🗑 Remove {name}", RemoveChannel(cid))] for cid, name in channels]
    return InlineKeyboardMarkup(rows) if rows else None
