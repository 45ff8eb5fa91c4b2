"""What the year of storage (`benchmarks.storage_year`) measures, and its figures.

Sizes come from SQLite itself, not from knowing the layout: `dbstat` gives the bytes each
table and index holds, `page_count` and `freelist_count` the file's pages and the free ones,
so the figures stay right whatever tables the store has underneath.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from benchmarks.figures import Figure, at_most, exactly, info
from storage import Store

if TYPE_CHECKING:
    from benchmarks.storage_year import Year

BYTES_PER_SUBSCRIBER = 5_000  # target after a year
FLAT = 10.0  # per cent the size may still grow from the end of month 2 on
CLAIM_US = 50.0  # CPU per claim in a peak minute
STALL_MS = 20.0  # the longest chores call may hold the event loop
SMALL = 0.01  # a table or index under this share of the bytes in use is shown with the others


@dataclass(frozen=True)
class Size:
    """The database file at one moment."""

    subscribers: int
    page_size: int
    pages: int
    free_pages: int
    on_disk: int  # the main file plus its WAL, as the file system counts them
    by_name: dict[str, int]  # bytes in use per table and index (`dbstat`)
    kinds: dict[str, str]  # name -> "table" or "index"

    @property
    def bytes(self) -> int:
        """The database's size: every page, free ones included (what a backup copies)."""
        return self.pages * self.page_size

    @property
    def per_subscriber(self) -> float:
        return self.bytes / self.subscribers


def measure(store: Store, path: Path, subscribers: int) -> Size:
    """The file's pages, free pages, and bytes by table and index."""
    db = store.db
    pragma = {name: db.execute(f"PRAGMA {name}").fetchone()[0] for name in PRAGMAS}
    used = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    kinds = dict(db.execute("SELECT name, type FROM sqlite_master").fetchall())
    wal = Path(f"{path}-wal")
    on_disk = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    return Size(
        subscribers,
        pragma["page_size"],
        pragma["page_count"],
        pragma["freelist_count"],
        on_disk,
        {name: int(size) for name, size in used},
        kinds,
    )


PRAGMAS = ("page_size", "page_count", "freelist_count")


def figures(year: Year, peaks: list[tuple[int, float]]) -> list[Figure]:
    """Every figure of the year, each beside its target; the last is the headline. `peaks`:
    (claims, CPU seconds) of each peak minute measured after it."""
    final = year.months[-1][1]
    claimed = min(count for count, _ in peaks)
    per_claim = sorted(cpu / max(count, 1) * 1e6 for count, cpu in peaks)
    return [
        *_run_figures(year),
        *_month_figures(year),
        *_table_figures(final),
        info(
            "storage: free pages at the end",
            f"{final.free_pages:,} of {final.pages:,} pages"
            f" ({final.free_pages * final.page_size / 1e6:.1f} MB);"
            f" on disk with the WAL {final.on_disk / 1e6:.1f} MB",
        ),
        at_most(
            f"storage: CPU per claim, {claimed:,} due in the same minute"
            f" (least of {len(peaks)} days)",
            per_claim[0],
            CLAIM_US,
            " µs",
            1,
        ),
        info(
            "storage: … each day, in order of cost",
            " / ".join(f"{us:.1f}" for us in per_claim) + " µs",
        ),
        *_stall_figures(year),
        headline(year.days, final.per_subscriber),
    ]


def headline(days: int, per_subscriber: float) -> Figure:
    """`bytes per subscriber after D days: N`, printed again as the run's very last line."""
    value = round(per_subscriber)
    target = f"<= {BYTES_PER_SUBSCRIBER}"
    name = f"bytes per subscriber after {days} days"
    return Figure(name, str(value), target, value <= BYTES_PER_SUBSCRIBER, headline=True)


def _run_figures(year: Year) -> list[Figure]:
    done = ", ".join(f"{n:,} {what}" for what, n in sorted(year.actions.items()))
    return [
        info(
            "storage: simulated",
            f"{year.subscribers:,} subscribers x {year.days} days in {year.seconds:,.0f} s"
            f" ({year.seconds / year.days:.2f} s per day)",
        ),
        info("storage: what they did", f"{year.tips.total():,} daily tips, {done}"),
        exactly("storage: second daily tips for one local day", year.duplicates, 0),
    ]


def _month_figures(year: Year) -> list[Figure]:
    """Month by month, bytes per subscriber (all pages), the file, its free pages; then
    whether it stayed flat from the end of month 2 on (judged over a month at least)."""
    shown = [
        info(
            f"storage: month {month}, after day {day}",
            f"{size.per_subscriber:,.0f} B/subscriber; {size.bytes / 1e6:.1f} MB,"
            f" {size.free_pages:,} free pages",
        )
        for month, (day, size) in enumerate(year.months, start=1)
    ]
    if len(year.months) >= 3 and year.months[-1][0] - year.months[1][0] >= 28:
        (day, second), last = year.months[1], year.months[-1][1]
        growth = (last.bytes - second.bytes) / second.bytes * 100
        name = f"storage: growth from the end of month 2 (day {day}) to the end"
        shown.append(at_most(name, growth, FLAT, " %", 1))
    return shown


def _table_figures(size: Size) -> list[Figure]:
    """Bytes per subscriber held by each table and index at the end, largest first; those
    under `SMALL` of the whole together in one line."""
    ordered = sorted(size.by_name.items(), key=lambda item: -item[1])
    total = sum(size.by_name.values())
    large = [(name, used) for name, used in ordered if used >= SMALL * total]
    rest = ordered[len(large) :]
    shown = [(f"{name} ({size.kinds.get(name, 'schema')})", used) for name, used in large]
    if rest:
        shown.append((f"the {len(rest)} others together", sum(used for _, used in rest)))
    return [
        info(
            f"storage:   {name}",
            f"{used / size.subscribers:,.0f} B/subscriber ({used / 1e6:.1f} MB)",
        )
        for name, used in shown
    ]


def _stall_figures(year: Year) -> list[Figure]:
    """The chores' longest call (wall: what holds the event loop) and its CPU time."""
    walls = [wall for wall, _ in year.stalls]
    longest = max(range(len(walls)), key=walls.__getitem__)
    return [
        at_most(
            f"storage: longest stall of the chores (of {len(walls):,} steps)",
            walls[longest] * 1000,
            STALL_MS,
            " ms",
        ),
        info(
            "storage: chores steps, CPU and wall",
            f"longest CPU {max(cpu for _, cpu in year.stalls) * 1000:.2f} ms, CPU of the"
            f" longest step {year.stalls[longest][1] * 1000:.2f} ms,"
            f" median wall {statistics.median(walls) * 1000:.3f} ms",
        ),
    ]
