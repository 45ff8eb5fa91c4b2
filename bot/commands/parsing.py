"""Turning what subscribers type into values: pure functions, friendly errors."""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import ZoneInfo

from scheduler.zones import ZoneIndex, zone_index

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$", re.ASCII)
_MAX_ZONE_NAME = 64


class ArgumentError(ValueError):
    """What the subscriber typed cannot be used; the message says why, kindly."""


class AmbiguousTimezone(ArgumentError):
    """A bare city name that matches more than one timezone."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.candidates = candidates
        super().__init__(f"“{name}” matches more than one timezone")


def parse_time(text: str) -> time:
    """`7:30` or `07:30` (24-hour clock) → time(7, 30)."""
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
    raise ArgumentError(f"I don't know a place or timezone called “{text.strip()}”.")


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
