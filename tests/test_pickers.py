"""The timezone and time pickers: pages, labels and callback data, as pure functions."""

import re
from datetime import time

import pytest

from bot.commands.buttons import pickers
from bot.commands.buttons.keyboards import parse_press as parse_tip_press
from bot.commands.buttons.settings_buttons import (
    MAX_DATA,
    PRESS_PATTERN,
    CountryPage,
    PickTime,
    PickZone,
    RegionPage,
    parse_press,
    press_data,
)
from bot.commands.places.abbreviations import ABBREVIATIONS, abbreviation_zones
from bot.commands.places.countries import country_codes
from scheduler.zones import zone_index


def every_picker_keyboard():
    yield "welcome", pickers.welcome_keyboard()
    yield "regions", pickers.regions_keyboard()
    yield "times", pickers.times_keyboard()
    for region in pickers.REGIONS:
        for page in range(pickers.page_count(region)):
            yield f"{region}:{page}", pickers.region_keyboard(region, page)
    for code in country_codes():
        for page in range(len(pickers.country_pages(code))):
            yield f"{code}:{page}", pickers.country_keyboard(code, page)
    for abbreviation in ABBREVIATIONS:
        yield abbreviation, pickers.choice_keyboard(abbreviation_zones(abbreviation))


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
    pages = pickers.page_count("America")  # 144 zones, 7 pages, in tzdata 2025
    assert pages >= 5 and len(pickers.page_of("America", pages - 1)) <= 24
    first = pickers.region_keyboard("America", 0).inline_keyboard
    assert len(first) == 9 and all(len(row) == 3 for row in first[:8])
    assert [b.text for b in first[-1]] == ["« Regions", "More ›"]
    middle = pickers.region_keyboard("America", 2).inline_keyboard[-1]
    assert [(b.text, b.callback_data) for b in middle] == [
        ("‹ Prev", "v1:tzr:America:1"),
        ("« Regions", "v1:tzr"),
        ("Next ›", "v1:tzr:America:3"),
    ]
    last = pickers.region_keyboard("America", pages - 1).inline_keyboard[-1]
    assert [b.text for b in last] == ["‹ Prev", "« Regions"]
    atlantic = [
        b.text for row in pickers.region_keyboard("Atlantic", 0).inline_keyboard for b in row
    ]
    assert atlantic[:3] == ["Azores", "Canaries", "Madeira"] and atlantic[-1] == "More ›"
    assert [b.text for b in pickers.region_keyboard("Atlantic", 1).inline_keyboard[-1]] == [
        "‹ Prev",
        "« Regions",
    ]


@pytest.mark.parametrize(("region", "page"), [("America", 6), ("America", -1), ("Mars", 0)])
def test_pages_out_of_range_are_empty(region, page):
    assert pickers.page_of(region, page) == ()


def test_city_labels_read_like_places():
    assert pickers.city_label("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert pickers.city_label("America/Indiana/Vevay") == "Vevay, Indiana"
    assert pickers.city_label("America/Sao_Paulo") == "São Paulo"
    assert pickers.city_label("Europe/Berlin") == "Berlin"
    europe = [b.text for row in pickers.region_keyboard("Europe", 0).inline_keyboard for b in row]
    assert "Berlin" in europe


def test_no_label_of_any_picker_is_tzdata_jargon():
    for name, markup in every_picker_keyboard():
        for row in markup.inline_keyboard:
            for button in row:
                assert "/" not in button.text and "_" not in button.text, (name, button.text)


def test_the_region_picker_offers_every_region_in_plain_words_and_utc():
    labels = [b.text for row in pickers.regions_keyboard().inline_keyboard for b in row]
    assert labels == [
        *("Africa", "America", "Asia", "Atlantic Ocean", "Australia", "Europe", "Indian Ocean"),
        *("Pacific", "UTC"),
    ]
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
        ("v1:tzc:US:1", CountryPage("US", 1)),
        ("v1:tzc:US:0", CountryPage("US", 0)),
        ("v1:tzc:us:1", None),
        ("v1:tzc:USA:1", None),
        ("v1:tzc:US", None),
        ("v1:tzc:US:123", None),
        ("v1:tzc", None),
    ],
)
def test_picker_presses_are_read_strictly(data, expected):
    assert parse_press(data) == expected


def test_a_countrys_first_page_is_its_most_used_zones_by_clock_and_place():
    first = pickers.country_keyboard("US", 0).inline_keyboard
    assert [row[0].text for row in first[:4]] == [
        "Eastern Time — New York",
        "Central Time — Chicago",
        "Pacific Time — Los Angeles",
        "Mountain Time — Denver",
    ]
    assert [(b.text, b.callback_data) for b in first[-1]] == [
        ("« Regions", "v1:tzr"),
        ("More ›", "v1:tzc:US:1"),
    ]
    rest = [row[0].text for row in pickers.country_keyboard("US", 1).inline_keyboard]
    assert rest[:3] == [  # the others by place name
        "Central Time — Beulah, North Dakota",
        "Mountain Time — Boise",
        "Central Time — Center, North Dakota",
    ]
    assert pickers.country_page("US", 99) == () and pickers.country_page("XX", 0) == ()


def test_an_ambiguous_abbreviation_offers_its_places_one_a_row():
    markup = pickers.choice_keyboard(("America/Chicago", "Asia/Shanghai", "America/Havana"))
    assert [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard] == [
        [("Central Time — Chicago", "v1:tz:America/Chicago")],
        [("China Time — Shanghai", "v1:tz:Asia/Shanghai")],
        [("Cuba Time — Havana", "v1:tz:America/Havana")],
        [("« Regions", "v1:tzr")],
    ]


def test_americas_first_page_opens_with_the_big_cities_not_argentinas_provinces():
    first = [pickers.city_label(key) for key in pickers.page_of("America", 0)]
    assert first[:3] == ["New York", "Chicago", "Los Angeles"] and "Denver" in first[:6]
    assert {"Toronto", "Mexico City", "São Paulo", "Buenos Aires"} <= set(first)
    assert not {"Catamarca", "Jujuy", "La Rioja"} & set(first)
    assert not any("," in label for label in first)  # no "Vevay, Indiana" before the big ones
    indian = [pickers.city_label(key) for key in pickers.page_of("Indian", 0)]
    assert {"Maldives", "Mauritius", "Réunion"} <= set(indian)
