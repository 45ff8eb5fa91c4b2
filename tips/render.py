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


def render_sources(tip: Tip, library: Library) -> str:
    """Everything a reader needs to find and weigh the sources of one tip."""
    sources = [library.references[ref] for ref in tip.refs if ref in library.references]
    entries = "\n\n".join(render_reference(reference) for reference in sources)
    return f"📚 <b>Sources for “{escape(tip.title)}”</b>\n\n{entries}"


def render_reference(reference: Reference) -> str:
    """Authors (year). Title. Journal volume:pages. Link. Evidence strength."""
    year = f" ({reference.year})" if reference.year else ""
    journal = f"<i>{escape(reference.journal)}</i>"
    if reference.volume_pages:  # drop curators' notes such as "(start page; ...)"
        journal = f"{journal} {escape(reference.volume_pages.split(' (')[0])}"
    lines = [f"{escape(_authors(reference))}{year}. {escape(reference.title)}. {journal}."]
    if reference.link:
        lines.append(f'<a href="{escape(reference.link)}">{escape(_link_label(reference))}</a>')
    if reference.evidence_strength:
        lines.append(f"Evidence: {escape(reference.evidence_strength)}")
    return "\n".join(lines)


def _authors(reference: Reference, shown: int = 6) -> str:
    names = [name.strip() for name in reference.authors.split(",") if name.strip()]
    if not names:
        return reference.first_author
    return ", ".join(names[:shown]) + (", et al." if len(names) > shown else "")


def _link_label(reference: Reference) -> str:
    if reference.doi:
        return f"doi:{reference.doi}"
    if reference.pmid:
        return f"PubMed {reference.pmid}"
    return "the publisher's page"
