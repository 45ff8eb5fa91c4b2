"""The timezone and time pickers: regions, pages of cities, a country's or an abbreviation's
zones to choose from, and common delivery times.

Pure data and keyboards, no Telegram I/O. A city button carries its zone key itself
(`v1:tz:Europe/Berlin`, at most 38 bytes for today's keys) rather than an index into a list,
so a picker sent before a tzdata update still picks the zone its label names. A region's first
page holds its most-used places (`bot.commands.places.ranking`), the rest are behind "More ›";
labels are CLDR's place names ("Vevay, Indiana", not `Indiana/Vevay`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import time
from functools import cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.commands.buttons.settings_buttons import (
    CountryPage,
    PickTime,
    PickZone,
    RegionPage,
    press_data,
)
from bot.commands.places.countries import country_zones
from bot.commands.places.naming import city_name, zone_label
from bot.commands.places.ranking import by_use, paged
from scheduler.zones import UTC_KEY, zone_index

REGIONS = ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
REGION_NAMES = {"Atlantic": "Atlantic Ocean", "Indian": "Indian Ocean"}  # the others as they are
COLUMNS, ROWS = 3, 8
PAGE_SIZE = COLUMNS * ROWS
CHOICES_PAGE = 8  # a country's zones, one a row with their clock's name
COMMON_TIMES = tuple(
    time(hour, minute)
    for hour, minute in ((6, 0), (7, 0), (7, 30), (8, 0), (9, 0), (12, 0), (18, 0), (20, 0))
)


@cache
def region_pages(region: str) -> tuple[tuple[str, ...], ...]:
    """The canonical zone keys of `region` in pages: the most used, then the rest by name;
    () for an unknown region."""
    if region not in REGIONS:
        return ()
    keys = {key for key in zone_index().by_key.values() if key.startswith(f"{region}/")}
    return paged(by_use(keys, city_name), PAGE_SIZE)


def region_name(region: str) -> str:
    """`Indian` → "Indian Ocean": the region in plain words."""
    return REGION_NAMES.get(region, region)


def page_count(region: str) -> int:
    return len(region_pages(region))


def page_of(region: str, page: int) -> tuple[str, ...]:
    """The zone keys on `page` (from 0) of `region`; empty when out of range."""
    return _page(region_pages(region), page)


@cache
def country_pages(code: str) -> tuple[tuple[str, ...], ...]:
    """A country's zones in pages: the most used, then the rest; () for an unknown code."""
    return paged(country_zones(code), CHOICES_PAGE)


def country_page(code: str, page: int) -> tuple[str, ...]:
    """The zone keys on `page` (from 0) of the country `code`; empty when out of range."""
    return _page(country_pages(code), page)


def _page(pages: tuple[tuple[str, ...], ...], page: int) -> tuple[str, ...]:
    return pages[page] if 0 <= page < len(pages) else ()


def city_label(key: str) -> str:
    """`America/Indiana/Vevay` -> "Vevay, Indiana" (CLDR's name of the place)."""
    return city_name(key)


Pressed = RegionPage | CountryPage | PickZone | PickTime


def _button(label: str, press: Pressed) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press_data(press))


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def region_rows() -> list[list[InlineKeyboardButton]]:
    regions = [_button(region_name(region), RegionPage(region, 0)) for region in REGIONS]
    return _rows([*regions, _button(UTC_KEY, PickZone(UTC_KEY))], COLUMNS)


def time_rows() -> list[list[InlineKeyboardButton]]:
    return _rows([_button(f"{at:%H:%M}", PickTime(at)) for at in COMMON_TIMES], 4)


def regions_keyboard() -> InlineKeyboardMarkup:
    """The regions, plus UTC, three to a row."""
    return InlineKeyboardMarkup(region_rows())


def times_keyboard() -> InlineKeyboardMarkup:
    """The common delivery times, four to a row."""
    return InlineKeyboardMarkup(time_rows())


def welcome_keyboard() -> InlineKeyboardMarkup:
    """Under a new subscriber's welcome: the regions, then the common times."""
    return InlineKeyboardMarkup([*region_rows(), *time_rows()])


def region_keyboard(region: str, page: int) -> InlineKeyboardMarkup:
    """One page of a region's cities, with ‹ Prev / « Regions / More › (Next ›) below."""
    cities = [_button(city_label(key), PickZone(key)) for key in page_of(region, page)]
    nav = _nav(page, page_count(region), lambda to: RegionPage(region, to))
    return InlineKeyboardMarkup([*_rows(cities, COLUMNS), nav])


def country_keyboard(code: str, page: int) -> InlineKeyboardMarkup:
    """One page of a country's zones ("Eastern Time — New York"), one a row, and the way on."""
    zones = [[_button(zone_label(key), PickZone(key))] for key in country_page(code, page)]
    nav = _nav(page, len(country_pages(code)), lambda to: CountryPage(code, to))
    return InlineKeyboardMarkup([*zones, nav])


def choice_keyboard(keys: Sequence[str]) -> InlineKeyboardMarkup:
    """The zones an abbreviation or a city may mean, one a row; then the regions."""
    zones = [[_button(zone_label(key), PickZone(key))] for key in keys[:CHOICES_PAGE]]
    return InlineKeyboardMarkup([*zones, [_button("« Regions", RegionPage(None, 0))]])


def _nav(page: int, pages: int, to: Callable[[int], Pressed]) -> list[InlineKeyboardButton]:
    """‹ Prev / « Regions / Next ›; the first page's way on is "More ›" (the rarer places)."""
    nav = [_button("« Regions", RegionPage(None, 0))]
    if page > 0:
        nav.insert(0, _button("‹ Prev", to(page - 1)))
    if page + 1 < pages:
        nav.append(_button("More ›" if page == 0 else "Next ›", to(page + 1)))
    return nav
