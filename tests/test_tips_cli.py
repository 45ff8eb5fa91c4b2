"""`python -m tips check | stats | sync-references`, run the way a curator runs them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import tips.__main__ as cli
from tests.conftest import TEST_LIBRARY

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tips", *args],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def library_copy(tmp_path: Path) -> Path:
    """A copy of the test library that a test may break."""
    return Path(shutil.copytree(TEST_LIBRARY, tmp_path / "library"))


def new_tip(tip_id: str, text: str, refs: list[str], **fields: object) -> dict[str, object]:
    finding = f"{refs[0]}/a-finding"
    required = {"title": "X", "kind": "action", "finding": finding, "evidence": "A study."}
    return {"id": tip_id, "text": text, "refs": refs, **required, **fields}


def add_tip(root: Path, tip: dict[str, object]) -> None:
    path = root / "tips" / "fiber.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["tips"].append(tip)
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


def test_check_passes_the_shipped_library() -> None:  # fails until it is in the current schema
    result = run("check")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"\d+ tips \(fiber \d+/20, fermented \d+/20, .*\); 0 problems", lines[0])


def test_check_lists_each_problem_then_the_summary(
    library_copy: Path, bibliography_file: Path
) -> None:
    add_tip(library_copy, new_tip("oats", "<div>x</div>", ["x1"], finding="x1"))
    result = run("check", "--library", str(library_copy), "--shared", str(bibliography_file))
    assert result.returncode == 1
    *problems, last = result.stdout.splitlines()
    assert problems == [
        "tips/fiber.yaml: oats: id must start with its topic, 'fiber-'",
        "tips/fiber.yaml: oats: text: unknown tag <div>",
        "tips/fiber.yaml: oats: finding 'x1' must be <ref-id>/<slug>: a reference id, '/', "
        "then lower-case words joined by '-'",
        "tips/fiber.yaml: oats: unknown reference 'x1'",
    ]
    assert last.endswith("; 4 problems")


def test_check_with_a_missing_shared_file(library_copy: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = run("check", "--library", str(library_copy), "--shared", str(missing))
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == f"{missing}: file is missing"
    assert result.stdout.splitlines()[-1].endswith("; 1 problem")


def test_check_says_when_it_did_not_compare_references(
    capsys: pytest.CaptureFixture[str], library_copy: Path
) -> None:
    (library_copy / "references.yaml").write_text(
        (library_copy / "references.yaml").read_text(encoding="utf-8").replace("Nature", "Natur"),
        encoding="utf-8",
    )  # a copy that differs from the bibliography: without --shared, nobody can tell
    assert cli.main(["check", "--library", str(library_copy)]) == 0
    captured = capsys.readouterr()
    assert captured.err == (
        "note: references not compared with the verified bibliography (pass --shared PATH)\n"
    )
    assert captured.out.endswith("; 0 problems\n")


def test_check_with_the_bibliography_finds_a_changed_field(
    capsys: pytest.CaptureFixture[str], library_copy: Path, bibliography_file: Path
) -> None:
    path = library_copy / "references.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("journal: Nature Communications", "journal: Natur"), "utf-8")
    assert cli.main(["check", "--library", str(library_copy), "--shared", str(bibliography_file)])
    assert "field 'journal' differs from the shared bibliography" in capsys.readouterr().out


def test_stats_tables(library_copy: Path) -> None:
    result = run("stats", "--library", str(library_copy))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"topic +tips +minimum", lines[0])
    assert re.fullmatch(r"fiber +3 +3", lines[1])
    assert any(re.fullmatch(r"total +20 +20", line) for line in lines)
    assert any(re.fullmatch(r"reference +tips", line) for line in lines)
    assert any(re.fullmatch(r"ods_vitamin_k_hp +4", line) for line in lines)
    assert any(re.fullmatch(r"finding +tips", line) for line in lines)
    assert any(re.fullmatch(r"lucas2018_natcommun/fibre-scfa-mice +1", line) for line in lines)
    assert any(re.fullmatch(r"main source +tips", line) for line in lines)


def test_stats_counts_findings_and_main_sources_most_first(library_copy: Path) -> None:
    finding = "kojima2020_jnutr/natto-fracture"
    for n in range(3):
        refs = ["kojima2020_jnutr", "ods_vitamin_k_hp"]
        add_tip(
            library_copy, new_tip(f"fiber-natto-{n}", f"Natto, take {n}.", refs, finding=finding)
        )
    lines = run("stats", "--library", str(library_copy)).stdout.splitlines()
    findings = lines.index(next(line for line in lines if line.startswith("finding ")))
    assert re.fullmatch(rf"{finding} +4  over 3", lines[findings + 1])
    assert re.fullmatch(r"\S+ +1", lines[findings + 2])
    mains = lines.index(next(line for line in lines if line.startswith("main source ")))
    assert re.fullmatch(r"kojima2020_jnutr +4", lines[mains + 1])
    for n in range(3, 5):
        add_tip(library_copy, new_tip(f"fiber-natto-{n}", f"Natto {n}.", ["kojima2020_jnutr"]))
    lines = run("stats", "--library", str(library_copy)).stdout.splitlines()
    mains = lines.index(next(line for line in lines if line.startswith("main source ")))
    assert re.fullmatch(r"kojima2020_jnutr +6  over 5", lines[mains + 1])


def test_stats_flags_missing_references(library_copy: Path) -> None:
    add_tip(library_copy, new_tip("fiber-x", "Text.", ["zz_nope"]))
    result = run("stats", "--library", str(library_copy))
    assert result.returncode == 0
    assert re.search(r"^zz_nope +1  not in references\.yaml$", result.stdout, re.MULTILINE)
    assert "run `python -m tips check`" in result.stderr


def test_sync_references_reproduces_the_references_file(
    library_copy: Path, bibliography_file: Path
) -> None:
    (library_copy / "references.yaml").write_text("references: []\n", encoding="utf-8")
    sync = ("sync-references", "--library", str(library_copy), "--shared", str(bibliography_file))
    result = run(*sync)
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith("references\n") and ": wrote " in result.stdout
    written = (library_copy / "references.yaml").read_text(encoding="utf-8")
    assert written == (TEST_LIBRARY / "references.yaml").read_text(encoding="utf-8")
    assert ": up to date, " in run(*sync).stdout


def test_sync_references_names_unverified_ids(library_copy: Path, bibliography_file: Path) -> None:
    add_tip(library_copy, new_tip("fiber-x", "T.", ["ods_calcium_hp"]))
    before = (library_copy / "references.yaml").read_text(encoding="utf-8")
    sync = ("sync-references", "--library", str(library_copy), "--shared", str(bibliography_file))
    result = run(*sync)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "ods_calcium_hp: cited by fiber-x",
        "error: not in the verified list of the shared bibliography",
    ]
    assert (library_copy / "references.yaml").read_text(encoding="utf-8") == before


def test_sync_references_refuses_when_tips_cannot_be_read(
    library_copy: Path, bibliography_file: Path
) -> None:
    (library_copy / "tips" / "fiber.yaml").write_text("topic: fiber\ntips: [\n", encoding="utf-8")
    sync = ("sync-references", "--library", str(library_copy), "--shared", str(bibliography_file))
    result = run(*sync)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "error: some tips could not be read, so their references are unknown"
    )


def test_usage_lists_every_command() -> None:
    result = run("--help")
    assert result.returncode == 0
    for command in ("check", "stats", "sync-references"):
        assert command in result.stdout
    assert run().returncode == 2
