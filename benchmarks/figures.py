"""Figures: a measured value beside its target, PASS or FAIL; informational ones have neither."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Figure:
    """One line of the report."""

    name: str
    value: str
    target: str = ""  # empty: informational, no verdict
    passed: bool | None = None
    headline: bool = False  # printed again, `name: value`, as the run's very last line

    @property
    def verdict(self) -> str:
        if self.passed is None:
            return ""
        return "PASS" if self.passed else "FAIL"


def at_least(name: str, value: float, target: float, unit: str = "", digits: int = 1) -> Figure:
    return Figure(name, f"{value:,.{digits}f}{unit}", f">= {target:,g}{unit}", value >= target)


def at_most(name: str, value: float, target: float, unit: str = "", digits: int = 2) -> Figure:
    return Figure(name, f"{value:,.{digits}f}{unit}", f"<= {target:,g}{unit}", value <= target)


def exactly(name: str, value: object, target: object) -> Figure:
    return Figure(name, str(value), f"= {target}", value == target)


def info(name: str, value: str) -> Figure:
    return Figure(name, value)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (`share` in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def dumps(figures: Sequence[Figure]) -> str:
    return json.dumps([asdict(figure) for figure in figures])


def loads(text: str) -> list[Figure]:
    return [Figure(**item) for item in json.loads(text)]
