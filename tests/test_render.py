"""Tip messages and source messages, for every tip in the shipped library."""

import pytest

from bot.keyboards import source_tip_id, tip_keyboard
from tips import render_sources, render_tip
from tips.markup import telegram_html_problems, visible_text


def test_every_tip_renders_as_valid_html_with_its_sources(library):
    for tip in library.tips:
        for text in (render_tip(tip, library), render_sources(tip, library)):
            assert telegram_html_problems(text) == [], tip.id
            assert len(visible_text(text)) <= 4096
        assert text.count("\n\n") == len(tip.refs)


def test_tip_message_shape(library):
    tip = library.tips_in(["k2"])[0]
    text = render_tip(tip, library)
    assert text.startswith(f"🫘 <b>{tip.title}</b>\n\n{tip.text}\n\n📚 ")
    first = library.references[tip.refs[0]]
    assert first.first_author in text and first.journal in text


def test_source_button_data_fits_telegram_and_round_trips(library):
    for tip in library.tips:
        [[button]] = tip_keyboard(tip.id).inline_keyboard
        assert len(button.callback_data.encode()) <= 64
        assert source_tip_id(button.callback_data) == tip.id


@pytest.mark.parametrize("data", [None, "", "source:", "like:fiber-x", "sourcefiber"])
def test_other_button_data_is_not_a_source(data):
    assert source_tip_id(data) is None
