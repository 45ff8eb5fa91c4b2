"""`python -m benchmarks [--quick]`: the figures of issue 7, each beside its target.

Each benchmark runs in a fresh process (`python -m benchmarks.run NAME`), with the Bot API
emulator in another, over loopback only; each is bounded in count and time and stops by itself.
The full run takes about 29 minutes (10,000 daily tips at Telegram's 30/s take 5.6 minutes, and
that twice; the chaos benchmark 10), `--experiments` adds two or three; `--quick` is a smoke run
of the same benchmarks with small counts (about five minutes, much of it waiting for minute
boundaries). The storage year (`storage`, no emulator: the store alone on a simulated clock)
runs only when named (`--only storage`): it takes much longer at its 20,000 subscribers; so
does the upgrade from version 10 (`--only upgrade`), which builds a 13 GB file first.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime

from benchmarks.figures import Figure, loads

# name -> (what it measures, seconds it may take in a full run)
BENCHMARKS = {
    "due": ("1. 10,000 due in the same minute, flood control on", 900),
    "asked": ("2. the same while /tip is asked every 0.5 s", 900),
    "viral": ("3. 500 new users send /start within 1 s", 180),
    "flood": ("4. one user sends 200 /tip in 2 s", 180),
    "ceiling": ("5. engine ceiling: no flood control, paid, 1000/s, 20,000 due", 600),
    "first-tip": ("6. first tips over 3 consecutive due minutes, real process", 360),
    "million": ("7. 1,000,000 subscribers: start-up, idle memory, idle sweep", 900),
    "chaos": ("8. chaos: kill -9, SIGSTOP, full disk, faulty Telegram, real processes", 900),
    "presses": ("9. button presses at 100/s and 50/s, each from its own chat", 300),
    "space": ("10. 1,000,000 subscribers: the one VACUUM, then chore steps by size", 600),
    "claims": ("11. CPU per claim at 1,000 due (target <= 50 µs)", 300),
    "storage": ("12. storage over a simulated year: size, chores' stalls, peak claims", 21_600),
    "upgrade": (
        "13. 1,000,000 subscribers: the first start after upgrading from version 10",
        5_400,
    ),
}
ON_REQUEST = {"storage", "upgrade"}  # long: run only when named with --only
# Experiments on the engine ceiling (`--experiments`): fewer sends in flight; PTB's default
# httpx client instead of the bot's aiohttp one; the gateway's pacing lifted; uvloop.
EXPERIMENTS = [
    ["--workers", "16"],
    ["--client", "httpx"],
    ["--unpaced"],
    ["--uvloop"],
]


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small counts: a smoke run")
    parser.add_argument("--only", help="comma-separated names: " + ", ".join(BENCHMARKS))
    parser.add_argument(
        "--experiments", action="store_true", help="also run the engine ceiling's variants"
    )
    parser.add_argument("--subscribers", type=int, help="storage: subscribers (20,000)")
    parser.add_argument("--days", type=int, help="storage: simulated days (365)")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else [n for n in BENCHMARKS if n not in ON_REQUEST]
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    print(_machine(), flush=True)
    print(_speed("at the start"), flush=True)
    figures: list[Figure] = []
    runs = [(name, _options(name, args)) for name in names]
    if args.experiments:
        runs += [("ceiling", extra) for extra in EXPERIMENTS if _available(extra)]
    for name, extra in runs:
        figures += _run(name, extra, args.quick)
    failed = sum(f.passed is False for f in figures)
    passed = sum(f.passed is True for f in figures)
    print(_speed("at the end"))
    print(f"\n{passed} PASS, {failed} FAIL")
    for figure in figures:  # the headlines last, where `tail -1` finds them
        if figure.headline:
            print(f"{figure.name}: {figure.value}")
    return 1 if failed else 0


def _options(name: str, args: argparse.Namespace) -> list[str]:
    """The storage benchmark's own options, passed on to its process."""
    if name != "storage":
        return []
    given = {"--subscribers": args.subscribers, "--days": args.days}
    return [part for option, n in given.items() if n for part in (option, str(n))]


def _run(name: str, extra: list[str], quick: bool) -> list[Figure]:
    title, limit = BENCHMARKS[name]
    print(f"\n{title}{' ' + ' '.join(extra) if extra else ''}", flush=True)
    command = [sys.executable, "-m", "benchmarks.run", name, *extra]
    if quick:
        command.append("--quick")
    started = time.monotonic()
    try:
        done = subprocess.run(command, stdout=subprocess.PIPE, text=True, timeout=limit)
    except subprocess.TimeoutExpired:
        figures = [Figure(f"{name}: finished", f"not within {limit} s", "finished", False)]
    else:
        lines = done.stdout.strip().splitlines()
        if done.returncode != 0 or not lines:
            figures = [Figure(f"{name}: finished", f"exit code {done.returncode}", "0", False)]
        else:
            figures = loads(lines[-1])
    for figure in figures:
        print(_line(figure), flush=True)
    print(f"  ({time.monotonic() - started:.0f} s)", flush=True)
    return figures


def _line(figure: Figure) -> str:
    """`name  value  target  verdict`; an informational figure is just `name  value`."""
    if not figure.target:
        return f"  {figure.name:<62} {figure.value}"
    target = f"(target {figure.target})"
    return f"  {figure.name:<62} {figure.value:>12}  {target:<20} {figure.verdict}"


def _available(extra: list[str]) -> bool:
    return "--uvloop" not in extra or importlib.util.find_spec("uvloop") is not None


def _speed(when: str) -> str:
    """How fast this machine runs Python now: a shared machine's speed drifts with what else
    runs on its host (CPU figures moved by half between runs on the development machine), so
    read CPU figures beside this line. Best of 5, as `timeit` reports."""
    best = min(_timed_sum() for _ in range(5))
    return f"speed {when}: sum(range(10**6)) in {best * 1000:.1f} ms (best of 5)"


def _timed_sum() -> float:
    started = time.perf_counter()
    sum(range(10**6))
    return time.perf_counter() - started


def _machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line)
    except (OSError, StopIteration):
        pass
    found = {
        name: "yes" if importlib.util.find_spec(name) else "no" for name in ("sniffio", "uvloop")
    }
    return (
        f"GutBone Daily benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
        f"machine: {os.cpu_count()} CPUs, {model}; Python {platform.python_version()};"
        f" sniffio installed: {found['sniffio']}, uvloop installed: {found['uvloop']}"
    )


if __name__ == "__main__":
    sys.exit(main())
