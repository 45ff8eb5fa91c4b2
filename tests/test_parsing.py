"""Parsing /time and /timezone arguments, good and bad."""

from datetime import time

import pytest

from bot.commands.parsing import AmbiguousTimezone, ArgumentError, parse_time, parse_timezone
from scheduler.zones import build_index


@pytest.mark.parametrize(
    ("text", "expected"),
    [("7:30", time(7, 30)), ("07:30", time(7, 30)), (" 23:59 ", time(23, 59)), ("0:00", time(0))],
)
def test_times_in_24_hour_form(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "24:00",
        "7:60",
        "7",
        "730",
        "7.30",
        "7:30pm",
        "07:30:00",
        "-1:00",
        "seven",
        "٧:٣٠",
        "１:00",
    ],
)
def test_bad_times_explain_the_format(text):
    with pytest.raises(ArgumentError, match="24-hour time like 07:30"):
        parse_time(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("berlin", "Europe/Berlin"),
        ("New York", "America/New_York"),
        ("new_york", "America/New_York"),
        ("utc", "UTC"),
        ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires"),
    ],
)
def test_timezones_by_name_or_city(text, expected):
    assert parse_timezone(text).key == expected


@pytest.mark.parametrize("text", ["", "Mars/Olympus", "berlinn", "../../etc/passwd", "x" * 500])
def test_unknown_timezones_are_refused(text):
    with pytest.raises(ArgumentError):
        parse_timezone(text)


def test_an_ambiguous_city_lists_the_candidates():
    index = build_index(["America/Indiana/Vincennes", "Europe/Vincennes"], [])
    with pytest.raises(AmbiguousTimezone, match="“vincennes” matches more than one") as caught:
        parse_timezone("vincennes", index)
    assert caught.value.candidates == ["America/Indiana/Vincennes", "Europe/Vincennes"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("cordoba", "America/Argentina/Cordoba"),
        ("mendoza", "America/Argentina/Mendoza"),
        ("jujuy", "America/Argentina/Jujuy"),
        ("catamarca", "America/Argentina/Catamarca"),
        ("indianapolis", "America/Indiana/Indianapolis"),
        ("louisville", "America/Kentucky/Louisville"),
        ("istanbul", "Europe/Istanbul"),
        ("nicosia", "Asia/Nicosia"),
    ],
)
def test_cities_under_two_keys_of_one_zone_are_not_ambiguous(text, expected):
    assert parse_timezone(text).key == expected


@pytest.mark.parametrize("text", ["\x00", "Europe/Ber\x00lin", "Europe/\tBerlin"])
def test_control_characters_are_refused_before_lookup(text):
    with pytest.raises(ArgumentError, match="doesn't look like a place or a timezone"):
        parse_timezone(text)
