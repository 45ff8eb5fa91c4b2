"""The library checker: every rule fails on a library built to break it, the shipped one passes."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import TEST_LIBRARY
from tips import LIBRARY_DIR, Kind, Library, Problem, Tip, read_library, render_tip
from tips.check import (
    MAX_EVIDENCE_WORDS,
    MAX_MESSAGE,
    MAX_TEXT_WORDS,
    SIMILARITY_THRESHOLD,
    check_library,
    message_problems,
    near_duplicate_problems,
    reference_problems,
    shared_problems,
    similar_pairs,
    summary,
    topic_minimum_problems,
    uncited_reference_problems,
    word_count,
    word_limit_problems,
)
from tips.markup import visible_text
from tips.render import render_tip_with_evidence
from tips.sync import (
    SharedBibliography,
    UnverifiedReferences,
    cited_ids,
    load_shared,
    render_references,
    select_references,
)

REF = "lucas2018_natcommun"
OATS = (
    "Swap a white-bread breakfast for a bowl of oats with a grated apple. Oats bring "
    "beta-glucan, a fibre your gut bacteria ferment into short-chain fatty acids."
)
BEANS = "Rinse a tin of chickpeas and tip it into today's salad: an easy plant protein."
EVIDENCE = "In mice, a high-fibre diet raised bone mass. Nobody has tested oats and bone."


def tip(tip_id: str, text: str = OATS, **fields: Any) -> dict[str, Any]:
    """A tip as written in YAML, every required field filled in (`fields` override)."""
    return {
        "id": tip_id,
        "title": "A title",
        "kind": "action",
        "finding": f"{REF}/{tip_id}",
        "text": text,
        "evidence": EVIDENCE,
        "refs": [REF],
        **fields,
    }


def made(tip_id: str, topic: str, title: str, text: str, **fields: Any) -> Tip:
    """A tip in memory, with a finding of its own and a short evidence unless given."""
    defaults: dict[str, Any] = {"kind": Kind.ACTION, "finding": f"{REF}/{tip_id}"}
    return Tip(tip_id, topic, title, text, (REF,), **{"evidence": EVIDENCE, **defaults, **fields})


def tip_file(topic: str, *tips: dict[str, Any]) -> str:
    return yaml.safe_dump({"topic": topic, "tips": list(tips)}, sort_keys=False)


def write_library(root: Path, files: dict[str, str], references: str | None = None) -> Path:
    """A library in `root`: the test library's topics and references, and the given tips."""
    (root / "tips").mkdir(parents=True)
    shutil.copy(TEST_LIBRARY / "topics.yaml", root / "topics.yaml")
    if references is None:
        shutil.copy(TEST_LIBRARY / "references.yaml", root / "references.yaml")
    else:
        (root / "references.yaml").write_text(references, encoding="utf-8")
    for name, text in files.items():
        (root / "tips" / name).write_text(text, encoding="utf-8")
    return root


def loader_problems(tmp_path: Path, files: dict[str, str]) -> list[Problem]:
    return read_library(write_library(tmp_path / "library", files))[1]


def library_references() -> list[dict[str, Any]]:
    return yaml.safe_load((TEST_LIBRARY / "references.yaml").read_text(encoding="utf-8"))[
        "references"
    ]


def shared_bibliography(partially_verified: tuple[str, ...] = ()) -> SharedBibliography:
    """A shared bibliography whose verified list is exactly the test library's references."""
    verified = {entry["id"]: entry for entry in library_references()}
    return SharedBibliography(verified=verified, partially_verified=frozenset(partially_verified))


# --- Structure: the loader's rules -------------------------------------------------------


def test_bad_yaml_is_reported_for_its_file(tmp_path: Path) -> None:
    problems = loader_problems(tmp_path, {"fiber.yaml": "topic: fiber\ntips: [\n"})
    assert [(p.file, p.tip_id) for p in problems] == [("tips/fiber.yaml", None)]
    assert problems[0].message.startswith("not valid YAML: ")


