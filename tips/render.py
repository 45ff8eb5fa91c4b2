"""A tip as the Telegram HTML message a subscriber reads, source line included."""

from __future__ import annotations

from html import escape

from tips.model import Library, Reference, Tip


def render_tip(tip: Tip, library: Library) -> str:
    """Headline, the tip, and one line per cited source."""
    topic = library.topic(tip.topic)
    emoji = f"{topic.emoji} " if topic else ""
    sources = [library.references[ref] for ref in tip.refs if ref in library.references]
    lines = [f"{emoji}<b>{escape(tip.title)}</b>", "", tip.text, ""]
    lines.extend(f"📚 {render_citation(reference)}" for reference in sources)
    return "\n".join(lines).rstrip()


def render_citation(reference: Reference) -> str:
    """`Lucas S et al., 2018, Nature Communications`, linked where the source has a link."""
    who = escape(reference.first_author)
    if reference.year:
        who = f"{who}, {reference.year}"
    if reference.link:
        who = f'<a href="{escape(reference.link)}">{who}</a>'
    return f"{who}, <i>{escape(reference.journal)}</i>"
