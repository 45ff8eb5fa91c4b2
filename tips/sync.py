"""The shared verified bibliography, and the library's copy of the entries its tips cite."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tips.model import Tip

HEADER = (
    "# The project's own copy of every reference a tip cites, copied unchanged from the verified\n"
    "# `references:` list of the shared bibliography. "
    "Regenerate with `python -m tips sync-references`.\n"
)
YAML_WIDTH = 100


class BibliographyError(Exception):
    """The shared bibliography is missing or cannot be read."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class UnverifiedReferences(Exception):
    """Tips cite ids that are not in the shared bibliography's verified list."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        super().__init__(f"not in the verified list of the shared bibliography: {', '.join(ids)}")


@dataclass(frozen=True)
class SharedBibliography:
    """The verified entries (raw, in file order) and the ids that must never be cited."""

    verified: dict[str, dict[str, Any]]
    partially_verified: frozenset[str]


def load_shared(path: Path) -> SharedBibliography:
    """Read the shared bibliography; raise `BibliographyError` naming the file if unusable."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BibliographyError(path, "file is missing") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BibliographyError(path, f"not valid YAML: {exc}") from exc
    if not isinstance(document, dict) or not isinstance(document.get("references"), list):
        raise BibliographyError(path, "expected a list under 'references:'")
    verified = {str(entry["id"]): entry for entry in _with_ids(document["references"])}
    partial = frozenset(str(e["id"]) for e in _with_ids(document.get("partially_verified")))
    return SharedBibliography(verified=verified, partially_verified=partial)


def _with_ids(entries: Any) -> list[dict[str, Any]]:
    """The entries of a list that carry an id (the `unverified` list has none)."""
    if not isinstance(entries, list):
        return []
    return [entry for entry in entries if isinstance(entry, dict) and entry.get("id")]


def cited_ids(tips: Iterable[Tip]) -> list[str]:
    """Every reference id the tips cite, sorted, each once."""
    return sorted({ref for tip in tips for ref in tip.refs})


def select_references(cited: Iterable[str], shared: SharedBibliography) -> list[dict[str, Any]]:
    """The shared entries for `cited`, in shared order; `UnverifiedReferences` if any lack one."""
    wanted = set(cited)
    missing = sorted(wanted - shared.verified.keys())
    if missing:
        raise UnverifiedReferences(missing)
    return [entry for ref, entry in shared.verified.items() if ref in wanted]


def render_references(entries: list[dict[str, Any]]) -> str:
    """The text of `references.yaml`: the header comment, then the entries unchanged."""
    body: str = yaml.safe_dump(
        {"references": entries}, sort_keys=False, allow_unicode=True, width=YAML_WIDTH
    )
    return HEADER + body
