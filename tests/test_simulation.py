"""The delivery engine's life, simulated: a thousand seeded runs, each with crashes, a standby,
a frozen holder, a full disk, a faulty Telegram and people's commands (`tests.simulation`).

A failing seed names the command that replays it. `SIM_SEEDS=20000` makes this a soak.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scheduler.engine import DeliveryLoop
from tests import simulation
from tests.simulation import replay_command, run_in_parallel, run_seeds

SEEDS = int(os.environ.get("SIM_SEEDS", "1000"))


@pytest.mark.timeout(300)
def test_every_seeded_life_keeps_every_invariant():
    failed = run_in_parallel(range(SEEDS))
    lines = [
        f"seed {r.seed}: {'; '.join(r.problems)} (replay: {replay_command(r.seed)})" for r in failed
    ]
    assert not failed, f"{len(failed)} of {SEEDS} seeds broke an invariant:\n" + "\n".join(lines)


def _failures(tmp_path: Path, seeds: range) -> list[str]:
    return [problem for report in run_seeds(seeds, tmp_path) for problem in report.problems]


def test_a_loop_that_stops_re_arming_its_wake_up_is_caught(tmp_path, monkeypatch):
    """The simulation can fail: the first main's bug, a wake-up set once and never again
    (python-telegram-bot's job kept its past time, so the loop thought one was set)."""
    original = DeliveryLoop.wake_at

    def only_the_first(self, moment):
        if not getattr(self, "armed_once", False):
            self.armed_once = True
            original(self, moment)

    monkeypatch.setattr(DeliveryLoop, "wake_at", only_the_first)
    problems = _failures(tmp_path, range(20))
    assert any("missed" in problem or "after its minute" in problem for problem in problems)


def test_the_replay_command_runs_one_seed():
    assert replay_command(7) == "python -m tests.simulation --seed 7"
    assert simulation.main(["--seed", "7"]) == 0
