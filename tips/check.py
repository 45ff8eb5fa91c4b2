"""Checks on the library as a whole, beyond what the loader checks tip by tip.

Each check is a pure function from loaded values to a list of `Problem`; `check_library`
runs the loader and all of them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from difflib import SequenceMatcher
from itertools import combinations
from pathlib import Path
from typing import Any

import yaml

from tips.loader import LIBRARY_DIR, Problem, read_library
from tips.markup import visible_text
from tips.model import Library, Tip
from tips.plants import PLANTS_FILE, read_plants
from tips.render import render_evidence, render_sources, render_tip, render_tip_with_evidence
from tips.repeats import (
    finding_problems,
    hedge_problems,
    main_source_problems,
    repeated_figure_problems,
)
from tips.sync import BibliographyError, SharedBibliography, load_shared

MAX_MESSAGE = 4096  # Telegram's limit on a message's visible text
MAX_TEXT_WORDS = 50  # the tip under its headline: read on a phone without scrolling
MAX_EVIDENCE_WORDS = 90  # the study, its numbers and limits, behind 🔎 Why?
SIMILARITY_THRESHOLD = 0.6  # word-sequence ratio; the shipped library stays well below
REFERENCES_FILE = "references.yaml"
TOPICS_FILE = "topics.yaml"
SYNC_HINT = "run `python -m tips sync-references`"
_WORD = re.compile(r"\w+")


def check_library(
    root: Path = LIBRARY_DIR, shared: Path | None = None
) -> tuple[Library, list[Problem]]:
    """The library at `root` and every problem in it, compared with `shared` when given."""
    library, problems = read_library(root)
    problems += word_limit_problems(library.tips)
    problems += message_problems(library)
    problems += near_duplicate_problems(library.tips)
    problems += topic_minimum_problems(library)
    problems += uncited_reference_problems(library)
    years = {ref.id: ref.year for ref in library.references.values() if ref.year}
    problems += repeated_figure_problems(library.tips, years)
    problems += finding_problems(library.tips)
    problems += main_source_problems(library.tips)
    problems += hedge_problems(library.tips)
    if (root / PLANTS_FILE).exists():  # the /plants list ships beside the tips
        problems += read_plants(root / PLANTS_FILE)[1]
    if shared is not None:
        problems += shared_problems(root / REFERENCES_FILE, shared)
    return library, problems


def summary(library: Library, problems: Sequence[Problem]) -> str:
    """One line: tips per topic against its minimum, then the number of problems."""
    counts = Counter(tip.topic for tip in library.tips)
    topics = ", ".join(f"{t.id} {counts[t.id]}/{t.minimum}" for t in library.topics)
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{_tips(len(library.tips))} ({topics}); {len(problems)} {noun}"


def _tips(count: int) -> str:
    return f"{count} tip" if count == 1 else f"{count} tips"


def word_count(text: str) -> int:
    """Words a reader sees in Telegram HTML: runs between spaces with a letter or digit in them
    ("3.1%" is one word, a dash standing alone is none)."""
    return sum(1 for run in visible_text(text).split() if any(ch.isalnum() for ch in run))


def word_limit_problems(tips: Sequence[Tip]) -> list[Problem]:
    """`text` at most 50 words, `evidence` at most 90."""
    problems = []
    for tip in tips:
        for name, html, limit in (
            ("text", tip.text, MAX_TEXT_WORDS),
            ("evidence", tip.evidence, MAX_EVIDENCE_WORDS),
        ):
            if (count := word_count(html)) > limit:
                problems.append(
                    Problem(tip.source_file, tip.id, f"{name} is {count} words, at most {limit}")
                )
    return problems


MESSAGES = (
    ("rendered message", render_tip),
    ("message with its evidence", render_tip_with_evidence),
    ("evidence message", render_evidence),
    ("sources message", render_sources),
)


def message_problems(library: Library) -> list[Problem]:
    """Each tip as sent, with its evidence, and its sources must fit Telegram's 4096 characters."""
    problems = []
    for tip in library.tips:
        for name, render in MESSAGES:
            length = len(visible_text(render(tip, library)))
            if length > MAX_MESSAGE:
                message = f"{name} is {length} characters, at most {MAX_MESSAGE}"
                problems.append(Problem(tip.source_file, tip.id, message))
    return problems


