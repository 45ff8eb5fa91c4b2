"""A tip as the Telegram HTML messages a subscriber reads: the tip, its evidence, its sources.

The daily message is short enough for a phone screen: headline, text and one source line. The
evidence (the study, its numbers, its limits) is one tap away, under 🔎 Why?, and on the
📚 Source card with every reference in full.
"""

from __future__ import annotations

from html import escape

from tips.markup import visible_text
from tips.model import Library, Reference, Tip

WHY = "🔎 Why?"  # the button, and the heading of the evidence once it is shown
SOURCE_LINE = 40  # visible characters of the short source line: one line on a phone


def render_tip(tip: Tip, library: Library) -> str:
    """Headline, the tip, and one short line naming its main source."""
    source = render_source_line(tip, library)
    lines = [_headline(tip, library), "", tip.text, *(["", source] if source else [])]
    return "\n".join(lines)


def render_tip_with_evidence(tip: Tip, library: Library) -> str:
    """The tip after 🔎 Why? was pressed: the evidence under the text, every source in full."""
    lines = [_headline(tip, library), "", tip.text, "", _evidence(tip), ""]
    lines.extend(_citations(tip, library))
    return "\n".join(lines).rstrip()


def render_evidence(tip: Tip, library: Library) -> str:
    """The evidence as a message of its own, for when the tip itself cannot be edited."""
    heading = f"🔎 <b>The evidence for</b> <i>{escape(tip.title)}</i>"
    return "\n".join([heading, "", tip.evidence, "", *_citations(tip, library)]).rstrip()


def render_source_line(tip: Tip, library: Library) -> str:
    """`📚 Lucas S et al., 2018, Nature Communications`, the journal dropped if the line would
    not fit one line of a phone, and `+1 more` when the tip cites more."""
    sources = _sources(tip, library)
    if not sources:
        return ""
    main, more = sources[0], f" +{len(sources) - 1} more" if len(sources) > 1 else ""
    who = escape(main.first_author) + (f", {main.year}" if main.year else "")
    if main.link:
        who = f'<a href="{escape(main.link)}">{who}</a>'
    full = f"📚 {who}, <i>{escape(main.journal)}</i>{more}"
    return full if len(visible_text(full)) <= SOURCE_LINE else f"📚 {who}{more}"


def render_citation(reference: Reference) -> str:
    """`Lucas S et al., 2018, Nature Communications`, linked where the source has a link."""
    who = escape(reference.first_author)
    if reference.year:
        who = f"{who}, {reference.year}"
    if reference.link:
        who = f'<a href="{escape(reference.link)}">{who}</a>'
    return f"{who}, <i>{escape(reference.journal)}</i>"


def render_sources(tip: Tip, library: Library) -> str:
    """Everything a reader needs to weigh one tip: its evidence, then each source in full."""
    entries = "\n\n".join(render_reference(reference) for reference in _sources(tip, library))
    heading = f"📚 <b>Sources for</b> <i>{escape(tip.title)}</i>"
    return f"{heading}\n\n{_evidence(tip)}\n\n{entries}"


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


def _headline(tip: Tip, library: Library) -> str:
    topic = library.topic(tip.topic)
    emoji = f"{topic.emoji} " if topic else ""
    return f"{emoji}<b>{escape(tip.title)}</b>"


def _evidence(tip: Tip) -> str:
    emoji, _, word = WHY.partition(" ")
    return f"{emoji} <b>{word}</b> {tip.evidence}"


def _citations(tip: Tip, library: Library) -> list[str]:
    return [f"📚 {render_citation(reference)}" for reference in _sources(tip, library)]


def _sources(tip: Tip, library: Library) -> list[Reference]:
    return [library.references[ref] for ref in tip.refs if ref in library.references]


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
