"""Countries by name ("germany", "United States", "côte d'ivoire") and the zones of each.

The names and each country's zones ship with CLDR, through Babel (`Locale("en").territories`,
`territory_zones`); `OTHER_NAMES` only adds the short and old names people type that CLDR
does not list ("usa", "uk", "holland"). A country whose zones all keep one clock (Germany's
Berlin and Büsingen) needs no question: its most-used zone is the answer.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel.core import get_global

from bot.commands.places.naming import city_name, country_name
from bot.commands.places.ranking import by_use
from scheduler.zones import zone_index

__all__ = [
    "OTHER_NAMES",
    "country_code",
    "country_codes",
    "country_zones",
    "keep_one_clock",
    "loose",
]

# what people type (already `loose`) -> ISO 3166 code
OTHER_NAMES: dict[str, str] = {
    "usa": "US",
    "us": "US",
    "united states of america": "US",
    "uk": "GB",
    "britain": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "holland": "NL",
    "the netherlands": "NL",
    "czech republic": "CZ",
    "turkey": "TR",
    "ivory coast": "CI",
    "uae": "AE",
    "korea": "KR",
    "vatican": "VA",
    "russian federation": "RU",
    "swaziland": "SZ",
    "east timor": "TL",
    "cape verde": "CV",
    "macedonia": "MK",
    "bosnia": "BA",
    "palestine": "PS",
    "drc": "CD",
}

_NOT_WORDS = re.compile(r"[^\w\s-]+")


def loose(text: str) -> str:
    """`text` as names are compared: case, accents, apostrophes and dots aside; & is "and"."""
    plain = unicodedata.normalize("NFKD", text.casefold().replace("&", " and "))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(_NOT_WORDS.sub("", plain).replace("_", " ").split())


@cache
def _codes_by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for code in _zones_by_country():
        name = country_name(code)
        names[loose(name)] = code
        short, _, other = name.partition(" (")  # "Myanmar (Burma)"
        for part in (short, other.rstrip(")")):
            names.setdefault(loose(part), code)
    names.pop("", None)
    return names | OTHER_NAMES


@cache
def _zones_by_country() -> dict[str, frozenset[str]]:
    """Each country's canonical zones (CLDR's `territory_zones` less `001` and `ZZ`)."""
    index, found = zone_index(), {}
    for code, keys in get_global("territory_zones").items():
        canonical = {index.resolve(key) for key in keys}
        zones = frozenset(key for key in canonical if key is not None and "/" in key)
        if len(code) == 2 and code.isalpha() and code != "ZZ" and zones:
            found[code] = zones
    return found


def country_codes() -> tuple[str, ...]:
    """Every country with a zone, by ISO 3166 code."""
    return tuple(sorted(_zones_by_country()))


def country_code(text: str) -> str | None:
    """The code of the country `text` names; None if it names none."""
    return _codes_by_name().get(loose(text))


@cache
def country_zones(code: str) -> tuple[str, ...]:
    """The country's zones, most used first; () for an unknown code."""
    return by_use(_zones_by_country().get(code, ()), city_name)


def keep_one_clock(keys: tuple[str, ...], year: int) -> bool:
    """All of `keys` show the same time all through `year` (noon UTC on each month's 1st and
    15th): one of them stands for all."""
    instants = [
        datetime(year, month, day, 12, tzinfo=UTC) for month in range(1, 13) for day in (1, 15)
    ]
    clocks = {
        tuple(moment.astimezone(ZoneInfo(key)).utcoffset() for moment in instants) for key in keys
    }
    return len(clocks) <= 1