@pytest.mark.parametrize("field", ["title", "kind", "finding", "text", "evidence"])
def test_missing_field_names_the_tip_and_the_field(tmp_path: Path, field: str) -> None:
    broken = tip("fiber-broken")
    del broken[field]
    problems = loader_problems(tmp_path, {"fiber.yaml": tip_file("fiber", broken)})
    assert problems == [
        Problem("tips/fiber.yaml", "fiber-broken", f"bad tip: '{field}' is missing or empty")
    ]


@pytest.mark.parametrize("kind", ["Action", "advice", "actions"])
def test_kind_must_be_action_or_insight(tmp_path: Path, kind: str) -> None:
    problems = loader_problems(
        tmp_path, {"fiber.yaml": tip_file("fiber", tip("fiber-x", kind=kind))}
    )
    message = f"bad tip: 'kind' is '{kind}'; it must be one of: action, insight"
    assert problems == [Problem("tips/fiber.yaml", "fiber-x", message)]


def test_kind_is_read_into_the_tip(tmp_path: Path) -> None:
    files = {"fiber.yaml": tip_file("fiber", tip("fiber-a"), tip("fiber-b", BEANS, kind="insight"))}
    library, problems = read_library(write_library(tmp_path / "library", files))
    assert problems == []
    assert [(t.kind, t.finding, t.evidence) for t in library.tips] == [
        (Kind.ACTION, f"{REF}/fiber-a", EVIDENCE),
        (Kind.INSIGHT, f"{REF}/fiber-b", EVIDENCE),
    ]


FINDING_FORM = "must be <ref-id>/<slug>: a reference id, '/', then lower-case words joined by '-'"


@pytest.mark.parametrize(
    "finding",
    [
        "oat-beta-glucan",  # no reference
        f"{REF}/",  # no slug
        f"{REF}/Oat-Glucan",  # not lower-case
        f"{REF}/oat_glucan",  # words joined by '_'
        f"{REF}/oat--glucan",
        f"{REF}/oat glucan",
        f"{REF}/oats/glucan",
    ],
)
def test_finding_must_be_a_reference_and_a_slug(tmp_path: Path, finding: str) -> None:
    files = {"fiber.yaml": tip_file("fiber", tip("fiber-x", finding=finding))}
    assert loader_problems(tmp_path, files) == [
        Problem("tips/fiber.yaml", "fiber-x", f"finding {finding!r} {FINDING_FORM}")
    ]


def test_findings_reference_must_be_one_the_tip_cites(tmp_path: Path) -> None:
    finding = "abrams2005_ajcn/inulin-teen-calcium"  # in references.yaml, but not in its refs
    files = {"fiber.yaml": tip_file("fiber", tip("fiber-x", finding=finding))}
    message = f"finding {finding!r} names 'abrams2005_ajcn', which is not in its refs"
    assert loader_problems(tmp_path, files) == [Problem("tips/fiber.yaml", "fiber-x", message)]
    cited = tip("fiber-x", finding=finding, refs=[REF, "abrams2005_ajcn"])
    assert loader_problems(tmp_path / "again", {"fiber.yaml": tip_file("fiber", cited)}) == []


@pytest.mark.parametrize("tip_id", ["fiber-Oats", "fiber_oats", "fiber--oats", "fiber-" + "x" * 43])
def test_bad_id(tmp_path: Path, tip_id: str) -> None:
    problems = loader_problems(tmp_path, {"fiber.yaml": tip_file("fiber", tip(tip_id))})
    message = "id must be lower-case words joined by '-', at most 48 characters"
    assert Problem("tips/fiber.yaml", tip_id, message) in problems


def test_id_must_start_with_its_topic(tmp_path: Path) -> None:
    problems = loader_problems(tmp_path, {"fiber.yaml": tip_file("fiber", tip("oats-bowl"))})
    assert problems == [
        Problem("tips/fiber.yaml", "oats-bowl", "id must start with its topic, 'fiber-'")
    ]


def test_duplicate_id_across_files_names_the_first_file(tmp_path: Path) -> None:
    files = {
        "fiber.yaml": tip_file("fiber", tip("fiber-oats")),
        "more.yaml": tip_file("fiber", tip("fiber-oats", BEANS)),
    }
    assert loader_problems(tmp_path, files) == [
        Problem("tips/more.yaml", "fiber-oats", "duplicate tip id (first in tips/fiber.yaml)")
    ]


