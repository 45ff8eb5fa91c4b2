"""One kind of quote marks: the bot quotes with straight "…", as the tip library's titles do,
and never wraps a tip's title in quotes of its own (a title may hold quotes: set off in
italics instead), so `Sources for “An "osteoporosis microbiome"? Not yet”` cannot recur."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_texts import all_renders
from tips.markup import visible_text
from tips.render import render_evidence, render_sources, render_tip, render_tip_with_evidence

CURLY = "“”„‘’‚"  # the marks this test keeps out
ROOT = Path(__file__).resolve().parent.parent
# Where the bot's own words are written: every message text, and parsing's friendly errors.
WORDS = [*sorted((ROOT / "bot" / "commands" / "texts").glob("*.py")), ROOT / "tips" / "render.py"]
WORDS.append(ROOT / "bot" / "commands" / "parsing.py")


def test_the_library_titles_use_straight_quotes_only(shipped):
    curly = [tip.title for tip in shipped.tips if any(mark in tip.title for mark in CURLY)]
    assert curly == []
    assert any('"' in tip.title for tip in shipped.tips)  # so the check below has teeth


@pytest.mark.parametrize(
    "render", [render_tip, render_tip_with_evidence, render_evidence, render_sources]
)
def test_no_tip_message_mixes_quotes_or_quotes_a_title(shipped, render):
    for tip in shipped.tips:
        shown = visible_text(render(tip, shipped))
        assert not any(mark in shown for mark in CURLY), tip.id
        assert f'"{tip.title}"' not in shown and f"'{tip.title}'" not in shown, tip.id


def test_no_text_of_the_bot_uses_curly_quotes(library):
    for text in all_renders(library):
        assert not any(mark in text for mark in CURLY), text


@pytest.mark.parametrize("path", WORDS, ids=lambda path: path.name)
def test_no_module_that_writes_the_bots_words_holds_curly_quotes(path):
    source = path.read_text(encoding="utf-8")
    assert not any(mark in source for mark in CURLY), path
