"""Which zones most people want, first: the order of a region's or a country's places.

The data is `scheduler.zones.ZONES_BY_USE` (the zones most people live in, most-used first;
the same order the 🕰 picker offers a UTC offset's zones in), so America opens with New York,
Chicago and Los Angeles rather than a page of `Argentina/…`. Every other zone follows, in the
order of its place name, behind a "More" button.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from scheduler.zones import ZONES_BY_USE

__all__ = ["by_use", "paged"]

_RANK = {key: rank for rank, key in enumerate(ZONES_BY_USE)}


def by_use(keys: Iterable[str], name: Callable[[str], str]) -> tuple[str, ...]:
    """`keys` in order: the most used first (in `ZONES_BY_USE` order), then the rest by `name`."""
    common = sorted((key for key in keys if key in _RANK), key=_RANK.__getitem__)
    rest = sorted((key for key in keys if key not in _RANK), key=lambda key: (name(key), key))
    return (*common, *rest)


def paged(keys: tuple[str, ...], size: int) -> tuple[tuple[str, ...], ...]:
    """`keys` (in `by_use` order) in pages of at most `size`: the first holds only the most
    used (all of them if none is), the rest lie behind it; () when there are none."""
    first = min(sum(key in _RANK for key in keys), size) or size
    rest = keys[first:]
    return tuple(page for page in (keys[:first], *_chunks(rest, size)) if page)


def _chunks(keys: tuple[str, ...], size: int) -> list[tuple[str, ...]]:
    return [keys[start : start + size] for start in range(0, len(keys), size)]