def test_unknown_topic(tmp_path: Path) -> None:
    problems = loader_problems(tmp_path, {"bananas.yaml": tip_file("bananas", tip("bananas-x"))})
    assert problems == [Problem("tips/bananas.yaml", None, "unknown topic 'bananas'")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("A <div>block</div> of text.", "text: unknown tag <div>"),
        ("A <b>bold start that never ends.", "text: unclosed tag <b>"),
        ("Salt & pepper.", "text: unescaped '&' (write &amp;)"),
    ],
)
def test_invalid_telegram_html(tmp_path: Path, text: str, message: str) -> None:
    problems = loader_problems(tmp_path, {"fiber.yaml": tip_file("fiber", tip("fiber-x", text))})
    assert problems == [Problem("tips/fiber.yaml", "fiber-x", message)]
    in_evidence = tip("fiber-x", evidence=text)
    problems = loader_problems(
        tmp_path / "evidence", {"fiber.yaml": tip_file("fiber", in_evidence)}
    )
    assert problems == [Problem("tips/fiber.yaml", "fiber-x", message.replace("text", "evidence"))]


def test_text_too_long_counts_visible_characters(tmp_path: Path) -> None:
    files = {
        "fiber.yaml": tip_file(
            "fiber", tip("fiber-long", "x" * 601), tip("fiber-ok", "&amp;" * 600)
        )
    }
    assert loader_problems(tmp_path, files) == [
        Problem("tips/fiber.yaml", "fiber-long", "text is 601 characters, at most 600")
    ]


def test_evidence_too_long_counts_visible_characters(tmp_path: Path) -> None:
    long, fits = (
        tip("fiber-long", evidence="x" * 901),
        tip("fiber-ok", BEANS, evidence="&lt;" * 900),
    )
    assert loader_problems(tmp_path, {"fiber.yaml": tip_file("fiber", long, fits)}) == [
        Problem("tips/fiber.yaml", "fiber-long", "evidence is 901 characters, at most 900")
    ]


def test_unknown_and_repeated_references(tmp_path: Path) -> None:
    cited = tip("fiber-refs", refs=[REF, "nobody2020_nowhere", REF])
    problems = loader_problems(tmp_path, {"fiber.yaml": tip_file("fiber", cited)})
    assert [p.message for p in problems] == [
        "unknown reference 'nobody2020_nowhere'",
        f"cites '{REF}' more than once",
    ]


def test_unknown_field_catches_typos(tmp_path: Path) -> None:
    typo = tip("fiber-typo", ref=["x"])
    problems = loader_problems(tmp_path, {"fiber.yaml": tip_file("fiber", typo)})
    assert problems == [Problem("tips/fiber.yaml", "fiber-typo", "unknown field 'ref'")]


# --- The library as a whole --------------------------------------------------------------


def in_memory(*tips: Tip) -> Library:
    library, _ = read_library(TEST_LIBRARY)
    return Library(topics=library.topics, tips=tips, references=library.references)


def test_rendered_message_over_telegram_limit() -> None:
    huge = made("fiber-huge", "fiber", "Huge", "y" * MAX_MESSAGE, source_file="tips/fiber.yaml")
    library = in_memory(huge)
    length = len(visible_text(render_tip(huge, library)))
    problems = [(p.file, p.tip_id, p.message) for p in message_problems(library)]
    assert (
        "tips/fiber.yaml",
        "fiber-huge",
        f"rendered message is {length} characters, at most 4096",
    ) in problems


