"""Turning what subscribers type into values: pure functions, friendly errors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import time
from difflib import SequenceMatcher
from zoneinfo import ZoneInfo

from scheduler.zones import ZoneIndex, zone_index

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$", re.ASCII)
# The ways people type a time of day, each read as (hour, minute, "a" or "p" or None):
# `7pm`, `7:30 pm`, `7 a.m.`; `19:00`, `7.15`, `19h30`; `19h`; `0730`, `730`.
_TYPED_TIMES = (
    re.compile(r"(?P<h>\d{1,2})(?:[:.](?P<m>\d{2}))? ?(?P<half>[ap])\.? ?m\.?", re.ASCII),
    re.compile(r"(?P<h>\d{1,2})[:.h](?P<m>\d{2})", re.ASCII),
    re.compile(r"(?P<h>\d{1,2})h", re.ASCII),
    re.compile(r"(?P<h>\d{1,2})(?P<m>\d{2})", re.ASCII),
)
_SHOWN_INPUT = 16  # longer input is not echoed back
_ALIKE = 0.6  # difflib's ratio from which a typed command is taken to mean a known one
_MAX_ZONE_NAME = 64


class ArgumentError(ValueError):
    """What the subscriber typed cannot be used; the message says why, kindly."""


class AmbiguousTimezone(ArgumentError):
    """A bare city name that matches more than one timezone."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(f'"{name}" matches more than one timezone')


def parse_time(text: str) -> time:
    """A time as people type it: `7pm`, `7:30 pm`, `12am`, `19:00`, `7.15`, `19h`, `0730`.

    A bare number (`7`) is refused: morning or evening is the subscriber's to say."""
    typed = " ".join(text.split()).casefold()
    for pattern in _TYPED_TIMES:
        match = pattern.fullmatch(typed)
        if match:
            parts = match.groupdict()
            read = _clock_time(int(parts["h"]), int(parts.get("m") or 0), parts.get("half"))
            if read is not None:
                return read
            break
    shown = typed if 0 < len(typed) <= _SHOWN_INPUT and typed.isprintable() else ""
    raise ArgumentError(f'I can\'t read "{shown}" as a time' if shown else "That's not a time")


def _clock_time(hour: int, minute: int, half: str | None) -> time | None:
    """The time, or None out of range; `half` is "a" or "p" on a 12-hour clock (12am is
    midnight, 12pm noon)."""
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def typed_command(text: str) -> str | None:
    """The command a message starts with, lower case and without `@botname` (`/Foo@Bot x` →
    `/foo`); None when it starts with none."""
    first = text.split(maxsplit=1)[0] if text.strip() else ""
    name = first.split("@", 1)[0].casefold()
    return name if len(name) > 1 and name.startswith("/") else None


def closest_command(command: str, known: Iterable[str]) -> str | None:
    """The known command (without its `/`) that `command` most likely misspells, if any: the
    most alike (difflib's ratio, at least 0.6), letters swapped (`/tpi`) before letters
    missing, then the nearest in length."""
    typed = command.removeprefix("/")[:40]

    def likeness(name: str) -> tuple[float, int]:
        swapped = 0.5 if sorted(name) == sorted(typed) else 0.0
        return SequenceMatcher(None, typed, name).ratio() + swapped, -abs(len(name) - len(typed))

    best = max(known, key=likeness, default=None)
    return best if best is not None and likeness(best)[0] >= _ALIKE else None


def parse_24h_time(text: str) -> time:
    """Strictly `HH:MM` on a 24-hour clock (configuration, where guessing is wrong)."""
    match = _TIME.match(text.strip())
    if not match:
        raise ArgumentError("Please send a 24-hour time like 07:30 or 18:05.")
    return time(int(match.group(1)), int(match.group(2)))


def parse_timezone(text: str, index: ZoneIndex | None = None) -> ZoneInfo:
    """An IANA name in any letter case (`europe/berlin`), or a city (`berlin`, `New York`).

    Aliases resolve to the canonical zone (`Asia/Calcutta` → `Asia/Kolkata`).
    """
    name = text.strip().replace(" ", "_")
    if not name or len(name) > _MAX_ZONE_NAME or not name.isprintable():
        raise ArgumentError("That doesn't look like a place or a timezone.")
    index = index or zone_index()
    key = index.resolve(name)
    if key is not None:
        return ZoneInfo(key)
    candidates = index.cities(name)
    if len(candidates) == 1:
        return ZoneInfo(candidates[0])
    if candidates:
        raise AmbiguousTimezone(text.strip(), list(candidates))
    raise ArgumentError(f'I don\'t know a place or timezone called "{text.strip()}".')


def canonical_timezone(name: str) -> str | None:
    """The canonical key for an exact IANA name (configuration, where guessing is wrong)."""
    return zone_index().resolve(name)


#: `/time weekends off` (or `same`, `none`): the weekday time at weekends too.
WEEKEND_OFF = ("off", "same", "none")


def parse_weekend_time(text: str) -> time | None:
    """`/time weekends` argument: a time as `parse_time` reads it, or `off` → None."""
    if text.strip().lower() in WEEKEND_OFF:
        return None
    return parse_time(text)


def parse_days(text: str, default: int, most: int) -> int:
    """`/pause` days: empty → `default`; a whole number from 1 to `most`."""
    text = text.strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= most:
        raise ArgumentError(f"Please send a number of days from 1 to {most}.")
    return int(text)
