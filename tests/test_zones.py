"""The timezone index: canonical zones from tzdata's tables, aliases, and cities."""

from zoneinfo import ZoneInfo

import pytest

from scheduler.zones import build_index, links_in_zi, zone_index, zones_in_tab

TAB = "# comment\nDE\t+5230+01322\tEurope/Berlin\nIS\t+6409-02151\tAtlantic/Reykjavik\n"
ZI = "Z Europe/Berlin 0:53:28 - LMT 1893\nL Europe/Berlin Europe/Oslo\nL Africa/Abidjan Iceland\n"


def test_tables_and_links_are_read_from_tzdata_formats():
    assert zones_in_tab(TAB) == ["Europe/Berlin", "Atlantic/Reykjavik"]
    assert links_in_zi(ZI) == [("Europe/Berlin", "Europe/Oslo"), ("Africa/Abidjan", "Iceland")]


def test_a_commented_header_with_tabs_names_no_zone():
    header = "#codes\tcoordinates\tTZ\tcomments\n"  # zone1970.tab's own header
    assert zones_in_tab(header + TAB) == ["Europe/Berlin", "Atlantic/Reykjavik"]


def test_utc_itself_resolves_whatever_the_tables_list():
    assert build_index([], []).resolve("utc") == "UTC"


def test_only_keys_in_a_world_region_name_a_city():
    index = build_index(["America/New_York"], [("America/New_York", "US/Eastern")])
    assert index.resolve("US/Eastern") == "America/New_York"  # an alias still resolves
    assert index.cities("new_york") == ("America/New_York",)
    assert index.cities("eastern") == index.cities("utc") == ()  # US/Eastern, Etc/UTC: no city


def test_aliases_resolve_to_their_canonical_zone_and_canonical_keys_stay():
    index = build_index(
        ["Europe/Berlin", "Africa/Abidjan", "Atlantic/Reykjavik"],
        [
            ("Europe/Berlin", "Europe/Oslo"),
            ("Africa/Abidjan", "Atlantic/Reykjavik"),  # tzdata links it, but zone.tab lists it
            ("Etc/GMT", "GMT"),  # a link to a key that is not offered: not offered either
        ],
    )
    assert index.resolve("europe/oslo") == "Europe/Berlin"
    assert index.resolve("Atlantic/Reykjavik") == "Atlantic/Reykjavik"
    assert index.resolve("GMT") is None
    assert index.resolve("Etc/UTC") == index.resolve("zulu") == "UTC"
    assert index.cities("oslo") == ("Europe/Berlin",)


def test_the_shipped_index_has_no_ambiguous_city_and_every_zone_loads():
    index = zone_index()
    assert {city: zones for city, zones in index.by_city.items() if len(zones) > 1} == {}
    canonical = set(index.by_key.values())
    assert len(canonical) > 300
    assert all(ZoneInfo(key).key == key for key in canonical)


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "Etc/GMT+5", "EST5EDT"])
def test_keys_that_are_no_place_are_not_offered(name):
    assert zone_index().resolve(name) is None
