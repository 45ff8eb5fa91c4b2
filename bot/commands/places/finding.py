"""What `/timezone <text>` names: an abbreviation, a country, an IANA name or a city.

Tried in that order, so `EST` is the abbreviation (America/New_York, with daylight saving)
before tzdata's own `EST` (America/Panama, without), and "Japan" the country before tzdata's
alias of the same name. The answer is one zone, or a question to ask with buttons: the zones an
abbreviation or a city may mean, or the zones of a country whose clocks differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.commands.parsing import AmbiguousTimezone, parse_timezone
from bot.commands.places.abbreviations import abbreviation_zones
from bot.commands.places.countries import country_code, country_zones, keep_one_clock
from bot.commands.places.naming import city_name
from bot.commands.places.ranking import by_use
from scheduler.zones import ZoneIndex

__all__ = ["CountryZones", "Found", "OneZone", "SeveralZones", "find_zone"]


@dataclass(frozen=True)
class OneZone:
    key: str


@dataclass(frozen=True)
class SeveralZones:
    """An abbreviation (`CST`) or a city that names several places' zones, likeliest first."""

    said: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class CountryZones:
    """A country whose zones keep different clocks (the United States): ask among them."""

    code: str


Found = OneZone | SeveralZones | CountryZones


def find_zone(text: str, now: datetime, index: ZoneIndex | None = None) -> Found:
    """The zone (or the choice of zones) `text` names; `ArgumentError` if none, kindly put.

    `now` decides whether a country's zones keep one clock this year."""
    said = text.strip()
    meant = abbreviation_zones(said)
    if meant:
        return OneZone(meant[0]) if len(meant) == 1 else SeveralZones(said, meant)
    code = country_code(said)
    if code is not None:
        zones = country_zones(code)
        return OneZone(zones[0]) if keep_one_clock(zones, now.year) else CountryZones(code)
    try:
        return OneZone(parse_timezone(said, index).key)
    except AmbiguousTimezone as many:
        return SeveralZones(said, by_use(many.candidates, city_name))
