"""Checks for repetition that word similarity cannot see.

A subscriber who reads one tip a day should not meet the same finding over and over, the same
study's same number twice, the same few studies behind most tips, or the same hedge in every
other message. Tips that say one finding in different words score low on difflib, so these
checks look at what the tips declare (`finding:`), cite and state instead, in their text and
their evidence alike. Each is a pure function from tips to a list of `Problem`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import combinations

from tips.loader import Problem
from tips.markup import visible_text
from tips.model import Tip

MAX_MAIN_SOURCE = 5  # tips whose first-cited reference is the same study
MAX_FINDING = 3  # tips telling the same finding
TIPS_DIR = "tips"
REFERENCES_FILE = "references.yaml"
# Hedges a reader notices when they recur: at most this many tips may use each. Safety
# lines (warfarin, weakened immunity, osteoporosis medicine) are left out on purpose:
# they must be repeated wherever they apply.
HEDGE_LIMITS: Mapping[str, int] = {
    "build up gradually": 5,
    "with water": 5,
    "not proof": 5,
    "an observational link": 4,
    "no one has shown": 3,
    "is not the same as": 3,
}
# A number standing alone, not the 2 of "K2", the 7 of "MK-7" or the 25 of "25Mg".
_FIGURE = re.compile(r"(?<![\w-])\d+(?:[.,]\d+)*%?(?!\w|[.,]\d)")
# The level of a confidence interval ("95% CI"): a convention, not a finding's figure.
_INTERVAL_LEVEL = re.compile(r"(?<![\w.,])\d+(?:\.\d+)?\s?%(?=\s*(?:CI|confidence)\b)")
_WORD = re.compile(r"\w+")


def figures(text: str) -> frozenset[str]:
    """The number tokens of a tip's visible text as written: "4,778", "30%", "1.5"; the
    level of a confidence interval ("95% CI") is left out."""
    return frozenset(_FIGURE.findall(_INTERVAL_LEVEL.sub(" ", visible_text(text))))


def told(tip: Tip) -> str:
    """All a tip tells, text and evidence: where repeats are looked for."""
    return f"{tip.text}\n{tip.evidence}"


def repeated_figure_problems(
    tips: Sequence[Tip], years: Mapping[str, int] | None = None
) -> list[Problem]:
    """Two tips citing one reference and stating one figure, in their text or evidence, tell
    the same finding twice. The year a shared reference was published (`years`, by reference
    id) is no finding: "a 2017 review" may be named by every tip citing it.

    Reported on the later tip, unless either is marked `follows:` the other, or both declare
    the same `finding:` (openly the same finding, which `finding_problems` caps).
    """
    stated = {tip.id: figures(told(tip)) for tip in tips}
    problems = []
    for first, second in combinations(tips, 2):
        shared = [ref for ref in first.refs if ref in second.refs]
        published = {str(years[ref]) for ref in shared if years and ref in years}
        same = (stated[first.id] & stated[second.id]) - published
        if shared and same and not _follow_up(first, second) and first.finding != second.finding:
            message = (
                f"states {', '.join(sorted(same))} and cites {', '.join(shared)} like "
                f"{first.id} ({first.source_file}): reword, or mark one `follows:` the other"
            )
            problems.append(Problem(second.source_file, second.id, message))
    return problems


def _follow_up(first: Tip, second: Tip) -> bool:
    return first.follows == second.id or second.follows == first.id


def finding_problems(tips: Sequence[Tip], limit: int = MAX_FINDING) -> list[Problem]:
    """No finding may be told by more than `limit` tips: keep the best-told, merge the rest."""
    tellers: dict[str, list[str]] = {}
    for tip in tips:
        tellers.setdefault(tip.finding, []).append(tip.id)
    return [
        Problem(TIPS_DIR, finding, f"told by {len(ids)} tips, at most {limit}: {', '.join(ids)}")
        for finding, ids in tellers.items()
        if len(ids) > limit
    ]


def main_source_problems(tips: Sequence[Tip], limit: int = MAX_MAIN_SOURCE) -> list[Problem]:
    """No reference may be the main (first-cited) source of more than `limit` tips.

    Only `refs[0]` counts, so a safety line citing a fact sheet goes after the main source.
    """
    mains: dict[str, list[str]] = {}
    for tip in tips:
        if tip.refs:
            mains.setdefault(tip.refs[0], []).append(tip.id)
    return [
        Problem(
            REFERENCES_FILE,
            ref,
            f"main (first-cited) source of {len(ids)} tips, at most {limit}: {', '.join(ids)}",
        )
        for ref, ids in mains.items()
        if len(ids) > limit
    ]


def hedge_problems(tips: Sequence[Tip], limits: Mapping[str, int] = HEDGE_LIMITS) -> list[Problem]:
    """A hedge phrase in more tips (text or evidence) than its limit: vary it."""
    texts = {tip.id: _phrase_text(told(tip)) for tip in tips}
    problems = []
    for hedge, limit in limits.items():
        phrase = _phrase_text(hedge)
        users = [tip.id for tip in tips if phrase in texts[tip.id]]
        if len(users) > limit:
            listed = ", ".join(users)
            message = f"hedge {hedge!r} is in {len(users)} tips, at most {limit}: {listed}"
            problems.append(Problem(TIPS_DIR, None, message))
    return problems


def _phrase_text(text: str) -> str:
    """Lower-case visible words between single spaces, padded so phrases match whole words."""
    return f" {' '.join(_WORD.findall(visible_text(text).casefold()))} "
