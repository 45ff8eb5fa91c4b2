"""Plain-text counts for curators: tips per topic, and tips per reference."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from tips.model import Library


def render_stats(library: Library) -> str:
    """Both tables, separated by a blank line."""
    return f"{topic_table(library)}\n\n{reference_table(library)}"


def topic_table(library: Library) -> str:
    """Tips per topic with the topic's minimum, flagging topics below it, then the total."""
    counts = Counter(tip.topic for tip in library.tips)
    rows = [
        (
            topic.id,
            str(counts[topic.id]),
            str(topic.minimum),
            _short(counts[topic.id], topic.minimum),
        )
        for topic in library.topics
    ]
    rows.append(("total", str(len(library.tips)), str(sum(t.minimum for t in library.topics)), ""))
    return _table(("topic", "tips", "minimum", ""), rows)


def reference_table(library: Library) -> str:
    """Tips citing each reference, most cited first; flags missing and uncited references."""
    counts = Counter(ref for tip in library.tips for ref in set(tip.refs))
    ids = sorted(counts.keys() | library.references.keys(), key=lambda ref: (-counts[ref], ref))
    rows = [(ref, str(counts[ref]), _flag(ref, counts[ref], library)) for ref in ids]
    return _table(("reference", "tips", ""), rows)


def _short(count: int, minimum: int) -> str:
    return "below minimum" if count < minimum else ""


def _flag(ref: str, count: int, library: Library) -> str:
    if ref not in library.references:
        return "not in references.yaml"
    return "" if count else "not cited"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Align columns: the first to the left, numbers to the right, a free-text note last."""
    lines = [header, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(_row(line, widths) for line in lines)


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    first, *numbers, note = cells
    parts = [first.ljust(widths[0])]
    parts += [cell.rjust(width) for cell, width in zip(numbers, widths[1:-1], strict=True)]
    return "  ".join([*parts, note]).rstrip()
