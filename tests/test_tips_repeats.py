"""The repetition checks: each fails on a library built to break it, the shipped one passes."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import TEST_LIBRARY
from tips import Kind, Library, Problem, Tip, read_library
from tips.check import check_library
from tips.repeats import (
    HEDGE_LIMITS,
    MAX_FINDING,
    MAX_MAIN_SOURCE,
    figures,
    finding_problems,
    hedge_problems,
    main_source_problems,
    repeated_figure_problems,
)

REF = "ikeda2006_jnutr"
OTHER = "kojima2020_jnutr"
FACT_SHEET = "ods_vitamin_k_hp"
NATTO = "In a Japanese study of <b>944</b> women, natto went with 3.1% less bone loss."
NATTO_AGAIN = "Natto again: the 944 women of Japan, who lost less bone at the hip."
OATS = "Swap white toast for a bowl of oats with a grated apple stirred in."


def tip(
    tip_id: str,
    text: str,
    *refs: str,
    follows: str | None = None,
    evidence: str = "A study.",
    finding: str | None = None,
) -> Tip:
    """A k2 tip telling a finding of its own unless `finding` is given."""
    cited = refs or (REF,)
    return Tip(
        tip_id,
        "k2",
        "T",
        text,
        cited,
        "tips/k2.yaml",
        follows=follows,
        kind=Kind.ACTION,
        finding=finding or f"{cited[0]}/{tip_id}",
        evidence=evidence,
    )


# --- Figures -----------------------------------------------------------------------------


def test_figures_are_number_tokens_of_the_visible_text() -> None:
    text = 'In <a href="https://x.org/1999">4,778 of 73,684</a> women: 30% and 1.5, 3.1–3.9%.'
    assert figures(text) == {"4,778", "73,684", "30%", "1.5", "3.1", "3.9%"}


def test_figures_skip_digits_inside_names() -> None:
    assert figures("Vitamin K2 as MK-7, or K1 from greens; 25Mg was traced.") == set()


def test_figures_skip_the_level_of_a_confidence_interval() -> None:
    text = "RR 1.26 (95% CI 1.17–1.37); 95 % confidence interval 0.8 to 1.1; 95% of women."
    assert figures(text) == {"1.26", "1.17", "1.37", "0.8", "1.1", "95%"}


def test_the_year_a_shared_reference_was_published_is_no_repeat() -> None:
    first = tip("k2-a", OATS, evidence="A 2006 Japanese study of 944 women.")
    second = tip("k2-b", "Try natto.", evidence="The 2006 study also saw 944 women.")
    third = tip("k2-c", "Tofu too.", evidence="The 2006 study, on tofu.")
    years = {REF: 2006, OTHER: 2020}
    assert [
        p.message.split(" like ")[0]
        for p in repeated_figure_problems([first, second, third], years)
    ] == [f"states 944 and cites {REF}"]
    assert len(repeated_figure_problems([first, second, third])) == 3  # without the years


def test_same_reference_and_figure_is_reported_on_the_later_tip() -> None:
    first, second = tip("k2-natto-a", NATTO), tip("k2-natto-b", NATTO_AGAIN)
    assert repeated_figure_problems([first, tip("k2-oats", OATS), second]) == [
        Problem(
            "tips/k2.yaml",
            "k2-natto-b",
            f"states 944 and cites {REF} like k2-natto-a (tips/k2.yaml): "
            "reword, or mark one `follows:` the other",
        )
    ]


def test_same_figure_from_different_references_is_fine() -> None:
    assert repeated_figure_problems([tip("k2-a", NATTO), tip("k2-b", NATTO_AGAIN, OTHER)]) == []


def test_a_shared_fact_sheet_counts_as_a_shared_reference() -> None:
    tips = [tip("k2-a", NATTO, REF, FACT_SHEET), tip("k2-b", NATTO_AGAIN, OTHER, FACT_SHEET)]
    assert [p.message.split(" like ")[0] for p in repeated_figure_problems(tips)] == [
        f"states 944 and cites {FACT_SHEET}"
    ]


@pytest.mark.parametrize("follower", ["first", "second"])
def test_a_marked_follow_up_may_repeat_the_figure(follower: str) -> None:
    first = tip("k2-a", NATTO, follows="k2-b" if follower == "first" else None)
    second = tip("k2-b", NATTO_AGAIN, follows="k2-a" if follower == "second" else None)
    assert repeated_figure_problems([first, second]) == []


def test_following_a_third_tip_does_not_excuse_a_repeat() -> None:
    tips = [tip("k2-a", NATTO), tip("k2-b", NATTO_AGAIN, follows="k2-oats"), tip("k2-oats", OATS)]
    assert [p.tip_id for p in repeated_figure_problems(tips)] == ["k2-b"]


def test_a_figure_repeated_between_two_evidences_is_a_repeat() -> None:
    first = tip("k2-a", OATS, evidence=NATTO)
    second = tip("k2-b", "Try natto tonight.", evidence=NATTO_AGAIN)
    assert [p.message.split(" like ")[0] for p in repeated_figure_problems([first, second])] == [
        f"states 944 and cites {REF}"
    ]


def test_a_figure_in_one_text_and_another_evidence_is_a_repeat() -> None:
    first, second = tip("k2-a", NATTO), tip("k2-b", OATS, evidence=NATTO_AGAIN)
    assert [p.tip_id for p in repeated_figure_problems([first, second])] == ["k2-b"]


def test_tips_declaring_the_same_finding_may_share_its_figures() -> None:
    same = f"{REF}/natto-hip-bone-loss"
    first, second = tip("k2-a", NATTO, finding=same), tip("k2-b", NATTO_AGAIN, finding=same)
    assert repeated_figure_problems([first, second]) == []
    other = tip("k2-c", NATTO_AGAIN, finding=f"{REF}/natto-spine")
    assert [p.tip_id for p in repeated_figure_problems([first, second, other])] == ["k2-c", "k2-c"]


# --- Findings ----------------------------------------------------------------------------


def told_by(count: int, finding: str = f"{REF}/natto-hip") -> list[Tip]:
    return [tip(f"k2-{n}", OATS, finding=finding) for n in range(count)]


def test_a_finding_may_be_told_by_three_tips() -> None:
    assert MAX_FINDING == 3
    assert finding_problems([*told_by(3), tip("k2-other", OATS)]) == []


def test_a_fourth_tip_telling_a_finding_is_reported_with_all_four() -> None:
    tips = [*told_by(4), tip("k2-other", OATS), *told_by(2, f"{OTHER}/natto-fracture")]
    listed = "k2-0, k2-1, k2-2, k2-3"
    assert finding_problems(tips) == [
        Problem("tips", f"{REF}/natto-hip", f"told by 4 tips, at most 3: {listed}")
    ]


# --- Main sources ------------------------------------------------------------------------


def test_a_reference_may_be_the_main_source_of_five_tips() -> None:
    assert MAX_MAIN_SOURCE == 5
    tips = [tip(f"k2-{n}", OATS) for n in range(MAX_MAIN_SOURCE)]
    assert main_source_problems(tips) == []


def test_a_sixth_main_source_tip_is_reported_with_all_six() -> None:
    tips = [tip(f"k2-{n}", OATS) for n in range(MAX_MAIN_SOURCE + 1)]
    listed = ", ".join(f"k2-{n}" for n in range(6))
    assert main_source_problems(tips) == [
        Problem("references.yaml", REF, f"main (first-cited) source of 6 tips, at most 5: {listed}")
    ]


def test_only_the_first_reference_is_the_main_source() -> None:
    safety_last = [tip(f"k2-{n}", OATS, OTHER, REF) for n in range(MAX_MAIN_SOURCE + 3)]
    problems = main_source_problems(safety_last)
    assert [(p.tip_id, p.message.split(":")[0]) for p in problems] == [
        (OTHER, "main (first-cited) source of 8 tips, at most 5")
    ]


# --- Hedges ------------------------------------------------------------------------------


def hedged(count: int, hedge: str) -> list[Tip]:
    return [tip(f"k2-{n}", f"Eat natto. {hedge}") for n in range(count)]


def test_a_hedge_within_its_limit_passes() -> None:
    assert hedge_problems(hedged(HEDGE_LIMITS["not proof"], "A link, <i>not proof</i>.")) == []


def test_a_hedge_over_its_limit_names_every_tip_using_it() -> None:
    tips = [*hedged(3, "Build up gradually, with water!"), tip("k2-oats", OATS)]
    listed = "k2-0, k2-1, k2-2"
    assert hedge_problems(tips, {"build up gradually": 2, "with water": 3}) == [
        Problem("tips", None, f"hedge 'build up gradually' is in 3 tips, at most 2: {listed}")
    ]


def test_a_hedge_matches_whole_words_only() -> None:
    assert hedge_problems(hedged(3, "It is not proofread."), {"not proof": 1}) == []


def test_a_hedge_in_the_evidence_counts_too() -> None:
    tips = [
        tip("k2-0", "Eat natto. Not proof."),
        tip("k2-1", OATS, evidence="One small study: <i>not proof</i>."),
        tip("k2-2", OATS),
    ]
    assert hedge_problems(tips, {"not proof": 1}) == [
        Problem("tips", None, "hedge 'not proof' is in 2 tips, at most 1: k2-0, k2-1")
    ]


# --- The loader's `follows:` field and check_library ------------------------------------


def write_library(root: Path, tips: list[dict[str, Any]]) -> Path:
    (root / "tips").mkdir(parents=True)
    shutil.copy(TEST_LIBRARY / "topics.yaml", root / "topics.yaml")
    shutil.copy(TEST_LIBRARY / "references.yaml", root / "references.yaml")
    document = {"topic": "k2", "tips": tips}
    (root / "tips" / "k2.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return root


def raw(tip_id: str, text: str = OATS, **fields: Any) -> dict[str, Any]:
    return {
        "id": tip_id,
        "title": "A title",
        "kind": "action",
        "finding": f"{REF}/{tip_id}",
        "text": text,
        "evidence": "A study.",
        "refs": [REF],
        **fields,
    }


def test_follows_is_read_into_the_tip(tmp_path: Path) -> None:
    root = write_library(tmp_path, [raw("k2-a"), raw("k2-b", NATTO, follows="k2-a")])
    library, problems = read_library(root)
    assert problems == []
    assert [t.follows for t in library.tips] == [None, "k2-a"]


@pytest.mark.parametrize(
    ("follows", "message"),
    [
        ("k2-gone", "follows 'k2-gone', which is not a tip in the library"),
        ("k2-b", "follows itself"),
        (["k2-a"], "bad tip: 'follows' must be a tip id"),
    ],
)
def test_follows_must_name_another_tip(tmp_path: Path, follows: Any, message: str) -> None:
    root = write_library(tmp_path, [raw("k2-a"), raw("k2-b", NATTO, follows=follows)])
    assert read_library(root)[1] == [Problem("tips/k2.yaml", "k2-b", message)]


def test_check_library_runs_all_four_rules(tmp_path: Path) -> None:
    tips = [raw(f"k2-{n}", f"Natto, week {n}.", evidence="944 women. Not proof.") for n in range(6)]
    tips += [raw(f"k2-same-{n}", f"Natto, day {n}.", finding=f"{REF}/same") for n in range(4)]
    _, problems = check_library(write_library(tmp_path, tips))
    messages = [p.message for p in problems]
    assert sum(m.startswith("states 944 and cites") for m in messages) == 15  # 6 choose 2
    assert sum(m.startswith("main (first-cited) source of 10 tips") for m in messages) == 1
    assert sum(m.startswith("hedge 'not proof' is in 6 tips") for m in messages) == 1
    assert sum(m.startswith("told by 4 tips, at most 3: k2-same-0,") for m in messages) == 1


# --- The shipped library (fails until the shipped tips are in the current schema) ----------


def test_shipped_library_repeats_no_figure(shipped: Library) -> None:
    years = {ref.id: ref.year for ref in shipped.references.values() if ref.year}
    assert [str(p) for p in repeated_figure_problems(shipped.tips, years)] == []


def test_shipped_library_spreads_its_main_sources(shipped: Library) -> None:
    counts = Counter(tip.refs[0] for tip in shipped.tips)
    assert max(counts.values()) <= MAX_MAIN_SOURCE


def test_shipped_library_tells_each_finding_at_most_three_times(shipped: Library) -> None:
    assert [str(p) for p in finding_problems(shipped.tips)] == []


def test_shipped_library_varies_its_hedges(shipped: Library) -> None:
    assert [str(p) for p in hedge_problems(shipped.tips)] == []
