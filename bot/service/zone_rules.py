"""Which zone names the configuration refuses, and why, in words an operator can act on.

Only canonical zones of places are accepted (as subscribers' `/timezone` accepts them). Two
kinds of names are refused though tzdata knows them, and each is told apart from a typo:
fixed offsets (`Etc/GMT+5`, refused on purpose), and abbreviations that tzdata links to a
zone without daylight saving (`EST` is America/Panama), rarely what was meant: a default that
ignores daylight saving sends every new subscriber's tip an hour off for half the year.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.commands.places.abbreviations import abbreviation_zones
from scheduler.zones import UTC_KEY

__all__ = ["has_daylight_saving", "zone_problem"]

_ABBREVIATION = re.compile(r"[A-Z]{2,5}")  # EST, MST, PRC …
_FIXED_OFFSET = re.compile(r"(Etc/)?GMT[+-]\d{1,2}", re.IGNORECASE)


def zone_problem(name: str, canonical: str | None) -> str | None:
    """Why `name` (whose canonical key is `canonical`, None if it has none) is refused, as
    the rest of a sentence that starts with the name; None if it is fine."""
    if canonical is None:
        return _not_canonical(name)
    abbreviated = _ABBREVIATION.fullmatch(name) and canonical != UTC_KEY
    if abbreviated and not has_daylight_saving(canonical):
        return (
            f"is an abbreviation, read by tzdata as {canonical}, which never changes for"
            f" daylight saving: name the place instead, like {_place(name, canonical)}"
        )
    return None


def _place(abbreviation: str, canonical: str) -> str:
    """The place an abbreviation usually means (as /timezone reads it), else tzdata's zone."""
    meant = abbreviation_zones(abbreviation)
    return meant[0] if meant else canonical


def _not_canonical(name: str) -> str:
    if _FIXED_OFFSET.fullmatch(name):
        return (
            "is a fixed UTC offset: an IANA zone, but refused on purpose (it never follows"
            " daylight saving, and Etc/GMT+5 means UTC-5); name a place, like America/New_York"
        )
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # not found (a KeyError), a bad key, a folder
        return "is not an IANA timezone (e.g. Europe/Berlin)"
    return "is in tzdata but is not a place's zone: name a place, like Europe/Berlin"


def has_daylight_saving(key: str) -> bool:
    """The zone's offset differs between mid-January and mid-July."""
    zone = ZoneInfo(key)
    offsets = {datetime(2025, month, 15, tzinfo=zone).utcoffset() for month in (1, 7)}
    return len(offsets) > 1
