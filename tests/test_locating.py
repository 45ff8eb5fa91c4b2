"""The time zone in one step, its pure rules: a place to a zone (tzfpy, offline), the UTC
offsets in use at a moment, the zones at one of them most-used first, and the buttons' data."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tzfpy import timezonenames

from bot.commands.buttons.settings_buttons import MAX_DATA
from bot.commands.buttons.zone_buttons import (
    ClockOffset,
    ClockTimes,
    ShareLocation,
    clock_keyboard,
    clock_labels,
    local_clock,
    offset_keyboard,
    parse_zone_press,
    shortcut_row,
    zone_label,
    zone_press_data,
)
from bot.commands.texts import render_clock_zones, render_utc_offset
from scheduler.zones import ZONES_BY_USE, offsets_in_use, zone_at, zone_index, zones_at_offset

WINTER = datetime(2026, 1, 15, 14, 14, 30, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 14, 14, tzinfo=UTC)


@pytest.mark.parametrize(
    ("latitude", "longitude", "zone"),
    [
        (40.7128, -74.0060, "America/New_York"),  # Manhattan
        (28.6139, 77.2090, "Asia/Kolkata"),  # New Delhi
        (52.5200, 13.4050, "Europe/Berlin"),
        (-33.8688, 151.2093, "Australia/Sydney"),
        (50.4501, 30.5234, "Europe/Kyiv"),  # tzdata's current name, not the old Europe/Kiev
    ],
)
def test_a_place_on_land_has_its_zone(latitude: float, longitude: float, zone: str) -> None:
    assert zone_at(latitude, longitude) == zone


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [(30.0, -40.0), (0.0, 0.0), (-50.0, -140.0), (91.0, 0.0), (0.0, 181.0), (float("nan"), 1.0)],
)
def test_the_open_sea_and_no_place_at_all_have_no_zone(latitude: float, longitude: float) -> None:
    assert zone_at(latitude, longitude) is None


def test_the_offsets_in_use_follow_daylight_saving() -> None:
    winter, summer = offsets_in_use(WINTER), offsets_in_use(SUMMER)
    assert {-300, 0, 60, 330, 345, 540, 840} <= set(winter)  # New York, London, Berlin, India…
    assert -300 in summer and -240 in summer  # Bogotá stays at −5; New York moves to −4
    assert 13 * 60 + 45 in winter and 13 * 60 + 45 not in summer  # the Chatham Islands
    assert list(winter) == sorted(winter) and len(winter) == len(set(winter))
    assert all(-12 * 60 <= minutes <= 14 * 60 for minutes in winter)


def test_the_zones_at_an_offset_come_most_used_first() -> None:
    eastern = zones_at_offset(-300, WINTER)
    assert eastern[0] == "America/New_York" and "America/Bogota" in eastern[:4]
    assert zones_at_offset(-240, SUMMER)[0] == "America/New_York"
    assert "America/New_York" not in zones_at_offset(-300, SUMMER)
    assert zones_at_offset(60, WINTER)[:3] == ("Africa/Lagos", "Africa/Kinshasa", "Europe/Berlin")
    unlisted = [zone for zone in zones_at_offset(60, WINTER) if zone not in ZONES_BY_USE]
    assert unlisted == sorted(unlisted)  # after the listed ones, by name
    assert zones_at_offset(17, WINTER) == ()


def test_every_zone_listed_by_use_is_a_canonical_zone_listed_once() -> None:
    assert [key for key in ZONES_BY_USE if zone_index().resolve(key) != key] == []
    assert len(set(ZONES_BY_USE)) == len(ZONES_BY_USE)


def test_the_clock_labels_are_the_local_times_in_clock_order() -> None:
    assert local_clock(330, WINTER) == datetime(2026, 1, 15, 19, 44)
    assert local_clock(-600, WINTER) == datetime(2026, 1, 15, 4, 14)
    labels = clock_labels((-300, 0, 330), WINTER)
    assert list(labels.values()) == ["09:14", "14:14", "19:44"]
    # −10 and +14 show the same time a day apart: the weekday tells them apart
    assert clock_labels((-600, 840), WINTER) == {-600: "Thu 04:14", 840: "Fri 04:14"}


def test_the_clock_keyboard_offers_every_offset_in_use_once() -> None:
    rows = clock_keyboard(WINTER).inline_keyboard
    data = [button.callback_data for row in rows[:-1] for button in row]
    assert sorted(parse_zone_press(d).minutes for d in data) == list(offsets_in_use(WINTER))
    assert [button.text for button in rows[-1]] == ["🌍 Regions"]
    assert all(len(row) <= 4 for row in rows)


def test_an_offsets_zones_are_the_region_pickers_own_buttons() -> None:
    rows = offset_keyboard(zones_at_offset(60, WINTER)).inline_keyboard
    zones = [button for row in rows[:-1] for button in row]
    assert len(zones) == 15 and zones[2].text == "Berlin"
    assert zones[2].callback_data == "v1:tz:Europe/Berlin"
    assert [b.callback_data for b in rows[-1]] == ["v1:utc", "v1:tzr"]
    assert zone_label("America/Argentina/Buenos_Aires") == "Buenos Aires"
    assert zone_label("America/Indiana/Vevay") == "Vevay, Indiana"  # CLDR's words


def test_zone_presses_read_back_and_garbled_ones_are_none() -> None:
    for press in (ShareLocation(), ClockTimes(), ClockOffset(-570), ClockOffset(845)):
        data = zone_press_data(press)
        assert parse_zone_press(data) == press and len(data.encode()) <= MAX_DATA
    for garbled in (None, "", "v1:utc:", "v1:utc:abc", "v1:utc:99999", "v1:utc:+60", "v2:loc"):
        assert parse_zone_press(garbled) is None
    assert parse_zone_press("v1:utc:1081") is None  # beyond any offset (18 hours)
    assert parse_zone_press("v1:utc:" + "1" * 70) is None


def test_the_location_button_is_offered_in_private_chats_only() -> None:
    assert [b.text for b in shortcut_row(private=True)] == [
        "📍 Send my location",
        "🕰 Pick the time it is here",
    ]
    assert [b.text for b in shortcut_row(private=False)] == ["🕰 Pick the time it is here"]


def test_offsets_read_as_people_write_them() -> None:
    assert [render_utc_offset(m) for m in (0, 60, -300, 330, -570, 825)] == [
        "UTC",
        "UTC+1",
        "UTC−5",
        "UTC+5:30",
        "UTC−9:30",
        "UTC+13:45",
    ]
    text = render_clock_zones(330, datetime(2026, 1, 15, 19, 44), 2, 2)
    assert "<b>19:44</b> there (UTC+5:30)" in text and "most people" not in text
    assert "The 15 places most people live in" in render_clock_zones(60, WINTER, 15, 46)


def test_every_zone_on_the_map_is_one_tzdata_knows() -> None:
    """tzfpy's map and the installed tzdata are released apart: a place must never resolve to
    a zone the bot cannot save (it would be answered as the open sea)."""
    unknown = [
        name
        for name in timezonenames()
        if not name.startswith("Etc/") and zone_index().resolve(name) is None
    ]
    assert unknown == []
