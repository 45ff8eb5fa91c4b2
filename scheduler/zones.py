"""Which IANA timezones subscribers may choose, and finding one by city.

Built from tzdata's own tables: `zone1970.tab` and `zone.tab` list the real, canonical zones
(one row each, with its principal city); `tzdata.zi` lists the backward-compatible aliases
(`L target alias`). Aliases resolve to their canonical zone, so `Asia/Calcutta` is stored as
`Asia/Kolkata`, and a city is ambiguous only when it names really different zones. Keys such
as `localtime`, `Factory` or `Etc/GMT+5` are not offered to subscribers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

UTC_KEY = "UTC"
_UTC_ALIASES = ("Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu")
_REGIONS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe"}
    | {"Indian", "Pacific"}
)


@dataclass(frozen=True)
class ZoneIndex:
    """Canonical zone keys, their aliases, and cities; lookups ignore letter case."""

    by_key: Mapping[str, str]  # casefolded canonical or alias key -> canonical key
    by_city: Mapping[str, tuple[str, ...]]  # casefolded city -> canonical keys

    def resolve(self, name: str) -> str | None:
        """The canonical key for a zone or alias name in any letter case, else None."""
        return self.by_key.get(name.casefold())

    def cities(self, name: str) -> tuple[str, ...]:
        """The canonical zones whose city is called `name` (spaces as underscores)."""
        return self.by_city.get(name.casefold(), ())


def build_index(canonical: Iterable[str], links: Iterable[tuple[str, str]]) -> ZoneIndex:
    """An index of `canonical` keys plus those `(target, alias)` links that point at one."""
    keys = {key: key for key in canonical}
    keys[UTC_KEY] = UTC_KEY
    keys.update({alias: UTC_KEY for alias in _UTC_ALIASES})
    targets = dict(keys)
    keys.update(
        {alias: targets[target] for target, alias in links if target in targets}
        | targets  # a key listed as canonical stays itself, even where tzdata links it
    )
    by_city: dict[str, set[str]] = {}
    for key, target in keys.items():
        region, _, rest = key.partition("/")
        if region in _REGIONS and rest:
            by_city.setdefault(key.rsplit("/", 1)[1].casefold(), set()).add(target)
    return ZoneIndex(
        by_key={key.casefold(): target for key, target in keys.items()},
        by_city={city: tuple(sorted(zones)) for city, zones in by_city.items()},
    )


def zones_in_tab(text: str) -> list[str]:
    """The zone keys (third column) of a `zone.tab`-style table."""
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return [columns[2] for columns in rows if len(columns) >= 3]


def links_in_zi(text: str) -> list[tuple[str, str]]:
    """The `(target, alias)` pairs of the `L target alias` lines of `tzdata.zi`."""
    rows = (line.split() for line in text.splitlines() if line.startswith("L "))
    return [(columns[1], columns[2]) for columns in rows if len(columns) == 3]


@cache
def zone_index() -> ZoneIndex:
    """The index built from the installed `tzdata` package (read once)."""
    folder = files("tzdata") / "zoneinfo"
    tabs = [(folder / name).read_text(encoding="utf-8") for name in ("zone1970.tab", "zone.tab")]
    canonical = [key for text in tabs for key in zones_in_tab(text)]
    links = links_in_zi((folder / "tzdata.zi").read_text(encoding="utf-8"))
    return build_index(canonical, links)
