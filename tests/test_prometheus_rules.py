"""The alert rules and the dashboard in `deploy/prometheus/` use metrics a running bot really
serves: scraped from `python -m bot` in its own process, after its first sweep.

`promtool` (Prometheus's own checker) also reads the rules and every dashboard query where it
is installed; CI installs it (`.ci/run`).
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.test_process import BotProcess, bot_env, due_now_subscriber, free_port

FOLDER = Path(__file__).resolve().parent.parent / "deploy" / "prometheus"
RULES = yaml.safe_load((FOLDER / "alerts.yml").read_text(encoding="utf-8"))
DASHBOARD = json.loads((FOLDER / "grafana-dashboard.json").read_text(encoding="utf-8"))
ALERTS = [rule for group in RULES["groups"] for rule in group["rules"]]
QUERIES = [target["expr"] for panel in DASHBOARD["panels"] for target in panel["targets"]]


def metrics_in(expression: str) -> set[str]:
    return set(re.findall(r"\bgutbone_[a-z_]+", expression))


async def scrape_after_the_first_sweep(telegram, tmp_path) -> tuple[str, int]:
    db_path = tmp_path / "bot.db"
    due_now_subscriber(db_path)
    port = free_port()
    bot = await BotProcess.start(bot_env(telegram, db_path, METRICS_PORT=str(port)), tmp_path)
    await bot.wait_for_log("Sweep finished", timeout=20)
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"http://127.0.0.1:{port}/metrics")).text
        elsewhere = (await client.get(f"http://127.0.0.1:{port}/")).status_code
    assert await bot.stop(signal.SIGTERM) == 0
    return text, elsewhere


async def test_every_metric_the_alerts_and_the_dashboard_use_is_served(telegram, tmp_path):
    text, elsewhere = await scrape_after_the_first_sweep(telegram, tmp_path)
    served = {
        sample.name: sample
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    used = set().union(*map(metrics_in, [rule["expr"] for rule in ALERTS] + QUERIES))
    assert len(used) >= 10
    missing = [name for name in sorted(used) if name not in served]
    assert missing == []
    assert served["gutbone_delivery_lease_held"].value == 1  # it swept: it holds the lease
    assert served["gutbone_last_sweep_finished_timestamp_seconds"].value > 0
    assert not [name for name in served if name.endswith("_created")]
    assert elsewhere == 404


def test_the_alerts_cover_what_an_operator_must_hear_about():
    names = {rule["alert"] for rule in ALERTS}
    assert {
        "GutBoneBotDown",
        "GutBoneTipsStopped",
        "GutBoneBacklogGrowing",
        "GutBoneRateLimited",
        "GutBoneLeaseFlapping",
    } <= names
    for rule in ALERTS:
        assert rule["labels"]["severity"] in ("warning", "critical")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    up = next(rule["expr"] for rule in ALERTS if rule["alert"] == "GutBoneBotDown")
    assert (
        'job="gutbone-bot"' in up and "job_name: gutbone-bot" in (FOLDER / "alerts.yml").read_text()
    )


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed")
def test_promtool_accepts_the_rules_and_every_dashboard_query(tmp_path):
    checked = subprocess.run(
        ["promtool", "check", "rules", str(FOLDER / "alerts.yml")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    recorded = [{"record": f"dashboard:query{n}", "expr": q} for n, q in enumerate(QUERIES)]
    queries = tmp_path / "dashboard-queries.yml"
    queries.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": recorded}]}))
    checked = subprocess.run(
        ["promtool", "check", "rules", str(queries)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
