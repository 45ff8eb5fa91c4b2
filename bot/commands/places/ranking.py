"""Which zones most people want, first: the order of a region's or a country's places.

`MOST_USED` is data: the zones of the world's big cities, a region's (and within it a
country's) most-used first, so America opens with New York, Chicago, Denver and Los Angeles
rather than a page of `Argentina/…`. Every other zone follows, in the order of its place name,
behind a "More" button.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

__all__ = ["MOST_USED", "by_use", "paged"]

# Grouped by region; within a region (and so within each of its countries), most used first.
MOST_USED: tuple[str, ...] = (
    # America: the United States and Canada, then Mexico, the Caribbean and the south
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Phoenix",
    "America/Anchorage",
    "America/Toronto",
    "America/Vancouver",
    "America/Edmonton",
    "America/Winnipeg",
    "America/Halifax",
    "America/St_Johns",
    "America/Mexico_City",
    "America/Tijuana",
    "America/Havana",
    "America/Puerto_Rico",
    "America/Bogota",
    "America/Lima",
    "America/Guayaquil",
    "America/Caracas",
    "America/Santiago",
    "America/Sao_Paulo",
    "America/Manaus",
    "America/Argentina/Buenos_Aires",
    "America/Montevideo",
    # Europe
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Moscow",
    "Europe/Istanbul",
    "Europe/Kyiv",
    "Europe/Warsaw",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "Europe/Prague",
    "Europe/Budapest",
    "Europe/Bucharest",
    "Europe/Athens",
    "Europe/Lisbon",
    "Europe/Dublin",
    "Europe/Belgrade",
    # Asia
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Jakarta",
    "Asia/Manila",
    "Asia/Bangkok",
    "Asia/Ho_Chi_Minh",
    "Asia/Singapore",
    "Asia/Kuala_Lumpur",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Dhaka",
    "Asia/Karachi",
    "Asia/Dubai",
    "Asia/Riyadh",
    "Asia/Tehran",
    "Asia/Jerusalem",
    "Asia/Baghdad",
    "Asia/Tashkent",
    "Asia/Almaty",
    "Asia/Kathmandu",
    "Asia/Colombo",
    "Asia/Yekaterinburg",
    "Asia/Novosibirsk",
    "Asia/Vladivostok",
    # Africa
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Africa/Kinshasa",
    "Africa/Casablanca",
    "Africa/Algiers",
    "Africa/Addis_Ababa",
    "Africa/Khartoum",
    "Africa/Dar_es_Salaam",
    "Africa/Accra",
    "Africa/Abidjan",
    "Africa/Tunis",
    "Africa/Kampala",
    "Africa/Luanda",
    "Africa/Dakar",
    "Africa/Maputo",
    "Africa/Harare",
    "Africa/Lusaka",
    "Africa/Tripoli",
    "Africa/Douala",
    "Africa/Windhoek",
    "Africa/Lubumbashi",
    # Australia
    "Australia/Sydney",
    "Australia/Melbourne",
    "Australia/Brisbane",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Hobart",
    "Australia/Darwin",
    # Pacific
    "Pacific/Auckland",
    "Pacific/Honolulu",
    "Pacific/Fiji",
    "Pacific/Guam",
    "Pacific/Port_Moresby",
    "Pacific/Tahiti",
    "Pacific/Noumea",
    # Atlantic
    "Atlantic/Canary",
    "Atlantic/Azores",
    "Atlantic/Madeira",
    "Atlantic/Reykjavik",
    "Atlantic/Bermuda",
    "Atlantic/Cape_Verde",
    # Indian Ocean
    "Indian/Maldives",
    "Indian/Mauritius",
    "Indian/Reunion",
    "Indian/Antananarivo",
    "Indian/Mahe",
)

_RANK = {key: rank for rank, key in enumerate(MOST_USED)}


def by_use(keys: Iterable[str], name: Callable[[str], str]) -> tuple[str, ...]:
    """`keys` in order: the most used first (in `MOST_USED` order), then the rest by `name`."""
    common = sorted((key for key in keys if key in _RANK), key=_RANK.__getitem__)
    rest = sorted((key for key in keys if key not in _RANK), key=lambda key: (name(key), key))
    return (*common, *rest)


def paged(keys: tuple[str, ...], size: int) -> tuple[tuple[str, ...], ...]:
    """`keys` (in `by_use` order) in pages of at most `size`: the first holds only the most
    used (all of them if none is), the rest lie behind it; () when there are none."""
    first = min(sum(key in _RANK for key in keys), size) or size
    rest = keys[first:]
    return tuple(page for page in (keys[:first], *_chunks(rest, size)) if page)


def _chunks(keys: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    return [keys[start : start + size] for start in range(0, len(keys), size)]
