"""The timezone and time pickers: pages, labels and callback data, as pure functions."""

import re
from datetime import time

import pytest

from bot.commands.buttons import pickers
from bot.commands.buttons.keyboards import parse_press as parse_tip_press
from bot.commands.buttons.settings_buttons import (
    MAX_DATA,
    PRESS_PATTERN,
    PickTime,
    PickZone,
    RegionPage,
    parse_press,
    press_data,
)
from scheduler.zones import zone_index


def every_picker_keyboard():
    yield "welcome", pickers.welcome_keyboard()
    yield "regions", pickers.regions_keyboard()
    yield "times", pickers.times_keyboard()
    for region in pickers.REGIONS:
        for page in range(pickers.page_count(region)):
            yield f"{region}:{page}", pickers.region_keyboard(region, page)


def data_of(markup):
    return [button.callback_data for row in markup.inline_keyboard for button in row]


def test_every_button_of_every_page_fits_and_round_trips():
    seen = 0
    for name, markup in every_picker_keyboard():
        for data in data_of(markup):
            assert len(data.encode()) <= MAX_DATA, (name, data)
            assert re.match(PRESS_PATTERN, data), (name, data)
            assert press_data(parse_press(data)) == data, (name, data)
            assert parse_tip_press(data) is None  # the tips' reader never takes a picker's press
            seen += 1
    assert seen > 419  # every canonical zone, plus regions, times and page buttons


def test_every_canonical_zone_of_the_regions_is_on_exactly_one_page():
    offered = [
        parse_press(data).key
        for region in pickers.REGIONS
        for page in range(pickers.page_count(region))
        for data in data_of(pickers.region_keyboard(region, page))
        if data.startswith("v1:tz:")
    ]
    canonical = set(zone_index().by_key.values())
    expected = {key for key in canonical if key.split("/")[0] in pickers.REGIONS}
    assert sorted(offered) == sorted(expected)
    assert all(zone_index().resolve(key) == key for key in offered)


def test_pages_hold_three_columns_of_eight_rows_and_navigate():
    pages = pickers.page_count("America")  # 144 zones, 6 pages, in tzdata 2025
    assert pages >= 5 and len(pickers.page_of("America", pages - 1)) <= 24
    first = pickers.region_keyboard("America", 0).inline_keyboard
    assert len(first) == 9 and all(len(row) == 3 for row in first[:8])
    assert [b.text for b in first[-1]] == ["« Regions", "Next ›"]
    middle = pickers.region_keyboard("America", 2).inline_keyboard[-1]
    assert [(b.text, b.callback_data) for b in middle] == [
        ("‹ Prev", "v1:tzr:America:1"),
        ("« Regions", "v1:tzr"),
        ("Next ›", "v1:tzr:America:3"),
    ]
    last = pickers.region_keyboard("America", pages - 1).inline_keyboard[-1]
    assert [b.text for b in last] == ["‹ Prev", "« Regions"]
    assert [b.text for b in pickers.region_keyboard("Atlantic", 0).inline_keyboard[-1]] == [
        "« Regions"
    ]


@pytest.mark.parametrize(("region", "page"), [("America", 6), ("America", -1), ("Mars", 0)])
def test_pages_out_of_range_are_empty(region, page):
    assert pickers.page_of(region, page) == ()


def test_city_labels_read_like_places():
    assert pickers.city_label("America/Argentina/Buenos_Aires") == "Argentina/Buenos Aires"
    assert pickers.city_label("Europe/Berlin") == "Berlin"
    europe = [b.text for row in pickers.region_keyboard("Europe", 0).inline_keyboard for b in row]
    assert "Berlin" in europe


def test_the_region_picker_offers_every_region_and_utc():
    labels = [b.text for row in pickers.regions_keyboard().inline_keyboard for b in row]
    assert labels == [*pickers.REGIONS, "UTC"]
    assert data_of(pickers.regions_keyboard())[-1] == "v1:tz:UTC"


def test_the_time_picker_offers_the_common_times():
    assert data_of(pickers.times_keyboard()) == [
        f"v1:at:{at}"
        for at in ("06:00", "07:00", "07:30", "08:00", "09:00", "12:00", "18:00", "20:00")
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("v1:tzr", RegionPage(None, 0)),
        ("v1:tzr:Europe:1", RegionPage("Europe", 1)),
        ("v1:tz:America/Argentina/ComodRivadavia", PickZone("America/Argentina/ComodRivadavia")),
        ("v1:at:23:59", PickTime(time(23, 59))),
        ("v1:at:24:00", None),
        ("v1:at:7:30", None),
        ("v1:at", None),
        ("v1:tzr:Europe", None),
        ("v1:tzr:europe:1", None),
        ("v1:tzr:Europe:123", None),
        ("v1:tz:", None),
        ("v1:tz:../../etc/passwd", None),
        ("v1:tz:A/B/C/D", None),
        ("v2:tz:Europe/Berlin", None),
    ],
)
def test_picker_presses_are_read_strictly(data, expected):
    assert parse_press(data) == expected
