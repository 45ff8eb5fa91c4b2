"""Space given back: the one-time VACUUM that turns on incremental auto-vacuum, on a file as
the `million` benchmark builds it, then the chores' steps on it (docs/operations.md,
"Upgrading"; the step sizes in `storage.upkeep`).

Builds N subscribers and three days of delivery history in a file without auto-vacuum (as
every file made before it), opens it with the `Store` (the VACUUM), then times one step of
each chore: pruning delivery records and events by batch size, and `incremental_vacuum(N)`
by N pages, on the free pages a day of pruned history left.
"""

from __future__ import annotations

import logging
import random
import statistics
import tempfile
import time as timer
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.figures import Figure, at_most, info
from benchmarks.store_scale import add_history, build
from storage import Store
from storage.tables import events
from storage.upkeep import FIRST_SIZES, Chore

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PAGES = (100, 200, 500, 1_000, 5_000)
ROWS = (500, 1_000, 2_000, 5_000)


def old_file(path: Path, count: int) -> None:
    """A file as a release before auto-vacuum left it: subscribers and 3 days of history."""
    store = Store.open(path)
    store.db.execute("PRAGMA auto_vacuum = 0")
    store.db.execute("VACUUM")  # a new file has it from its first page: take it away again
    build(store, count, NOW, random.Random(7))
    for days in (1, 2, 3):
        add_history(store, count, NOW - timedelta(days=days))
    with store.transaction():
        store.db.conn.executemany(
            "INSERT INTO events (at, kind) VALUES (?, 'joined')",
            [(int(NOW.timestamp()) - 30 * 86_400 + i,) for i in range(200_000)],
        )
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()


class Said(logging.Handler):
    """The lines a logger said."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def step_ms(step: Callable[[], object], runs: int = 5) -> tuple[float, float]:
    """Median and longest time of `runs` steps, in ms."""
    timings = []
    for _ in range(runs):
        started = timer.perf_counter()
        step()
        timings.append((timer.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings)


def prune_figures(store: Store, label: str) -> list[Figure]:
    figures = []
    for rows in ROWS:

        def prune_deliveries(rows: int = rows) -> int:
            with store.transaction():
                return store.prune_deliveries(NOW - timedelta(days=2), rows)

        def prune_events(rows: int = rows) -> int:
            with store.transaction():
                return events.prune(store.db, NOW - timedelta(days=8), rows)

        median, longest = step_ms(prune_deliveries)
        figures.append(
            info(f"{label}: prune {rows:,} deliveries", f"{median:.1f} ms (max {longest:.1f})")
        )
        median, longest = step_ms(prune_events)
        figures.append(
            info(f"{label}: prune {rows:,} events", f"{median:.1f} ms (max {longest:.1f})")
        )
    return figures


def run(count: int = 1_000_000) -> list[Figure]:
    label = f"space {count:,}"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "old.db"
        old_file(path, count)
        before = path.stat().st_size
        said = Said()
        logging.getLogger("storage.space").addHandler(said)
        logging.getLogger("storage.space").setLevel(logging.INFO)
        started = timer.perf_counter()
        store = Store.open(path)  # quick_check, migrations, then the one VACUUM
        opened = timer.perf_counter() - started
        after = path.stat().st_size
        figures = [
            info(f"{label}: file before (no auto-vacuum)", f"{before / 1e6:,.0f} MB"),
            info(f"{label}: first open (quick_check, upgrade, VACUUM)", f"{opened:.1f} s"),
            info(f"{label}: the VACUUM, as logged", said.lines[-1] if said.lines else "not run"),
            info(f"{label}: file after", f"{after / 1e6:,.0f} MB"),
            *prune_figures(store, label),
        ]
        while store.prune_deliveries(NOW - timedelta(days=1), 100_000) == 100_000:
            pass  # two days of history gone: free pages to give back
        figures.append(info(f"{label}: free pages", f"{store.file_space().free_pages:,}"))
        for pages in PAGES:
            median, longest = step_ms(lambda pages=pages: store.give_back_space(pages))
            figures.append(
                info(
                    f"{label}: incremental_vacuum({pages:,})",
                    f"{median:.1f} ms (max {longest:.1f})",
                )
            )
        first = FIRST_SIZES[Chore.SPACE]
        median, _ = step_ms(lambda: store.give_back_space(first), runs=20)
        figures.append(
            at_most(f"{label}: give back {first} pages (median of 20)", median, 20, " ms")
        )
        store.close()
    return figures
