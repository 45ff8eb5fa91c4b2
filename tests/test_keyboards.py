"""The buttons under a tip: their layout, and reading their callback data back (pure)."""

import pytest

from bot.commands.buttons.keyboards import (
    MAX_TIP_ID,
    Action,
    Press,
    keyboard_tip_ids,
    parse_press,
    press_data,
    tip_keyboard,
)


def datas(markup) -> list[str]:
    return [button.callback_data for row in markup.inline_keyboard for button in row]


def texts(markup) -> list[list[str]]:
    return [[button.text for button in row] for row in markup.inline_keyboard]


def every_button_fits_and_round_trips(library):
    for tip in library.tips:
        markup = tip_keyboard(tip.id, vote=1, done=True)
        for data in datas(markup):
            assert len(data.encode()) <= 64, (tip.id, data)
            assert parse_press(data).tip_id == tip.id
        assert {parse_press(data).action for data in datas(markup)} == set(Action)


def test_every_button_of_every_test_tip_fits_in_64_bytes_and_round_trips(library):
    every_button_fits_and_round_trips(library)


def test_every_button_of_every_shipped_tip_fits_in_64_bytes_and_round_trips(shipped):
    every_button_fits_and_round_trips(shipped)  # fails until the shipped tips have a kind


def test_the_longest_possible_tip_id_fits_every_button():
    longest = "fiber-" + "a" * (MAX_TIP_ID - 6)  # as long as the library allows
    assert len(longest) == MAX_TIP_ID
    for data in datas(tip_keyboard(longest)):
        assert len(data.encode()) <= 64
        assert parse_press(data) is not None


def test_the_keyboard_layout_and_its_chosen_states():
    assert texts(tip_keyboard("k2-a")) == [
        ["👍", "👎", "✅ Did it"],
        ["🔎 Why?", "Another tip", "📚 Source"],
    ]
    assert texts(tip_keyboard("k2-a", vote=1))[0] == ["👍 ✓", "👎", "✅ Did it"]
    assert texts(tip_keyboard("k2-a", vote=-1, done=True))[0] == ["👍", "👎 ✓", "✅ Done today"]


def test_an_insight_has_no_check_in_and_a_shown_evidence_no_why():
    assert texts(tip_keyboard("k2-a", did=False, done=True)) == [
        ["👍", "👎"],
        ["🔎 Why?", "Another tip", "📚 Source"],
    ]
    assert texts(tip_keyboard("k2-a", why=False))[1] == ["Another tip", "📚 Source"]
    assert Action.DID not in {parse_press(d).action for d in datas(tip_keyboard("k2-a", did=False))}


def test_the_why_button_round_trips():
    assert press_data(Action.WHY, "k2-natto") == "v1:why:k2-natto"
    assert parse_press("v1:why:k2-natto") == Press(Action.WHY, "k2-natto")


@pytest.mark.parametrize(
    ("data", "press"),
    [
        ("v1:fb:+:fiber-oats", Press(Action.UP, "fiber-oats")),
        ("v1:fb:-:fiber-oats", Press(Action.DOWN, "fiber-oats")),
        ("v1:did:k2-natto", Press(Action.DID, "k2-natto")),
        ("v1:more:k2-natto", Press(Action.ANOTHER, "k2-natto")),
        ("v1:src:k2-natto", Press(Action.SOURCE, "k2-natto")),
        ("source:k2-natto", Press(Action.SOURCE, "k2-natto")),  # buttons from before v1
    ],
)
def test_known_data_parses(data, press):
    assert parse_press(data) == press


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "source:",
        "sourcefiber",
        "v2:fb:+:fiber-oats",  # a version this one does not know
        "v1:like:fiber-oats",  # an unknown action
        "v1:fb:*:fiber-oats",
        "v1:fb:+:",
        "v1:fb:+:Fiber_Oats",  # not a tip id
        "v1:fb:+:fiber-oats:extra",
        "v1:did:../../etc",
        "v1:src:" + "a" * 49,  # longer than any tip id
        "source:" + "a" * 60,  # over 64 bytes
        "v1:did:fïber",  # non-ASCII
        "vote:up",
    ],
)
def test_anything_else_is_not_a_press(data):
    assert parse_press(data) is None


def test_keyboard_tip_ids_reads_the_tips_a_message_offers():
    assert keyboard_tip_ids(tip_keyboard("k2-a")) == {"k2-a"}
    assert keyboard_tip_ids(None) == set()
