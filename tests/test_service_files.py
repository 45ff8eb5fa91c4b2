"""The service files: the container's health check, the unit's check before start, CI's lint.

The Dockerfile itself is linted by hadolint in `.ci/run`; no Docker engine builds it here.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
UNIT = (ROOT / "deploy" / "gutbone-bot.service").read_text(encoding="utf-8")
BACKUP = (ROOT / "deploy" / "gutbone-backup.service").read_text(encoding="utf-8")
TIMER = (ROOT / "deploy" / "gutbone-backup.timer").read_text(encoding="utf-8")


def unit_settings(name: str, unit: str = UNIT) -> list[str]:
    return re.findall(rf"^{name}=(.*)$", unit, flags=re.MULTILINE)


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


def test_ci_verifies_the_systemd_units_where_systemd_is_installed():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "systemd-analyze verify" in ci
    for unit in ("gutbone-bot.service", "gutbone-backup.service", "gutbone-backup.timer"):
        assert f"deploy/{unit}" in ci


def test_ci_runs_the_units_install_steps_as_written():
    assert "\n.ci/install-steps\n" in (ROOT / ".ci" / "run").read_text()
    steps = (ROOT / ".ci" / "install-steps").read_text()
    assert "/CI runs these lines/" in steps and "CI runs these lines" in UNIT


def test_every_setting_is_in_the_env_file_none_in_the_units():
    for unit in (UNIT, BACKUP):
        assert unit_settings("Environment", unit) == []
        assert unit_settings("EnvironmentFile", unit) == ["/etc/gutbone/gutbone.env"]
    assert "DATABASE_PATH=/var/lib/gutbone/gutbone.db" in UNIT  # put in the env file at install


def test_the_unit_raises_the_open_file_limit_above_what_the_webhook_may_hold():
    [limit] = unit_settings("LimitNOFILE")
    assert int(limit) >= 4 * 100  # the webhook allows itself a quarter, up to 100 connections


def test_a_nightly_backup_keeps_a_number_of_copies_as_the_service_user():
    [command] = unit_settings("ExecStart", BACKUP)
    assert re.fullmatch(
        r"/opt/gutbone/bin/gutbone-bot backup --keep \d+ /var/lib/gutbone/\S+", command
    )
    assert unit_settings("User", BACKUP) == unit_settings("User")
    assert unit_settings("OnCalendar", TIMER) and unit_settings("Persistent", TIMER) == ["true"]


def test_ci_checks_the_alert_rules_with_promtool():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "promtool check rules deploy/prometheus/alerts.yml" in ci
    assert "apt-get install" in ci and "prometheus" in ci  # installed where it can be
