"""The plant list and what people type: normalising names, splitting lists, the Monday week."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.commands import texts
from habits.weeks import week_start
from scheduler.due import Schedule, local_date
from tips.loader import Problem
from tips.plants import PLANTS_FILE, PlantList, parse_plants, plant_list, read_plants


@pytest.fixture(scope="module")
def plants() -> PlantList:
    return plant_list()


def test_the_shipped_list_loads_without_problems_and_has_a_reasonable_size(library):
    from tips import LIBRARY_DIR

    shipped, problems = read_plants(LIBRARY_DIR / PLANTS_FILE)
    assert problems == []
    assert 150 <= len(shipped.names) <= 250
    assert len(set(shipped.names)) == len(shipped.names)


def test_a_name_claimed_by_two_plants_is_a_problem(tmp_path):
    path = tmp_path / PLANTS_FILE
    path.write_text("legumes:\n  - [chickpeas, gram]\n  - [mung beans, Gram]\n", "utf-8")
    _, problems = read_plants(path)
    assert problems == [
        Problem(PLANTS_FILE, "legumes", "“Gram” is claimed by chickpeas and mung beans")
    ]


def test_an_entry_that_is_not_a_list_of_names_is_a_problem(tmp_path):
    path = tmp_path / PLANTS_FILE
    path.write_text("fruit:\n  - apple\n  - [pear]\n", "utf-8")
    shipped, problems = read_plants(path)
    assert problems == [Problem(PLANTS_FILE, "fruit", "not a list of names: 'apple'")]
    assert shipped.names == ("pear",)


@pytest.mark.parametrize(
    "typed,plant",
    [
        ("oats", "oats"),
        ("OATS", "oats"),
        ("Oat", "oats"),
        ("porridge", "oats"),
        ("lentil", "lentils"),
        ("Red Lentils", "lentils"),
        ("garbanzo beans", "chickpeas"),
        ("Chick-peas", "chickpeas"),
        ("chickpea", "chickpeas"),
        ("  sweet   potatoes ", "sweet potato"),
        ("tomatoes", "tomato"),
        ("blueberries", "blueberry"),
        ("bay leaves", "bay leaf"),
        ("Jalapeño", "chilli"),
        ("açaí", "acai"),
        ("lamb’s lettuce", "lamb's lettuce"),
        ("peanut butter", "peanuts"),
        ("Brussels sprouts!", "brussels sprouts"),
    ],
)
def test_names_are_normalised_to_the_plant(plants, typed, plant):
    assert plants.normalise(typed) == plant


@pytest.mark.parametrize("typed", ["", "   ", "xyzzy", "chocolate cake", "s", "!!!"])
def test_unknown_names_are_none(plants, typed):
    assert plants.normalise(typed) is None


def test_a_list_splits_on_commas_and_and_and_keeps_each_plant_once(plants):
    assert parse_plants(plants, "oats, Lentils and kale") == (["oats", "lentils", "kale"], [])
    typed = "chickpeas; garbanzo & HUMMUS\nkale + spinach / oats, oats"
    assert parse_plants(plants, typed) == (["chickpeas", "kale", "spinach", "oats"], [])


def test_unknown_names_come_back_as_typed_once(plants):
    known, unknown = parse_plants(plants, "Oats, Xyzzy, “Frobs”, xyzzy, kale")
    assert known == ["oats", "kale"]
    assert unknown == ["Xyzzy", "Frobs", "xyzzy"]


def test_words_that_are_all_plants_count_without_commas(plants):
    assert parse_plants(plants, "kale spinach garlic") == (["kale", "spinach", "garlic"], [])
    assert parse_plants(plants, "kale pizza") == ([], ["kale pizza"])


def test_empty_or_punctuation_only_input_has_no_names(plants):
    assert parse_plants(plants, "") == ([], [])
    assert parse_plants(plants, " , ; and ... ") == ([], [])


MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize("offset", range(7))
def test_a_week_starts_on_monday(offset):
    day = date.fromordinal(MONDAY.toordinal() + offset)
    assert week_start(day) == MONDAY


def week_at(zone: str, moment: datetime) -> date:
    return week_start(local_date(Schedule(time(8, 0), ZoneInfo(zone)), moment))


def test_the_week_turns_at_local_midnight_not_utc():
    # Monday 07:30 in Tokyo is still Sunday in UTC: Tokyo is in the new week already.
    early_tokyo_monday = datetime(2026, 3, 1, 22, 30, tzinfo=UTC)
    assert week_at("Asia/Tokyo", early_tokyo_monday) == MONDAY
    assert week_at("UTC", early_tokyo_monday) == date(2026, 2, 23)
    # Sunday 23:30 in Los Angeles is Monday in UTC: Los Angeles is still in the old week.
    late_la_sunday = datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert week_at("America/Los_Angeles", late_la_sunday) == date(2026, 2, 23)
    assert week_at("UTC", late_la_sunday) == MONDAY


def test_the_week_turns_at_local_midnight_across_dst():
    # Europe/Berlin springs forward on Sunday 29 March 2026: 23:59 that day is 21:59 UTC.
    assert week_at("Europe/Berlin", datetime(2026, 3, 29, 21, 59, tzinfo=UTC)) == date(2026, 3, 23)
    assert week_at("Europe/Berlin", datetime(2026, 3, 29, 22, 0, tzinfo=UTC)) == date(2026, 3, 30)
    # and falls back on Sunday 25 October 2026: local midnight is 23:00 UTC again.
    assert week_at("Europe/Berlin", datetime(2026, 10, 25, 22, 59, tzinfo=UTC)) == date(
        2026, 10, 19
    )
    assert week_at("Europe/Berlin", datetime(2026, 10, 25, 23, 0, tzinfo=UTC)) == date(2026, 10, 26)


def test_the_tally_shows_count_list_and_what_was_not_known(library):
    source = library.references["mcdonald2018_msystems"]
    text = texts.render_plants(
        MONDAY, ["oats", "kale"], added=["kale"], unknown=["<frob>"], source=source
    )
    assert text.startswith("🌱 <b>2/30 plants</b> this week (since Mon 02 Mar)")
    assert "Added: kale" in text
    assert 'I don\'t know "&lt;frob&gt;" — try its plain name.' in text
    assert "This week: oats, kale" in text
    assert "McDonald D et al., 2018" in text


def test_the_tally_without_a_source_names_none():
    text = texts.render_plants(MONDAY, [], source=None)
    assert "0/30" in text and "/plants oats" in text
    assert "American Gut" not in text and "Added" not in text


def test_after_the_weeks_first_plants_two_lines_without_the_rule_or_its_study(library):
    source = library.references["mcdonald2018_msystems"]
    added = texts.render_plants(
        MONDAY, ["oats", "kale"], added=["kale"], source=source, explain=False
    )
    assert added == "🌱 <b>2/30 plants</b> this week (since Mon 02 Mar)\nAdded: kale"
    shown = texts.render_plants(MONDAY, ["oats", "kale"], source=source, explain=False)
    assert shown.splitlines()[1] == "This week: oats, kale"
    assert len(shown.splitlines()) == 2
    thirty = texts.render_plants(MONDAY, [f"p{n}" for n in range(30)], added=[], explain=False)
    assert thirty.splitlines()[0].endswith("🎉") and len(thirty.splitlines()) == 2
    explained = texts.render_plants(MONDAY, ["oats"], added=["oats"], source=source)
    assert texts.PLANTS_RULE in explained and "American Gut" in explained


def test_thirty_is_celebrated():
    text = texts.render_plants(MONDAY, [f"p{n}" for n in range(30)], added=["p29"])
    assert "30/30" in text and "🎉" in text


def test_the_cited_source_is_in_the_verified_library(library):
    from tips.plants import SOURCE_REF

    assert library.references[SOURCE_REF].journal == "mSystems"


def test_tips_check_reports_a_bad_plant_list_and_the_bot_refuses_it(tmp_path):
    import shutil

    from tests.conftest import TEST_LIBRARY
    from tips import LIBRARY_DIR, LibraryError
    from tips.check import check_library

    root = tmp_path / "library"
    shutil.copytree(TEST_LIBRARY, root)
    shutil.copy(LIBRARY_DIR / PLANTS_FILE, root / PLANTS_FILE)
    _, problems = check_library(root)
    assert problems == []
    (root / PLANTS_FILE).write_text("fruit:\n  - [fig, date]\n  - [date]\n", "utf-8")
    _, problems = check_library(root)
    assert [str(problem) for problem in problems] == [
        "plants.yaml: fruit: “date” is claimed by fig and date"
    ]
    with pytest.raises(LibraryError, match="claimed by fig and date"):
        plant_list(root)
