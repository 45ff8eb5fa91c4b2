"""One benchmark in this process: `python -m benchmarks.run NAME [--quick] [options]`.

Prints its figures as JSON on the last line of stdout; `python -m benchmarks` runs each in a
fresh process, so one benchmark's memory or event loop never colours the next one's figures.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable

from benchmarks import broadcast, bursts, claims, presses, process, store_scale
from benchmarks.figures import Figure, dumps, info


def due_at_once(args: argparse.Namespace) -> list[Figure]:
    count = 300 if args.quick else 10_000
    run = asyncio.run(broadcast.broadcast(count, flood=True))
    return broadcast.flood_figures(run, f"1. {count:,} due at once")


def due_while_asked(args: argparse.Namespace) -> list[Figure]:
    count = 300 if args.quick else 10_000
    askers = args.askers or broadcast.ASKERS
    run = asyncio.run(broadcast.broadcast(count, flood=True, ask=True, askers=askers))
    return broadcast.asking_figures(run, f"2. {count:,} due, /tip every 0.5 s")


def viral(args: argparse.Namespace) -> list[Figure]:
    figures = asyncio.run(bursts.viral(150 if args.quick else 500))
    return _numbered("3.", figures)


def tip_flood(args: argparse.Namespace) -> list[Figure]:
    figures = asyncio.run(bursts.tip_flood(60 if args.quick else 200, 2.0))
    return _numbered("4.", figures)


def button_presses(args: argparse.Namespace) -> list[Figure]:
    seconds = 2 if args.quick else 10
    figures = []
    for rate in (100, 50):
        figures += asyncio.run(presses.presses(int(rate * seconds), rate))
    return _numbered("9.", figures)


def bot_workers(args: argparse.Namespace) -> int:
    import bot.service.wiring

    return int(args.workers or bot.service.wiring.workers_for(1000))


def ceiling(args: argparse.Namespace) -> list[Figure]:
    count = 2_000 if args.quick else 20_000
    if args.workers:  # an experiment: sends kept in flight, and the pool sized to match
        import bot.service.wiring

        bot.service.wiring.workers_for = lambda rate: args.workers  # type: ignore[attr-defined]
    settings = {"BROADCAST_RATE": "1000", "PAID_BROADCAST": "true"}
    request = None
    if args.client == "httpx":  # an experiment: PTB's default client instead of the bot's
        from telegram.request import HTTPXRequest

        request = HTTPXRequest(connection_pool_size=bot_workers(args) + 16)
    limits = None
    if args.unpaced:  # no pacing cap: what the engine itself can do
        from scheduler.pacing import Limits

        limits = Limits(paid_per_second=1_000_000)
    coroutine = broadcast.broadcast(count, flood=False, request=request, limits=limits, **settings)
    run = _run(coroutine, args.uvloop)
    label = f"5. ceiling, {count:,} due"
    variant = _variant(args)
    figures = broadcast.ceiling_figures(run, label + (f" [{variant}]" if variant else ""))
    return [info(f"{label}: set-up", _setup(args)), *figures]


def first_tip(args: argparse.Namespace) -> list[Figure]:
    return asyncio.run(process.first_tip(20, lead=3.0 if args.quick else 8.0))


def million(args: argparse.Namespace) -> list[Figure]:
    count = 100_000 if args.quick else 1_000_000
    figures = asyncio.run(process.start_up(count))
    return figures + _numbered("7.", store_scale.run(count, 5_000 if args.quick else 20_000))


def space(args: argparse.Namespace) -> list[Figure]:
    from benchmarks import space as given_back

    return given_back.run(100_000 if args.quick else 1_000_000)


def claim_cost(args: argparse.Namespace) -> list[Figure]:
    return _numbered("11.", claims.run())


def storage(args: argparse.Namespace) -> list[Figure]:
    from benchmarks import storage_year

    subscribers = args.subscribers or (1_000 if args.quick else 20_000)
    days = args.days or (60 if args.quick else 365)
    return storage_year.run(subscribers, days)


def upgrade(args: argparse.Namespace) -> list[Figure]:
    from benchmarks import upgrade as first_start

    return first_start.run(50_000 if args.quick else 1_000_000)


def chaos(args: argparse.Namespace) -> list[Figure]:
    from benchmarks import chaos as play

    return asyncio.run(play.chaos(args.quick))


SCENARIOS: dict[str, Callable[[argparse.Namespace], list[Figure]]] = {
    "due": due_at_once,
    "asked": due_while_asked,
    "viral": viral,
    "flood": tip_flood,
    "ceiling": ceiling,
    "first-tip": first_tip,
    "million": million,
    "chaos": chaos,
    "space": space,
    "presses": button_presses,
    "claims": claim_cost,
    "storage": storage,
    "upgrade": upgrade,
}


def _numbered(prefix: str, figures: list[Figure]) -> list[Figure]:
    return [Figure(f"{prefix} {f.name}", f.value, f.target, f.passed) for f in figures]


def _run(coroutine, uvloop: bool):
    if uvloop:
        import uvloop as fast  # an experiment: only where installed

        return fast.run(coroutine)
    return asyncio.run(coroutine)


def _variant(args: argparse.Namespace) -> str:
    parts = []
    if args.uvloop:
        parts.append("uvloop")
    if args.workers:
        parts.append(f"{args.workers} in flight")
    if args.client != "aiohttp":
        parts.append(f"{args.client} client")
    if args.unpaced:
        parts.append("unpaced")
    return ", ".join(parts)


def _setup(args: argparse.Namespace) -> str:
    import importlib.util

    import bot.service.wiring

    sniffio = "installed" if importlib.util.find_spec("sniffio") else "not installed"
    workers = bot.service.wiring.workers_for(1000)
    loop = "uvloop" if args.uvloop else "asyncio"
    client = f"{args.client} client"
    return f"{workers} sends in flight, pool {workers + 16}, {client}, sniffio {sniffio}, {loop}"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("name", choices=SCENARIOS)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--uvloop", action="store_true", help="ceiling: run on uvloop")
    parser.add_argument("--askers", type=int, help="asked: chats asking /tip in turn (4)")
    parser.add_argument("--workers", type=int, help="ceiling: sends in flight (and pool size)")
    parser.add_argument(
        "--client", choices=("httpx", "aiohttp"), default="aiohttp", help="ceiling: HTTP client"
    )
    parser.add_argument(
        "--unpaced", action="store_true", help="ceiling: lift the gateway's 993/s paid pacing"
    )
    parser.add_argument("--subscribers", type=int, help="storage: subscribers (20,000)")
    parser.add_argument("--days", type=int, help="storage: simulated days (365)")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the run to FILE")
    args = parser.parse_args()
    if args.profile:
        import cProfile

        with cProfile.Profile() as profile:
            figures = SCENARIOS[args.name](args)
        profile.dump_stats(args.profile)
    else:
        figures = SCENARIOS[args.name](args)
    print(dumps(figures), flush=True)


if __name__ == "__main__":
    main()
