"""Plain-text counts for curators: tips per topic, findings and main sources (against their
caps), tips per reference, and readers' 👍/👎.

The votes live in the bot's database, which this package does not read: whoever can read it
passes them in as `Feedback` (`gutbone-bot tips stats --database PATH` does).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from tips.model import Library
from tips.repeats import MAX_FINDING, MAX_MAIN_SOURCE

# 👍 and 👎 per tip id, as counted by the bot (one vote per chat and tip).
Feedback = Mapping[str, tuple[int, int]]


class FeedbackUnreadable(Exception):
    """The readers' votes could not be read; the message says where and why."""


def render_stats(library: Library, feedback: Feedback | None = None) -> str:
    """The tables, separated by a blank line; the votes' table only when `feedback` is given."""
    tables = [
        topic_table(library),
        finding_table(library),
        main_source_table(library),
        reference_table(library),
    ]
    if feedback is not None:
        tables.append(feedback_table(library, feedback))
    return "\n\n".join(tables)


def feedback_table(library: Library, feedback: Feedback) -> str:
    """👍 and 👎 per voted tip, the most disliked first (the ones to rewrite), then a count
    of the tips nobody voted on; flags votes for tips no longer in the library."""
    known = {tip.id for tip in library.tips}
    voted = [(tip_id, up, down) for tip_id, (up, down) in feedback.items() if up or down]
    voted.sort(key=lambda row: (row[1] - row[2], -row[2], row[0]))
    rows = [
        (tip_id, str(up), str(down), "" if tip_id in known else "not in the library")
        for tip_id, up, down in voted
    ]
    silent = len(known - {row[0] for row in voted})
    table = _table(("tip", "👍", "👎", ""), rows)
    return f"{table}\n{silent} tip(s) without votes"


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


def finding_table(library: Library) -> str:
    """Tips telling each finding, most told first; flags findings told too often."""
    counts = Counter(tip.finding for tip in library.tips)
    return _counted("finding", counts, MAX_FINDING)


def main_source_table(library: Library) -> str:
    """Tips whose main (first-cited) source each reference is, most first; flags the overused."""
    counts = Counter(tip.refs[0] for tip in library.tips if tip.refs)
    return _counted("main source", counts, MAX_MAIN_SOURCE)


def _counted(name: str, counts: Counter[str], limit: int) -> str:
    ranked = sorted(counts, key=lambda key: (-counts[key], key))
    rows = [(key, str(counts[key]), _over(counts[key], limit)) for key in ranked]
    return _table((name, "tips", ""), rows)


def _over(count: int, limit: int) -> str:
    return f"over {limit}" if count > limit else ""


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
