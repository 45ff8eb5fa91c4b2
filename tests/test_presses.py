"""Preference and privacy buttons: callback data written and read back by pure functions."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.commands.buttons.keyboards import parse_press as parse_tip_press
from bot.commands.buttons.settings_buttons import (
    MAX_DATA,
    PRESS_PATTERN,
    CancelDelete,
    ConfirmDelete,
    CountryPage,
    Pause,
    RemoveChannel,
    Resume,
    Show,
    ToggleTopic,
    delete_keyboard,
    parse_press,
    press_data,
    settings_keyboard,
    topics_keyboard,
)
from bot.commands.parsing import ArgumentError, parse_days
from bot.commands.privacy import is_out_of_date
from tips import LastTopic, is_chosen, toggle_topic

PRESSES = [
    ToggleTopic("fiber"),
    ToggleTopic("vitamin-k2_x"),
    Pause(1),
    Pause(90),
    Resume(),
    *Show,
    ConfirmDelete(1_772_440_000),
    CancelDelete(),
    RemoveChannel(-1001234567890),
    RemoveChannel(-1009999999999999),  # the longest id Telegram's 52 bits allow
    CountryPage("US", 0),
    CountryPage("RU", 99),
]


@pytest.mark.parametrize("press", PRESSES, ids=str)
def test_every_press_survives_the_round_trip_within_64_bytes(press):
    data = press_data(press)
    assert parse_press(data) == press
    assert len(data.encode()) <= MAX_DATA
    assert parse_tip_press(data) is None  # never mistaken for a tip's button


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "v1",
        "v1:",
        "v2:pause:7",  # a later version this one does not know
        "v1:pause:0",
        "v1:pause:91",
        "v1:pause:seven",
        "v1:pause:٣",  # a digit, but not an ASCII one
        "v1:pause:-1",
        "v1:resume:now",
        "v1:topic:",
        "v1:topic:Fiber Topic",
        "v1:topic:" + "x" * 41,
        "v1:set:other",
        "v1:del:yes",
        "v1:del:yes:soon",
        "v1:del:maybe",
        "v1:fb:up:t1",  # the other buttons' data: not a preference
        "source:t1",
        "v1:topic:" + "é" * 30,  # over 64 bytes
        "v1:chan:rm:",
        "v1:chan:rm:42",  # a private chat, not a channel
        "v1:chan:rm:-4242",  # a basic group
        "v1:chan:add:-1001234567890",
        "v1:chan:rm:-1001234567890:x",
    ],
)
def test_stale_or_forged_data_reads_as_nothing(data):
    assert parse_press(data) is None


def test_the_handler_pattern_matches_exactly_the_presses_kinds():
    import re

    assert all(re.match(PRESS_PATTERN, press_data(press)) for press in PRESSES)
    assert not re.match(PRESS_PATTERN, "v1:fb:up:t1")
    assert not re.match(PRESS_PATTERN, "v1:topics")


def test_topic_toggles_tick_the_chosen_ones_and_lead_back_to_settings(library):
    markup = topics_keyboard(library.topics, frozenset({"fiber"}))
    labels = [row[0].text for row in markup.inline_keyboard]
    assert labels[0] == "✅ 🌾 Fiber & prebiotics"
    assert labels[1].startswith("▫️ ") and labels[-1] == "⚙️ Settings"
    everything = topics_keyboard(library.topics, None)
    assert all(row[0].text.startswith("✅") for row in everything.inline_keyboard[:-1])


def test_settings_buttons_offer_pause_or_resume_only_to_a_subscription():
    def data(markup):
        return [button.callback_data for row in markup.inline_keyboard for button in row]

    assert "v1:pause:7" in data(settings_keyboard(subscribed=True, paused=False))
    assert "v1:resume" in data(settings_keyboard(subscribed=True, paused=True))
    unsubscribed = data(settings_keyboard(subscribed=False, paused=False))
    assert unsubscribed == ["v1:set:topics", "v1:set:time", "v1:set:tz"]
    assert data(delete_keyboard(123)) == ["v1:del:yes:123", "v1:del:no"]


ALL = ("fiber", "k2", "avoid")


def test_toggling_a_topic_off_and_on_again():
    assert toggle_topic(None, "k2", ALL) == frozenset({"fiber", "avoid"})
    assert toggle_topic(frozenset({"fiber"}), "k2", ALL) == frozenset({"fiber", "k2"})
    assert toggle_topic(frozenset({"fiber", "avoid"}), "k2", ALL) is None  # all on: "all"


def test_the_last_topic_stays_on():
    with pytest.raises(LastTopic):
        toggle_topic(frozenset({"fiber"}), "fiber", ALL)


def test_topics_gone_from_the_library_are_dropped_from_a_choice():
    assert toggle_topic(frozenset({"retired", "fiber"}), "k2", ALL) == frozenset({"fiber", "k2"})
    assert is_chosen(None, "anything") and not is_chosen(frozenset({"k2"}), "fiber")


def test_a_chats_daily_pool_is_its_topics_or_everything(library):
    assert library.tips_for(None) == library.tips
    assert {tip.topic for tip in library.tips_for(["k2", "fiber"])} == {"k2", "fiber"}
    assert library.tips_for(["retired"]) == library.tips


@pytest.mark.parametrize("text,expected", [("", 7), (" 3 ", 3), ("90", 90), ("1", 1)])
def test_pause_days(text, expected):
    assert parse_days(text, 7, 90) == expected


@pytest.mark.parametrize("text", ["0", "91", "-2", "two", "3 days", "1.5", "٣"])
def test_bad_pause_days_explain_the_range(text):
    with pytest.raises(ArgumentError, match="a number of days from 1 to 90"):
        parse_days(text, 7, 90)


ISSUED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_confirmation_is_good_for_ten_minutes_and_not_after_a_new_start():
    assert not is_out_of_date(ISSUED, ISSUED + timedelta(minutes=10), ISSUED - timedelta(days=3))
    assert not is_out_of_date(ISSUED, ISSUED, None)
    assert is_out_of_date(ISSUED, ISSUED + timedelta(minutes=10, seconds=1), None)
    assert is_out_of_date(ISSUED, ISSUED + timedelta(minutes=1), ISSUED + timedelta(seconds=30))
    assert is_out_of_date(ISSUED + timedelta(hours=1), ISSUED, None)  # from the future: forged
