"""Zones and countries in plain words, from CLDR through Babel (no name table of our own).

`America/Indiana/Vevay` is "Vevay, Indiana" on a button and "Eastern Time — Vevay, Indiana"
where a choice needs the clock too. Babel takes a moment per zone, so each name is kept once
made (a few hundred zones at most).
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.dates import get_timezone, get_timezone_location, get_timezone_name

from scheduler.zones import UTC_KEY

__all__ = ["city_name", "country_name", "zone_label"]

LOCALE = "en"


@cache
def city_name(key: str) -> str:
    """The zone's place, as CLDR names it: `America/Sao_Paulo` → "São Paulo"."""
    if key == UTC_KEY:
        return UTC_KEY
    return str(get_timezone_location(key, locale=LOCALE, return_city=True))


@cache
def zone_label(key: str) -> str:
    """The zone's clock and place: "Eastern Time — New York"; "UTC" for UTC."""
    if key == UTC_KEY:
        return UTC_KEY
    clock, city = get_timezone_name(key, width="long", locale=LOCALE), city_name(key)
    if "(" in clock:  # CLDR's fallback, "United States (Honolulu) Time": the standard name
        standard = get_timezone(key)
        clock = get_timezone_name(standard, width="long", locale=LOCALE, zone_variant="standard")
    return clock if city in clock else f"{clock} — {city}"  # "Ürümqi Time"


def country_name(code: str) -> str:
    """A territory's English name (`US` → "United States"); the code if CLDR has none."""
    return str(_english().territories.get(code, code))


@cache
def _english() -> Locale:
    return Locale.parse(LOCALE)
