"""Tip messages, with and without their evidence, and source messages (pure)."""

from html import escape

import pytest

from tips import (
    WHY,
    Kind,
    Library,
    Reference,
    Tip,
    render_evidence,
    render_sources,
    render_tip,
    render_tip_with_evidence,
)
from tips.markup import telegram_html_problems, visible_text
from tips.render import SOURCE_LINE, render_source_line

RENDERS = (render_tip, render_tip_with_evidence, render_evidence, render_sources)


def every_render_is_valid(library: Library) -> None:
    for tip in library.tips:
        for render in RENDERS:
            text = render(tip, library)
            assert telegram_html_problems(text) == [], (tip.id, render.__name__)
            assert len(visible_text(text)) <= 4096


def test_every_test_tip_renders_as_valid_html(library):
    every_render_is_valid(library)


def test_every_shipped_tip_renders_as_valid_html(shipped):  # fails until the new schema lands
    every_render_is_valid(shipped)


def test_the_daily_message_is_headline_text_and_one_source_line(library):
    tip = library.tips_in(["k2"])[0]
    text = render_tip(tip, library)
    *body, source = text.split("\n")
    assert "\n".join(body) == f"🫘 <b>{tip.title}</b>\n\n{tip.text}\n"
    first = library.references[tip.refs[0]]
    assert source.startswith(f'📚 <a href="{first.link}">{first.first_author}, {first.year}</a>')
    assert source.endswith(f" +{len(tip.refs) - 1} more")
    assert tip.evidence not in text and WHY not in visible_text(text)


def reference(ref_id: str, journal: str, **fields: object) -> Reference:
    return Reference(ref_id, "Kojima A et al.", "A title", journal, **fields)


def one_tip(*refs: Reference, text: str = "Eat natto.") -> tuple[Tip, Library]:
    tip = Tip(
        "k2-natto",
        "k2",
        "Natto",
        text,
        tuple(ref.id for ref in refs),
        kind=Kind.ACTION,
        finding=f"{refs[0].id}/natto",
        evidence="A <b>15-year</b> study of 1,417 women.",
    )
    return tip, Library(topics=(), tips=(tip,), references={ref.id: ref for ref in refs})


def test_the_source_line_names_the_journal_when_it_fits_on_a_phone_line():
    tip, library = one_tip(reference("a", "J Nutr", year=2020, doi="10.1/x"))
    line = render_source_line(tip, library)
    assert line == '📚 <a href="https://doi.org/10.1/x">Kojima A et al., 2020</a>, <i>J Nutr</i>'
    assert len(visible_text(line)) <= SOURCE_LINE


@pytest.mark.parametrize(
    ("refs", "shown"),
    [
        ((reference("a", "Journal of Nutrition", year=2020),), "📚 Kojima A et al., 2020"),
        (
            (reference("a", "J Nutr Sci", year=2020), reference("b", "NIH"), reference("c", "N")),
            "📚 Kojima A et al., 2020 +2 more",
        ),
    ],
)
def test_the_source_line_drops_the_journal_rather_than_wrap(refs, shown):
    tip, library = one_tip(*refs)
    assert render_source_line(tip, library) == shown


def test_the_evidence_comes_under_the_text_with_every_source_in_full(library):
    tip = library.tips_in(["k2"])[-1]
    assert len(tip.refs) == 3
    text = render_tip_with_evidence(tip, library)
    assert text.startswith(render_tip(tip, library).rsplit("\n\n", 1)[0])
    assert f"\n\n🔎 <b>Why?</b> {tip.evidence}\n\n" in text
    cited = [line for line in text.split("\n") if line.startswith("📚 ")]
    assert [line.count("<i>") for line in cited] == [1, 1, 1]  # each with its journal
    for ref in tip.refs:
        assert library.references[ref].journal in text
    assert visible_text(text).count(WHY) == 1


def test_the_evidence_alone_names_its_tip_and_sources(library):
    tip = library.tips_in(["minerals"])[0]
    text = render_evidence(tip, library)
    assert text.startswith(
        f"🔎 <b>The evidence for</b> <i>{escape(tip.title)}</i>\n\n{tip.evidence}\n\n📚 "
    )
    assert library.references[tip.refs[0]].journal in text


def test_the_sources_card_shows_the_evidence_then_each_reference(library):
    for tip in library.tips:
        text = render_sources(tip, library)
        assert text.startswith(
            f"📚 <b>Sources for</b> <i>{escape(tip.title)}</i>\n\n🔎 <b>Why?</b> "
        )
        assert tip.evidence in text
        assert text.count("\n\n") == 1 + len(tip.refs)
        for ref in tip.refs:
            assert library.references[ref].title in text