def test_message_with_its_evidence_over_telegram_limit() -> None:
    text = "y" * (MAX_MESSAGE // 2)  # each fits alone, not both in one message
    heavy = made("fiber-heavy", "fiber", "Heavy", text, evidence=text, source_file="tips/f.yaml")
    library = in_memory(heavy)
    length = len(visible_text(render_tip_with_evidence(heavy, library)))
    assert [p.message for p in message_problems(library)] == [
        f"message with its evidence is {length} characters, at most 4096"
    ]


def test_near_duplicate_pair_is_reported_on_the_later_tip() -> None:
    first = made("fiber-oats", "fiber", "Oats", OATS, source_file="tips/fiber.yaml")
    reworded = OATS.replace("grated apple", "sliced pear").replace("Swap", "Replace")
    second = made(
        "fiber-oats-again", "fiber", "Oats", f"<b>{reworded}</b>", source_file="tips/more.yaml"
    )
    other = made("fiber-beans", "fiber", "Beans", BEANS, source_file="tips/fiber.yaml")
    assert near_duplicate_problems([first, other, second]) == [
        Problem(
            "tips/more.yaml",
            "fiber-oats-again",
            "text is a near-duplicate of fiber-oats (tips/fiber.yaml), similarity 0.90",
        )
    ]


def test_identical_text_scores_one_and_distinct_texts_pass() -> None:
    tips = [made(f"fiber-{n}", "fiber", "T", text) for n, text in enumerate([OATS, OATS, BEANS])]
    assert [(score, a.id, b.id) for score, a, b in similar_pairs(tips)] == [
        (1.0, "fiber-0", "fiber-1")
    ]


def test_topic_under_its_minimum() -> None:
    library = in_memory(made("protein-eggs", "protein", "Eggs", BEANS))
    problems = topic_minimum_problems(library)
    assert Problem("topics.yaml", "protein", "1 tip, below its minimum of 2") in problems
    assert Problem("topics.yaml", "fiber", "0 tips, below its minimum of 3") in problems
    assert len(problems) == len(library.topics)


def test_uncited_reference() -> None:
    library = in_memory(made("fiber-oats", "fiber", "Oats", OATS))
    problems = uncited_reference_problems(library)
    hint = "not cited by any tip (run `python -m tips sync-references`)"
    assert Problem("references.yaml", "abrams2005_ajcn", hint) in problems
    assert all(problem.tip_id != REF for problem in problems)


# --- Against the shared bibliography -----------------------------------------------------


def test_reference_not_in_shared_verified_list() -> None:
    made_up = {"id": "made2020_up", "first_author": "Made U", "title": "T", "journal": "J"}
    assert reference_problems([*library_references(), made_up], shared_bibliography()) == [
        Problem(
            "references.yaml", "made2020_up", "not in the verified list of the shared bibliography"
        )
    ]


def test_reference_only_partially_verified() -> None:
    entry = {"id": "ods_calcium_hp", "first_author": "ODS", "title": "Calcium", "journal": "NIH"}
    shared = shared_bibliography(partially_verified=("ods_calcium_hp",))
    assert reference_problems([entry], shared) == [
        Problem(
            "references.yaml",
            "ods_calcium_hp",
            "only partially verified in the shared bibliography: never cite it",
        )
    ]


def test_reference_fields_must_equal_the_shared_entry() -> None:
    entry = dict(library_references()[0], doi="10.0000/changed", note="added by hand")
    assert [str(p) for p in reference_problems([entry], shared_bibliography())] == [
        f"references.yaml: {entry['id']}: field 'doi' differs from the shared bibliography"
        " (run `python -m tips sync-references`)",
        f"references.yaml: {entry['id']}: field 'note' differs from the shared bibliography"
        " (run `python -m tips sync-references`)",
    ]


def test_missing_shared_file_is_a_problem(tmp_path: Path) -> None:
    missing = tmp_path / "shared.yaml"
    assert shared_problems(TEST_LIBRARY / "references.yaml", missing) == [
        Problem(str(missing), None, "file is missing")
    ]


def test_shared_file_from_disk(tmp_path: Path) -> None:
    document = {
        "references": library_references()[:2],
        "partially_verified": [{"id": "ods_calcium_hp", "title": "Calcium"}],
        "unverified": [{"claimed": "Somebody 2016", "status": "UNVERIFIED"}],
    }
    path = tmp_path / "shared.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    shared = load_shared(path)
    assert list(shared.verified) == [entry["id"] for entry in library_references()[:2]]
    assert shared.partially_verified == {"ods_calcium_hp"}


# --- sync-references ---------------------------------------------------------------------


def test_select_keeps_shared_order_and_names_unverified_ids() -> None:
    shared = shared_bibliography()
    first, second = list(shared.verified)[:2]
    assert [e["id"] for e in select_references([second, first, second], shared)] == [first, second]
    with pytest.raises(UnverifiedReferences) as caught:
        select_references([first, "zz_missing", "aa_missing"], shared)
    assert caught.value.ids == ["aa_missing", "zz_missing"]


def test_test_references_file_is_what_sync_writes(
    library: Library, bibliography_file: Path
) -> None:
    entries = select_references(cited_ids(library.tips), load_shared(bibliography_file))
    expected = (TEST_LIBRARY / "references.yaml").read_text(encoding="utf-8")
    assert render_references(entries) == expected


def test_the_test_library_has_no_problems(bibliography_file: Path) -> None:
    library, problems = check_library(TEST_LIBRARY, bibliography_file)
    assert [str(problem) for problem in problems] == []
    assert {tip.kind for tip in library.tips_in(["k2"])} == {Kind.ACTION}  # tests rely on it
    assert {tip.kind for tip in library.tips_in(["polyphenols"])} == {Kind.INSIGHT}


# --- Word limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "count"),
    [
        ("Swap <b>one</b> cola, today.", 4),
        ("Spine density fell 0.72% — and stayed level (−0.01%).", 8),
        ('<a href="https://example.org/a-very-long-link">Two words</a> 🦴 here', 3),
        ("", 0),
    ],
)
def test_word_count_counts_visible_words(html: str, count: int) -> None:
    assert word_count(html) == count


