"""The developer's loop cannot drift from CI's: the pre-commit hooks run `.ci/run`'s own lint
and type commands, and CONTRIBUTING.md names every command `.ci/run` runs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
RUN = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
CONFIG = ROOT / ".pre-commit-config.yaml"
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
# What starts a command worth naming: the venv's tools, CI's own scripts, the system checkers.
COMMANDS = (".venv/bin/", ".ci/", "python3 ", "systemd-analyze ", "promtool ")
LINT_AND_TYPES = (".venv/bin/ruff ", ".venv/bin/mypy ")


def one_spaced(text: str) -> str:
    return " ".join(text.split())


def ci_commands(script: str = RUN) -> list[str]:
    """The commands a CI script runs, each on one line: continuation lines joined, a subshell's
    `(` and `)` and what precedes `&&` (a `cd`, an `apt-get update`) left off."""
    commands = []
    for line in script.replace("\\\n", " ").splitlines():
        if line.lstrip().startswith("#"):
            continue
        for part in line.split("&&"):
            command = one_spaced(part).strip("()").strip()
            if command.startswith(COMMANDS):
                commands.append(command)
    return commands


def hooks() -> list[dict[str, object]]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def test_ci_commands_are_read_as_ci_runs_them():
    commands = ci_commands()
    assert commands[0] == "python3 -m venv .venv"
    assert commands[-1] == ".venv/bin/python -m pytest"
    assert (
        "systemd-analyze verify gutbone-bot.service gutbone-backup.service gutbone-backup.timer"
        in commands
    )
    assert "promtool check rules deploy/prometheus/alerts.yml" in commands
    assert ".ci/install-steps" in commands
    assert ci_commands("# .venv/bin/ruff check .\nset -e\n(cd x && .ci/other \\\n  --flag)\n") == [
        ".ci/other --flag"
    ]


def test_the_hooks_run_ci_s_lint_and_type_commands_exactly():
    lint_and_types = [c for c in ci_commands() if c.startswith(LINT_AND_TYPES)]
    assert len(lint_and_types) == 4  # ruff check, ruff format --check, mypy twice
    assert [one_spaced(str(hook["entry"])) for hook in hooks()] == lint_and_types


def test_the_hooks_use_the_venv_s_tools_on_the_whole_tree():
    """Local hooks on `.venv/bin` need no network and use CI's versions; without file names
    each checks what CI checks, not only the files a commit touches."""
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    for hook in hooks():
        assert hook["language"] == "system", hook["id"]
        assert hook["pass_filenames"] is False, hook["id"]


def test_pre_commit_accepts_the_configuration(tmp_path):
    pytest.importorskip("pre_commit", reason="pre-commit comes with the dev extras")
    checked = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)],
        capture_output=True,
        text=True,
        env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path)},
        cwd=ROOT,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_contributing_names_every_command_ci_runs():
    written = one_spaced(CONTRIBUTING)
    missing = [command for command in ci_commands() if command not in written]
    assert missing == []


def test_contributing_names_the_developer_s_other_commands():
    for command in [
        'pip install -e ".[dev]"',
        "pre-commit install",
        "python -m pytest tests/test_due.py::",
        "python -m pytest -k",
        "python -m tests.simulation --seed",
        "python -m emulator",
        "gutbone-bot sandbox",
        "python -m benchmarks --only",
        "python -m benchmarks --quick",
    ]:
        assert command in CONTRIBUTING, command


def test_contributing_links_lead_somewhere():
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", CONTRIBUTING):
        assert (ROOT / target).exists(), target
