"""`python -m benchmarks [--quick]`: print the store-scale and broadcast figures."""

from __future__ import annotations

import argparse
import logging

from benchmarks import broadcast, store_scale


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, for a smoke run")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the 429 run logs one warning per pause
    subscribers = 100_000 if args.quick else 1_000_000
    _print(
        "Store at scale", store_scale.run(subscribers, peak_claims=5_000 if args.quick else 20_000)
    )
    audience = 150 if args.quick else 600
    _print("Broadcast within the flood limit", broadcast.run(audience, rate=25))
    _print("Broadcast set above the limit (429s expected)", broadcast.run(audience, rate=45))


def _print(title: str, figures: dict[str, str]) -> None:
    print(f"\n{title}")
    width = max(len(name) for name in figures)
    for name, value in figures.items():
        print(f"  {name:<{width}}  {value}")


if __name__ == "__main__":
    main()
