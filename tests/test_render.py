"""Tip messages and source messages, for every tip in the shipped library."""

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
