"""The service files: the container's health check, the unit's check before start, CI's lint.

The Dockerfile itself is linted by hadolint in `.ci/run`; no Docker engine builds it here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
UNIT = (ROOT / "deploy" / "gutbone-bot.service").read_text(encoding="utf-8")


def unit_settings(name: str) -> list[str]:
    return re.findall(rf"^{name}=(.*)$", UNIT, flags=re.MULTILINE)


def test_the_container_is_healthy_when_gutbone_bot_health_says_so():
    healthcheck = re.search(r"^HEALTHCHECK (.*?)\n(?!\s)", DOCKERFILE, re.MULTILINE | re.DOTALL)
    assert healthcheck is not None
    assert healthcheck.group(1).rstrip().endswith('CMD ["gutbone-bot", "health"]')


def test_the_container_runs_as_a_numeric_unprivileged_user():
    [user] = re.findall(r"^USER (\S+)$", DOCKERFILE, flags=re.MULTILINE)
    uid, _, gid = user.partition(":")
    assert int(uid) >= 1000 and int(gid) >= 1000
    assert f"--uid {uid}" in DOCKERFILE and f"--gid {gid}" in DOCKERFILE


def test_the_unit_checks_before_it_starts_the_same_program():
    [start] = unit_settings("ExecStart")
    assert unit_settings("ExecStartPre") == [f"{start} check"]
    assert "`gutbone-bot check`" in UNIT  # and the header says what its exit codes do
    assert "1 (problems found) or 2 (configuration)" in UNIT


def test_ci_lints_the_dockerfile():
    assert "\n.venv/bin/hadolint Dockerfile\n" in (ROOT / ".ci" / "run").read_text()


def test_ci_verifies_the_systemd_unit_where_systemd_is_installed():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "systemd-analyze verify" in ci and "deploy/gutbone-bot.service" in ci
