"""What `/timezone <text>` names (abbreviations, countries, IANA names, cities), the order of
places (most used first) and their plain-language names: pure rules, no Telegram."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.commands.parsing import ArgumentError
from bot.commands.places.abbreviations import ABBREVIATIONS
from bot.commands.places.countries import (
    OTHER_NAMES,
    country_code,
    country_codes,
    country_zones,
    keep_one_clock,
    loose,
)
from bot.commands.places.finding import CountryZones, OneZone, SeveralZones, find_zone
from bot.commands.places.naming import city_name, country_name, zone_label
from bot.commands.places.ranking import by_use, paged
from scheduler.zones import build_index, zone_index

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)


def keeps_daylight_saving(key: str) -> bool:
    """Its UTC offset differs between January and July."""
    zone = ZoneInfo(key)
    return len({datetime(2026, month, 15, tzinfo=zone).utcoffset() for month in (1, 7)}) > 1


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("EST", "America/New_York"),
        ("est", "America/New_York"),
        ("EDT", "America/New_York"),
        ("ET", "America/New_York"),
        ("PST", "America/Los_Angeles"),
        ("PDT", "America/Los_Angeles"),
        ("PT", "America/Los_Angeles"),
        ("CET", "Europe/Paris"),
        ("CEST", "Europe/Paris"),
        ("AEST", "Australia/Sydney"),
        ("JST", "Asia/Tokyo"),
        ("GMT", "UTC"),
        ("UTC", "UTC"),
        (" hst ", "Pacific/Honolulu"),
    ],
)
def test_abbreviations_name_one_zone(text, key):
    assert find_zone(text, NOW) == OneZone(key)


def test_est_is_new_york_with_daylight_saving_not_tzdatas_panama():
    assert zone_index().resolve("EST") == "America/Panama"  # what tzdata alone would save
    assert find_zone("EST", NOW) == OneZone("America/New_York")
    assert keeps_daylight_saving("America/New_York")
    assert not keeps_daylight_saving("America/Panama")


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("CST", ("America/Chicago", "Asia/Shanghai", "America/Havana")),
        ("ist", ("Asia/Kolkata", "Europe/Dublin", "Asia/Jerusalem")),
        ("BST", ("Europe/London", "Asia/Dhaka")),
        ("MST", ("America/Denver", "America/Phoenix")),
    ],
)
def test_ambiguous_abbreviations_ask(text, keys):
    assert find_zone(text, NOW) == SeveralZones(text, keys)


@pytest.mark.parametrize(
    ("abbreviation", "key", "dst"),
    [(name, key, dst) for name, meanings in ABBREVIATIONS.items() for key, dst in meanings],
)
def test_an_abbreviation_with_daylight_saving_means_a_zone_that_keeps_it(abbreviation, key, dst):
    assert keeps_daylight_saving(key) == dst, (abbreviation, key)  # and the flag is honest
    assert zone_index().resolve(key) == key  # canonical, so never Etc/GMT+5 or tzdata's EST
    assert "/" in key or key == "UTC"


@given(st.text(max_size=40) | st.sampled_from(sorted(ABBREVIATIONS) + list(OTHER_NAMES)))
def test_any_text_names_canonical_zones_or_is_refused_kindly(text):
    try:
        found = find_zone(text, NOW)
    except ArgumentError as refused:
        assert str(refused)
        return
    keys = country_zones(found.code) if isinstance(found, CountryZones) else ()
    keys = found.keys if isinstance(found, SeveralZones) else keys
    keys = (found.key,) if isinstance(found, OneZone) else keys
    assert keys and all(zone_index().resolve(key) == key for key in keys)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("germany", "Europe/Berlin"),  # with Büsingen, which keeps the same clock
        ("Japan", "Asia/Tokyo"),
        ("united kingdom", "Europe/London"),
        ("UK", "Europe/London"),
        ("côte d’ivoire", "Africa/Abidjan"),
        ("Cote d'Ivoire", "Africa/Abidjan"),
        ("turkey", "Europe/Istanbul"),
        ("Bosnia & Herzegovina", "Europe/Sarajevo"),
        ("argentina", "America/Argentina/Buenos_Aires"),  # twelve zones, one clock
    ],
)
def test_a_country_with_one_clock_is_its_most_used_zone(text, key):
    assert find_zone(text, NOW) == OneZone(key)


@pytest.mark.parametrize(
    ("text", "code"), [("united states", "US"), ("USA", "US"), ("Spain", "ES")]
)
def test_a_country_with_several_clocks_asks(text, code):
    assert find_zone(text, NOW) == CountryZones(code)


def test_a_countrys_zones_come_most_used_first():
    assert country_zones("US")[:5] == (
        "America/New_York",
        "America/Chicago",
        "America/Los_Angeles",
        "America/Denver",
        "America/Phoenix",
    )
    assert country_zones("ES")[0] == "Europe/Madrid"
    assert country_zones("XX") == ()


def test_every_country_is_found_by_its_own_english_name():
    for code in country_codes():
        assert country_code(country_name(code)) == code, code
    assert all(code in country_codes() for code in OTHER_NAMES.values())


def test_one_clock_means_the_same_offsets_all_year():
    assert keep_one_clock(("Europe/Berlin", "Europe/Busingen"), 2026)
    assert not keep_one_clock(("America/Denver", "America/Phoenix"), 2026)  # July only
    assert not keep_one_clock(("Europe/Lisbon", "Atlantic/Azores"), 2026)
    kazakhstan = country_zones("KZ")  # one clock since March 2024
    assert not keep_one_clock(kazakhstan, 2023) and keep_one_clock(kazakhstan, 2025)


def test_iana_names_aliases_and_cities_still_work():
    assert find_zone("europe/berlin", NOW) == OneZone("Europe/Berlin")
    assert find_zone("Asia/Calcutta", NOW) == OneZone("Asia/Kolkata")
    assert find_zone("new york", NOW) == OneZone("America/New_York")


def test_a_city_of_several_zones_asks_most_used_first():
    links = [("Europe/Berlin", "Europe/Springfield"), ("America/Chicago", "America/Springfield")]
    index = build_index(["America/Chicago", "Europe/Berlin"], links)
    found = find_zone("springfield", NOW, index)
    assert found == SeveralZones("springfield", ("America/Chicago", "Europe/Berlin"))


@pytest.mark.parametrize("text", ["xyzzy", "Mars/Olympus", "Europe", "UTC+2", "x" * 500, "\x00"])
def test_anything_else_is_refused_kindly(text):
    with pytest.raises(ArgumentError):
        find_zone(text, NOW)


def test_loose_names_ignore_case_accents_apostrophes_and_ampersands():
    assert loose("  Côte d’Ivoire ") == loose("cote d'ivoire") == "cote divoire"
    assert loose("Bosnia & Herzegovina") == "bosnia and herzegovina"


def test_plain_language_names_come_from_cldr():
    assert zone_label("America/New_York") == "Eastern Time — New York"
    assert zone_label("Asia/Shanghai") == "China Time — Shanghai"
    assert zone_label("Pacific/Honolulu") == "Hawaii Time — Honolulu"  # not "United States (…)"
    assert zone_label("UTC") == "UTC"
    assert city_name("America/Kentucky/Monticello") == "Monticello, Kentucky"
    assert country_name("US") == "United States"


def test_most_used_first_then_the_rest_by_name():
    keys = ["America/Adak", "America/Chicago", "America/Boise", "America/New_York"]
    ordered = by_use(keys, city_name)
    assert ordered == ("America/New_York", "America/Chicago", "America/Adak", "America/Boise")


@pytest.mark.parametrize(
    ("keys", "pages"),
    [
        ((), ()),
        (("America/New_York", "America/Boise"), (("America/New_York",), ("America/Boise",))),
        (("A/a", "A/b", "A/c"), (("A/a", "A/b"), ("A/c",))),  # none most used: plain pages
        (
            ("Europe/London", "Europe/Berlin", "Europe/Paris"),
            (("Europe/London", "Europe/Berlin"), ("Europe/Paris",)),
        ),
    ],
)
def test_the_first_page_holds_only_the_most_used(keys, pages):
    assert paged(keys, 2) == pages
