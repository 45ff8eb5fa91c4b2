"""Parsing /time and /timezone arguments, good and bad."""

from datetime import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.parsing import (
    AmbiguousTimezone,
    ArgumentError,
    closest_command,
    parse_24h_time,
    parse_time,
    parse_timezone,
    typed_command,
)
from scheduler.zones import build_index


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        (" 23:59 ", time(23, 59)),
        ("0:00", time(0)),
        ("19:00", time(19)),
        ("7pm", time(19)),
        ("7 PM", time(19)),
        ("7:30 pm", time(19, 30)),
        ("7:30pm", time(19, 30)),
        ("7.30 p.m.", time(19, 30)),
        ("7 am", time(7)),
        ("7a.m.", time(7)),
        ("12am", time(0)),
        ("12:30 am", time(0, 30)),
        ("12pm", time(12)),
        ("12:05 pm", time(12, 5)),
        ("1am", time(1)),
        ("11:59 pm", time(23, 59)),
        ("7.15", time(7, 15)),
        ("19h", time(19)),
        ("19H30", time(19, 30)),
        ("0730", time(7, 30)),
        ("730", time(7, 30)),
        ("2359", time(23, 59)),
        ("0000", time(0)),
    ],
)
def test_times_as_people_type_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "24:00",
        "25:00",
        "7:60",
        "7:75",
        "7",
        "19",
        "13pm",
        "0am",
        "00:30 am",
        "12:60 pm",
        "2400",
        "07:30:00",
        "-1:00",
        "7:3",
        "7::30",
        "banana",
        "noon",
        "seven",
        "7 30",
        "٧:٣٠",
        "１:00",
        "7pm tomorrow",
        "x" * 3000,
    ],
)
def test_anything_else_is_refused_in_one_line(text):
    with pytest.raises(ArgumentError) as caught:
        parse_time(text)
    assert "\n" not in str(caught.value) and len(str(caught.value)) <= 40


def test_a_short_bad_time_is_named_and_a_long_one_is_not():
    with pytest.raises(ArgumentError, match='I can\'t read "13pm" as a time'):
        parse_time("13pm")
    with pytest.raises(ArgumentError, match=r"^That's not a time$"):
        parse_time("9" * 500)


@given(st.integers(0, 23), st.integers(0, 59))
def test_every_time_of_day_reads_the_same_in_every_form(hour, minute):
    expected = time(hour, minute)
    half = "am" if hour < 12 else "pm"
    twelve = hour % 12 or 12
    for typed in (
        f"{hour}:{minute:02}",
        f"{hour:02}:{minute:02}",
        f"{hour}.{minute:02}",
        f"{hour}h{minute:02}",
        f"{hour:02}{minute:02}",
        f"{twelve}:{minute:02} {half}",
        f"{twelve}:{minute:02}{half.upper()}",
    ):
        assert parse_time(typed) == expected, typed


@given(st.text(max_size=30))
def test_any_text_is_a_time_or_a_one_line_refusal(text):
    try:
        parsed = parse_time(text)
    except ArgumentError as problem:
        assert "\n" not in str(problem)
    else:
        assert isinstance(parsed, time)


@pytest.mark.parametrize("text", ["7pm", "0730", "7.15", "19h", "7"])
def test_configuration_takes_only_24_hour_hh_mm(text):
    with pytest.raises(ArgumentError, match="24-hour time like 07:30"):
        parse_24h_time(text)
    assert parse_24h_time("07:30") == time(7, 30)


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
    with pytest.raises(AmbiguousTimezone, match='"vincennes" matches more than one') as caught:
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


KNOWN = ("tip", "topics", "time", "timezone", "settings", "start", "stop", "streak", "plants")


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("/foo", "/foo"),
        ("/Foo@GutBoneDailyBot now", "/foo"),
        ("  /tpi  ", "/tpi"),
        ("hello", None),
        ("/", None),
        ("", None),
        ("/@bot", None),
    ],
)
def test_the_command_a_message_starts_with(text, command):
    assert typed_command(text) == command


@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        ("/tpi", "tip"),
        ("/tips", "tip"),
        ("/setings", "settings"),
        ("/timezon", "timezone"),
        ("/plnts", "plants"),
        ("/strat", "start"),
        ("/frobnicate", None),
        ("/x", None),
    ],
)
def test_an_unknown_command_suggests_the_closest_known_one(typed, closest):
    assert closest_command(typed, KNOWN) == closest


@given(st.text(max_size=50))
def test_a_suggestion_is_always_a_known_command_or_none(typed):
    assert closest_command(typed, KNOWN) in (*KNOWN, None)
