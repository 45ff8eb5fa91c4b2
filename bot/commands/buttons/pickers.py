"""The timezone and time pickers: regions, pages of cities, and common delivery times.

Pure data and keyboards, no Telegram I/O. A city button carries its zone key itself
(`v1:tz:Europe/Berlin`, at most 38 bytes for today's keys) rather than an index into a list,
so a picker sent before a tzdata update still picks the zone its label names.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import time
from functools import cache

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.commands.buttons.settings_buttons import PickTime, PickZone, RegionPage, press_data
from scheduler.zones import UTC_KEY, zone_index

REGIONS = ("Africa", "America", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
COLUMNS, ROWS = 3, 8
PAGE_SIZE = COLUMNS * ROWS
COMMON_TIMES = tuple(
    time(hour, minute)
    for hour, minute in ((6, 0), (7, 0), (7, 30), (8, 0), (9, 0), (12, 0), (18, 0), (20, 0))
)


@cache
def zones_of(region: str) -> tuple[str, ...]:
    """The canonical zone keys of `region`, sorted; empty for an unknown region."""
    if region not in REGIONS:
        return ()
    keys = set(zone_index().by_key.values())
    return tuple(sorted(key for key in keys if key.startswith(f"{region}/")))


def page_count(region: str) -> int:
    return -(-len(zones_of(region)) // PAGE_SIZE)


def page_of(region: str, page: int) -> tuple[str, ...]:
    """The zone keys on `page` (from 0) of `region`; empty when out of range."""
    if not 0 <= page < page_count(region):
        return ()
    return zones_of(region)[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]


def city_label(key: str) -> str:
    """`America/Argentina/Buenos_Aires` -> `Argentina/Buenos Aires`."""
    return key.partition("/")[2].replace("_", " ")


def _button(label: str, press: RegionPage | PickZone | PickTime) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=press_data(press))


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def region_rows() -> list[list[InlineKeyboardButton]]:
    regions = [_button(region, RegionPage(region, 0)) for region in REGIONS]
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
    """One page of a region's cities, with ‹ Prev / « Regions / Next › below."""
    cities = [_button(city_label(key), PickZone(key)) for key in page_of(region, page)]
    nav = [_button("« Regions", RegionPage(None, 0))]
    if page > 0:
        nav.insert(0, _button("‹ Prev", RegionPage(region, page - 1)))
    if page + 1 < page_count(region):
        nav.append(_button("Next ›", RegionPage(region, page + 1)))
    return InlineKeyboardMarkup([*_rows(cities, COLUMNS), nav])
