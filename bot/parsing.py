"""Turning what subscribers type into values: pure functions, friendly errors."""

from __future__ import annotations

import re
from datetime import time
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$", re.ASCII)
_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


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


def parse_timezone(text: str) -> ZoneInfo:
    """An IANA name in any letter case (`europe/berlin`), or an unambiguous city (`berlin`)."""
    name = text.strip().replace(" ", "_")
    if not name or len(name) > 64:
        raise ArgumentError("Please send a timezone like Europe/Berlin or a city like Berlin.")
    exact = _zones_by_name().get(name.casefold())
    if exact:
        return ZoneInfo(exact)
    candidates = _zones_by_city().get(name.casefold(), [])
    if len(candidates) == 1:
        return ZoneInfo(candidates[0])
    if candidates:
        raise AmbiguousTimezone(text.strip(), candidates)
    raise ArgumentError(f"I don't know the timezone “{text.strip()}”.")


def timezone_is_valid(name: str) -> bool:
    """True for an exact IANA key (used for configuration, where guessing is wrong)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _zones_by_name() -> dict[str, str]:
    return {key.casefold(): key for key in available_timezones()}


@cache
def _zones_by_city() -> dict[str, list[str]]:
    """City → zones, from region zones only (`Europe/Berlin`, not `Etc/GMT+1`)."""
    cities: dict[str, list[str]] = {}
    for key in sorted(available_timezones()):
        if key.split("/", 1)[0] in _REGIONS and "/" in key:
            cities.setdefault(key.rsplit("/", 1)[1].casefold(), []).append(key)
    return cities