def test_text_and_evidence_word_limits(tmp_path: Path) -> None:
    at_limit = " ".join(["word"] * MAX_TEXT_WORDS)
    over = f"<b>{at_limit}</b> more"
    evidence_at_limit = " ".join(["fact"] * MAX_EVIDENCE_WORDS)
    files = {
        "fiber.yaml": tip_file(
            "fiber",
            tip("fiber-fits", at_limit, evidence=evidence_at_limit),
            tip("fiber-long-text", over),
            tip("fiber-long-evidence", BEANS, evidence=f"{evidence_at_limit} 12%"),
        )
    }
    _, problems = check_library(write_library(tmp_path / "library", files))
    assert [p for p in problems if "words" in p.message] == [
        Problem("tips/fiber.yaml", "fiber-long-text", "text is 51 words, at most 50"),
        Problem("tips/fiber.yaml", "fiber-long-evidence", "evidence is 91 words, at most 90"),
    ]


def test_word_limits_are_fifty_and_ninety() -> None:
    assert (MAX_TEXT_WORDS, MAX_EVIDENCE_WORDS) == (50, 90)
    assert word_limit_problems([made("fiber-a", "fiber", "T", OATS)]) == []


# --- The shipped library (fails until the shipped tips are in the current schema) ----------


def test_shipped_references_file_is_what_sync_writes(
    shipped: Library, shipped_bibliography_file: Path
) -> None:
    entries = select_references(cited_ids(shipped.tips), load_shared(shipped_bibliography_file))
    expected = (LIBRARY_DIR / "references.yaml").read_text(encoding="utf-8")
    assert render_references(entries) == expected


def test_shipped_library_has_no_problems(shipped_bibliography_file: Path) -> None:
    library, problems = check_library(LIBRARY_DIR, shipped_bibliography_file)
    assert [str(problem) for problem in problems] == []
    assert summary(library, problems).endswith("; 0 problems")


def test_shipped_library_meets_every_minimum(shipped: Library) -> None:
    counts = Counter(tip.topic for tip in shipped.tips)
    short = {t.id: (counts[t.id], t.minimum) for t in shipped.topics if counts[t.id] < t.minimum}
    assert short == {}


def test_shipped_library_is_far_from_the_similarity_threshold(shipped: Library) -> None:
    assert list(similar_pairs(shipped.tips, SIMILARITY_THRESHOLD - 0.1)) == []
