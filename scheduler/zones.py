"""Which IANA timezones subscribers may choose, and finding one by city.

Built from tzdata's own tables: `zone1970.tab` and `zone.tab` list the real, canonical zones
(one row each, with its principal city); `tzdata.zi` lists the backward-compatible aliases
(`L target alias`). Aliases resolve to their canonical zone, so `Asia/Calcutta` is stored as
`Asia/Kolkata`, and a city is ambiguous only when it names really different zones. Keys such
as `localtime`, `Factory` or `Etc/GMT+5` are not offered to subscribers.

A zone can also be found from a place (`zone_at`: tzfpy's boundary polygons, offline) or from
the time it is there (`offsets_in_use`, then `zones_at_offset`), both for "one step" set-ups.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from tzfpy import get_tz

UTC_KEY = "UTC"
_UTC_ALIASES = ("Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu")
_REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe"}
    | {"Indian", "Pacific"}
)


@dataclass(frozen=True)
class ZoneIndex:
    """Canonical zone keys, their aliases, and cities; lookups ignore letter case."""

    by_key: Mapping[str, str]  # casefolded canonical or alias key -> canonical key
    by_city: Mapping[str, tuple[str, ...]]  # casefolded city -> canonical keys

    def resolve(self, name: str) -> str | None:
        """The canonical key for a zone or alias name in any letter case, else None."""
        return self.by_key.get(name.casefold())

    def cities(self, name: str) -> tuple[str, ...]:
        """The canonical zones whose city is called `name` (spaces as underscores)."""
        return self.by_city.get(name.casefold(), ())


def build_index(canonical: Iterable[str], links: Iterable[tuple[str, str]]) -> ZoneIndex:
    """An index of `canonical` keys plus those `(target, alias)` links that point at one."""
    keys = {key: key for key in canonical}
    keys[UTC_KEY] = UTC_KEY
    keys.update({alias: UTC_KEY for alias in _UTC_ALIASES})
    targets = dict(keys)
    keys.update(
        {alias: targets[target] for target, alias in links if target in targets}
        | targets  # a key listed as canonical stays itself, even where tzdata links it
    )
    by_city: dict[str, set[str]] = {}
    for key, target in keys.items():
        region, _, rest = key.partition("/")
        if region in _REGIONS and rest:
            by_city.setdefault(key.rsplit("/", 1)[1].casefold(), set()).add(target)
    return ZoneIndex(
        by_key={key.casefold(): target for key, target in keys.items()},
        by_city={city: tuple(sorted(zones)) for city, zones in by_city.items()},
    )


def zones_in_tab(text: str) -> list[str]:
    """The zone keys (third column) of a `zone.tab`-style table."""
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return [columns[2] for columns in rows if len(columns) >= 3]


def links_in_zi(text: str) -> list[tuple[str, str]]:
    """The `(target, alias)` pairs of the `L target alias` lines of `tzdata.zi`."""
    rows = (line.split() for line in text.splitlines() if line.startswith("L "))
    return [(columns[1], columns[2]) for columns in rows if len(columns) == 3]


@cache
def zone_index() -> ZoneIndex:
    """The index built from the installed `tzdata` package (read once)."""
    folder = files("tzdata") / "zoneinfo"
    tabs = [(folder / name).read_text(encoding="utf-8") for name in ("zone1970.tab", "zone.tab")]
    canonical = [key for text in tabs for key in zones_in_tab(text)]
    links = links_in_zi((folder / "tzdata.zi").read_text(encoding="utf-8"))
    return build_index(canonical, links)


# --- A zone from a place, or from the time it is there --------------------------------------

# The zones most people live in, most-used first (roughly by population, metropolitan areas
# and countries together): the order in which the zones sharing a UTC offset are offered, and
# a region's or a country's places (bot/commands/places: the listed ones on the first page).
# Zones not listed follow, by name. Data, not rules: reorder or add freely (canonical keys).
ZONES_BY_USE = (
    "Asia/Shanghai",
    "Asia/Kolkata",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Jakarta",
    "America/Sao_Paulo",
    "Asia/Karachi",
    "Africa/Lagos",
    "Asia/Dhaka",
    "Europe/Moscow",
    "America/Mexico_City",
    "Asia/Tokyo",
    "Asia/Manila",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Asia/Ho_Chi_Minh",
    "Africa/Kinshasa",
    "Europe/Istanbul",
    "Asia/Tehran",
    "Europe/Berlin",
    "Asia/Bangkok",
    "Europe/London",
    "Europe/Paris",
    "Africa/Johannesburg",
    "Europe/Rome",
    "America/Denver",
    "America/Phoenix",
    "Asia/Yangon",
    "Asia/Seoul",
    "America/Bogota",
    "Europe/Madrid",
    "America/Argentina/Buenos_Aires",
    "Africa/Algiers",
    "Asia/Riyadh",
    "Asia/Baghdad",
    "Africa/Casablanca",
    "America/Lima",
    "America/Toronto",
    "Asia/Kabul",
    "Europe/Kyiv",
    "Asia/Tashkent",
    "Europe/Warsaw",
    "Asia/Kuala_Lumpur",
    "Asia/Kathmandu",
    "America/Caracas",
    "Australia/Sydney",
    "Australia/Melbourne",
    "Asia/Taipei",
    "Africa/Accra",
    "Africa/Abidjan",
    "Africa/Addis_Ababa",
    "Africa/Khartoum",
    "Africa/Dar_es_Salaam",
    "Africa/Kampala",
    "Africa/Luanda",
    "Africa/Dakar",
    "Africa/Maputo",
    "Africa/Harare",
    "Africa/Lusaka",
    "Africa/Tunis",
    "Africa/Douala",
    "Africa/Tripoli",
    "Africa/Windhoek",
    "Africa/Lubumbashi",
    "Indian/Antananarivo",
    "Asia/Colombo",
    "America/Santiago",
    "Asia/Almaty",
    "Europe/Bucharest",
    "America/Guatemala",
    "America/Tijuana",
    "America/Guayaquil",
    "America/Manaus",
    "America/Vancouver",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Vienna",
    "Europe/Stockholm",
    "Europe/Prague",
    "Europe/Budapest",
    "Europe/Belgrade",
    "Europe/Zurich",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "Europe/Oslo",
    "Europe/Dublin",
    "Asia/Dubai",
    "Asia/Jerusalem",
    "Australia/Brisbane",
    "Australia/Perth",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Europe/Athens",
    "Europe/Lisbon",
    "America/Havana",
    "America/Santo_Domingo",
    "Asia/Baku",
    "America/La_Paz",
    "America/Halifax",
    "America/Edmonton",
    "America/Winnipeg",
    "Australia/Adelaide",
    "Australia/Hobart",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Vladivostok",
    "Europe/Samara",
    "Asia/Tbilisi",
    "Asia/Yerevan",
    "Pacific/Auckland",
    "America/Puerto_Rico",
    "America/Montevideo",
    "America/Asuncion",
    "Pacific/Port_Moresby",
    "Pacific/Guam",
    "Pacific/Tahiti",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/St_Johns",
    "Australia/Darwin",
    "Asia/Dili",
    "Pacific/Fiji",
    "Asia/Kamchatka",
    "Pacific/Noumea",
    "Pacific/Tongatapu",
    "Pacific/Apia",
    "America/Noronha",
    "Atlantic/Azores",
    "Atlantic/Canary",
    "Atlantic/Madeira",
    "Atlantic/Reykjavik",
    "Atlantic/Bermuda",
    "Indian/Mauritius",
    "Indian/Reunion",
    "Indian/Maldives",
    "Indian/Mahe",
    "Atlantic/Cape_Verde",
    "America/Nuuk",
    "Pacific/Pago_Pago",
    "Pacific/Kiritimati",
    "Pacific/Chatham",
    "Australia/Eucla",
    "Pacific/Marquesas",
    "America/Adak",
)
_ANYWHERE = "Etc/"  # tzfpy's zones for the open sea (`Etc/GMT+2`): no place to live in


def zone_at(latitude: float, longitude: float) -> str | None:
    """The canonical zone of a place on land (or in territorial waters); None at sea, at the
    poles' open ice, or for coordinates that are no place at all. Offline: tzfpy's polygons."""
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    found = get_tz(longitude, latitude)  # tzfpy takes the longitude first
    if not found or found.startswith(_ANYWHERE):
        return None
    return zone_index().resolve(found)


def offset_minutes(key: str, now: datetime) -> int:
    """The zone's offset from UTC at `now`, in whole minutes (east positive)."""
    offset = now.astimezone(ZoneInfo(key)).utcoffset()
    return int(offset.total_seconds() // 60) if offset is not None else 0


def offsets_in_use(now: datetime, keys: Iterable[str] | None = None) -> tuple[int, ...]:
    """Every UTC offset (minutes) some zone of `keys` (all canonical zones) has at `now`,
    sorted from the earliest local clock to the latest."""
    return tuple(sorted({offset_minutes(key, now) for key in _keys(keys)}))


def zones_at_offset(
    minutes: int, now: datetime, keys: Iterable[str] | None = None
) -> tuple[str, ...]:
    """The zones of `keys` (all canonical zones) at `minutes` from UTC at `now`: the most-used
    first (`ZONES_BY_USE`), then the rest by name."""
    found = {key for key in _keys(keys) if offset_minutes(key, now) == minutes}
    rank = {key: place for place, key in enumerate(ZONES_BY_USE)}
    return tuple(sorted(found, key=lambda key: (rank.get(key, len(rank)), key)))


def _keys(keys: Iterable[str] | None) -> Iterable[str]:
    return set(zone_index().by_key.values()) if keys is None else keys