def words(text: str) -> list[str]:
    """The visible text of Telegram HTML as lower-case words, punctuation dropped."""
    return _WORD.findall(visible_text(text).casefold())


def similar_pairs(
    tips: Sequence[Tip], threshold: float = SIMILARITY_THRESHOLD
) -> Iterator[tuple[float, Tip, Tip]]:
    """Pairs of tips whose visible words score at least `threshold` on difflib's ratio (0-1)."""
    texts = {tip.id: words(tip.text) for tip in tips}
    for first, second in combinations(tips, 2):
        matcher = SequenceMatcher(None, texts[first.id], texts[second.id], autojunk=False)
        if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
            continue  # both are upper bounds of ratio(), and much cheaper
        score = matcher.ratio()
        if score >= threshold:
            yield score, first, second


def near_duplicate_problems(
    tips: Sequence[Tip], threshold: float = SIMILARITY_THRESHOLD
) -> list[Problem]:
    """Tips that say nearly the same thing; reported on the later tip of each pair."""
    return [
        Problem(
            second.source_file,
            second.id,
            f"text is a near-duplicate of {first.id} ({first.source_file}), similarity {score:.2f}",
        )
        for score, first, second in similar_pairs(tips, threshold)
    ]


def topic_minimum_problems(library: Library) -> list[Problem]:
    """Topics with fewer tips than the curator's minimum in topics.yaml."""
    counts = Counter(tip.topic for tip in library.tips)
    return [
        Problem(
            TOPICS_FILE,
            topic.id,
            f"{_tips(counts[topic.id])}, below its minimum of {topic.minimum}",
        )
        for topic in library.topics
        if counts[topic.id] < topic.minimum
    ]


def uncited_reference_problems(library: Library) -> list[Problem]:
    """References no tip cites: the file should hold exactly the cited entries."""
    cited = {ref for tip in library.tips for ref in tip.refs}
    return [
        Problem(REFERENCES_FILE, ref, f"not cited by any tip ({SYNC_HINT})")
        for ref in library.references
        if ref not in cited
    ]


def shared_problems(references_file: Path, shared_file: Path) -> list[Problem]:
    """Compare the library's references.yaml with the shared bibliography at `shared_file`."""
    try:
        shared = load_shared(shared_file)
    except BibliographyError as exc:
        return [Problem(str(exc.path), None, exc.reason)]
    return reference_problems(_raw_references(references_file), shared)


def reference_problems(entries: Sequence[Any], shared: SharedBibliography) -> list[Problem]:
    """Each library entry must be a verified shared entry, copied field for field."""
    problems: list[Problem] = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("id"):
            continue  # the loader has reported it
        ref = str(entry["id"])
        problems.extend(
            Problem(REFERENCES_FILE, ref, message) for message in _entry_problems(entry, shared)
        )
    return problems


def _entry_problems(entry: Mapping[str, Any], shared: SharedBibliography) -> list[str]:
    ref = str(entry["id"])
    if ref in shared.partially_verified:
        return ["only partially verified in the shared bibliography: never cite it"]
    original = shared.verified.get(ref)
    if original is None:
        return ["not in the verified list of the shared bibliography"]
    keys = list(dict.fromkeys([*original, *entry]))
    return [
        f"field {key!r} differs from the shared bibliography ({SYNC_HINT})"
        for key in keys
        if entry.get(key) != original.get(key)
    ]


def _raw_references(path: Path) -> list[Any]:
    """The entries of the library's references.yaml as written; [] if unreadable."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return []  # the loader has reported it
    entries = document.get("references") if isinstance(document, dict) else None
    return entries if isinstance(entries, list) else []
