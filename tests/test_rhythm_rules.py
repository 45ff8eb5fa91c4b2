"""The pure rules behind a returning /start, quiet delivery, the weekend time and the welcome
that keeps its other choice: who is arriving, what is new, what the buttons carry."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardMarkup

from bot.commands import texts
from bot.commands.buttons import pickers
from bot.commands.buttons.rhythm_buttons import (
    Choice,
    DoneChoosing,
    PickWeekend,
    SetQuiet,
    ShowWeekends,
    keep_times,
    other_choice_keyboard,
    parse_rhythm_press,
    rhythm_data,
    still_open,
    weekend_keyboard,
    with_rhythm_rows,
)
from bot.commands.handlers.subscription import Arrival, arrival
from bot.commands.handlers.weekends import asks_for_weekends
from bot.commands.parsing import ArgumentError, parse_weekend_time
from scheduler.due import Schedule
from scheduler.records import Subscriber

BERLIN = Schedule(time(7, 0), ZoneInfo("Europe/Berlin"), weekend_at=time(9, 30))
NEXT = datetime(2026, 3, 7, 8, 30, tzinfo=UTC)
LEFT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CHANGES = ((date(2026, 2, 1), "old"), (date(2026, 3, 1), "same day"), (date(2026, 3, 2), "new"))


def subscriber(active: bool) -> Subscriber:
    return Subscriber(1, "private", active, BERLIN, None)


def test_who_is_arriving():
    assert arrival(None, None) is Arrival.NEW
    assert arrival(subscriber(True), None) is Arrival.SUBSCRIBED
    assert arrival(subscriber(True), LEFT) is Arrival.SUBSCRIBED  # stopped once, back since
    assert arrival(subscriber(False), LEFT) is Arrival.RETURNING
    assert arrival(subscriber(False), None) is Arrival.NEW  # stored by /time, never joined


def test_news_is_what_shipped_after_the_day_they_left():
    assert texts.news_since(LEFT, CHANGES) == ["new"]
    assert texts.news_since(datetime(2026, 3, 2, 23, 0, tzinfo=UTC), CHANGES) == []
    assert texts.news_since(None, CHANGES) == ["old", "same day", "new"]
    many = tuple((date(2026, 1, day), f"n{day}") for day in range(1, 8))
    assert texts.news_since(None, many) == ["n5", "n6", "n7"]  # the newest, at most three


def test_the_welcome_back_shows_settings_and_omits_news_when_there_is_none():
    common = {"quiet": True, "topics": (), "chosen": None}
    back = texts.render_welcome_back(BERLIN, NEXT, returning=True, news=["a", "b"], **common)
    assert back.startswith("👋 <b>Welcome back!</b> Your daily tip is on again.")
    for line in ("Daily at <b>07:00</b> (Europe/Berlin)", "🗓 Weekends at <b>09:30</b>"):
        assert line in back
    assert "🔕 Quiet delivery: on" in back and "🆕 New since you left: a; b." in back
    quiet = texts.render_welcome_back(BERLIN, NEXT, returning=False, news=[], **common)
    assert "You're subscribed." in quiet and "🆕" not in quiet


def test_settings_shows_quiet_and_the_weekend_time():
    text = texts.render_settings(BERLIN, NEXT, quiet=True)
    assert "🗓 Weekends at <b>09:30</b>" in text and "🔕 Quiet delivery: on" in text
    assert "🔔 Quiet delivery: off" in texts.render_settings(BERLIN, NEXT)


@pytest.mark.parametrize(
    "press",
    [
        SetQuiet(True),
        SetQuiet(False),
        ShowWeekends(),
        DoneChoosing(),
        PickWeekend(None),
        PickWeekend(time(0, 0)),
        PickWeekend(time(23, 59)),
    ],
)
def test_rhythm_presses_read_back_what_they_carry(press):
    assert parse_rhythm_press(rhythm_data(press)) == press


@pytest.mark.parametrize(
    "data",
    [
        *(None, "", "v1:quiet", "v1:quiet:maybe", "v2:quiet:on", "v1:wkd:24:00", "v1:wkd:9:30"),
        *("v1:wkd:09:30:00", "v1:wkd:on", "v1:done:x", "v1:quiet:on" + "x" * 64),
    ],
)
def test_forged_rhythm_presses_read_as_nothing(data):
    assert parse_rhythm_press(data) is None


def labels(keyboard: InlineKeyboardMarkup) -> list[str]:
    return [button.text for row in keyboard.inline_keyboard for button in row]


def test_settings_rows_show_the_state_and_ask_for_the_other():
    base = InlineKeyboardMarkup([])
    on = with_rhythm_rows(base, quiet=True, weekend_at=time(9, 30))
    assert labels(on) == ["✅ 🔕 Quiet delivery", "🗓 Weekends: 09:30"]
    assert on.inline_keyboard[0][0].callback_data == "v1:quiet:off"
    off = with_rhythm_rows(base, quiet=False, weekend_at=None)
    assert labels(off) == ["▫️ 🔕 Quiet delivery", "🗓 Weekends: same time"]
    assert off.inline_keyboard[0][0].callback_data == "v1:quiet:on"
    assert "Same as weekdays" in labels(weekend_keyboard())


def test_a_welcome_keeps_the_choice_not_made_yet():
    welcome = pickers.welcome_keyboard()
    assert still_open(welcome, Choice.ZONE) is Choice.TIME
    assert still_open(welcome, Choice.TIME) is Choice.ZONE
    assert still_open(pickers.regions_keyboard(), Choice.ZONE) is None  # /timezone alone
    assert still_open(pickers.times_keyboard(), Choice.TIME) is None  # /time alone
    assert still_open(None, Choice.TIME) is None
    times_left = other_choice_keyboard(Choice.TIME, "private")
    assert "✓ Done" in labels(times_left) and still_open(times_left, Choice.TIME) is None
    page = pickers.region_keyboard("Europe", 0)
    assert keep_times(page, welcome) != page and "🕗 07:00" in labels(keep_times(page, welcome))
    assert keep_times(page, pickers.regions_keyboard()) == page


def test_weekend_arguments():
    assert asks_for_weekends(["Weekends", "09:30"]) and asks_for_weekends(["we"])
    assert not asks_for_weekends(["09:30"]) and not asks_for_weekends([])
    assert parse_weekend_time(" 9:30 ") == time(9, 30)
    assert parse_weekend_time("7:30 pm") == time(19, 30)  # as /time reads times
    assert parse_weekend_time("OFF") is None and parse_weekend_time("same") is None
    with pytest.raises(ArgumentError):
        parse_weekend_time("later")


def test_the_zone_left_to_choose_keeps_its_shortcuts_and_they_count_as_a_zone_choice():
    zones_left = other_choice_keyboard(Choice.ZONE, "private")
    assert {"📍 Send my location", "🕰 Pick the time it is here", "Europe", "✓ Done"} <= set(
        labels(zones_left)
    )
    assert "📍 Send my location" not in labels(other_choice_keyboard(Choice.ZONE, "group"))
    clocks_only = InlineKeyboardMarkup([zones_left.inline_keyboard[0]])  # 📍 and 🕰 alone
    assert still_open(clocks_only, Choice.TIME) is Choice.ZONE
