"""The README fits, and what it shows works: tokens of a valid shape, links that lead
somewhere, the engineering detail in `docs/`, plural forms right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.service.config import _TOKEN

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "docs").glob("*.md")}


def test_the_readme_fits_in_250_lines():
    assert len(README.splitlines()) <= 250


@pytest.mark.parametrize(
    "name", ["reliability.md", "performance.md", "scaling.md", "operations.md", "usage.md"]
)
def test_the_detail_lives_in_docs_and_the_readme_links_it(name):
    assert name in DOCS
    assert f"(docs/{name}" in README


def test_every_example_token_has_a_shape_the_bot_accepts():
    shown = re.findall(r"TELEGRAM_BOT_TOKEN=([^\s`]+)", README + "".join(DOCS.values()))
    assert shown
    for token in shown:
        assert _TOKEN.match(token), token


def test_every_relative_link_leads_to_a_file():
    for name, text in {"README.md": README, **{f"docs/{n}": t for n, t in DOCS.items()}}.items():
        base = (ROOT / name).parent
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
            assert (base / target).exists(), (name, target)


def test_no_number_one_with_a_plural_noun():
    for text in [README, *DOCS.values()]:
        assert not re.search(r"\b1 (subscribers|backups|tips|references|problems)\b", text)
