"""The plant list of the "30 different plants a week" habit, and reading what people type.

Pure: the list is data (`library/plants.yaml`), loaded and validated once; `parse_plants`
turns "Oats, lentils and kale" into the plants' names as the list spells them, plus the
words it does not know. Every different plant counts 1, herbs and spices included.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from tips.loader import LIBRARY_DIR, LibraryError, Problem

PLANTS_FILE = "plants.yaml"
GOAL = 30  # different plants a week
MAX_INPUT = 500  # characters after the command: a week's plants fit easily
MAX_ITEMS = 40  # names in one message
SOURCE_REF = "mcdonald2018_msystems"  # the American Gut study behind "30 a week"

_SEPARATORS = re.compile(r"[,;\n+&/]|\band\b|\bplus\b", re.IGNORECASE)
_NOT_LETTERS = re.compile(r"[^\w\s]|_")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PlantList:
    """Plants by their shown name, and every key (name, synonym, plural) leading to one."""

    names: tuple[str, ...]
    by_key: Mapping[str, str]  # normalised name, synonym or its singular -> shown name

    def normalise(self, text: str) -> str | None:
        """The plant `text` names (any case, accents, plural or synonym), else None."""
        for form in _forms(key(text)):
            if form in self.by_key:
                return self.by_key[form]
        return None


def key(text: str) -> str:
    """`text` folded for matching: no case, accents, punctuation or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("'", "").replace("’", "").replace("-", " ")
    return _SPACES.sub(" ", _NOT_LETTERS.sub(" ", plain)).strip()


def _forms(folded: str) -> Iterator[str]:
    """`folded` itself first, then the singulars its last word may stand for."""
    yield folded
    for plural, singular in (("ies", "y"), ("ves", "f"), ("oes", "o"), ("es", ""), ("s", "")):
        if folded.endswith(plural) and len(folded) > len(plural) + 2:
            yield folded[: -len(plural)] + singular


def parse_plants(plants: PlantList, text: str) -> tuple[list[str], list[str]]:
    """The known plants in `text` (each once, in order) and the unknown names as typed.

    Names are separated by commas, semicolons, new lines, "and", "&", "+" or "/"; a part
    that is not a plant but whose words all are ("kale spinach") counts as those plants.
    """
    known: list[str] = []
    unknown: list[str] = []
    for part in _SEPARATORS.split(text):
        shown = _SPACES.sub(" ", part).strip(" .!?\"'“”()")
        if not key(shown):
            continue
        found = _plants_in(plants, shown)
        if found is None and shown not in unknown:
            unknown.append(shown)
        known.extend(name for name in found or () if name not in known)
    return known, unknown


def _plants_in(plants: PlantList, part: str) -> list[str] | None:
    whole = plants.normalise(part)
    if whole is not None:
        return [whole]
    words = [plants.normalise(word) for word in key(part).split()]
    if len(words) > 1 and all(words):
        return [word for word in words if word]
    return None


def read_plants(path: Path) -> tuple[PlantList, list[Problem]]:
    """The list in `path` and every problem in it (a name claimed by two plants, ...)."""
    problems: list[Problem] = []
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return PlantList((), {}), [Problem(path.name, None, f"cannot read: {exc}")]
    if not isinstance(data, dict):
        data, problems = {}, [Problem(path.name, None, "expected groups of plants")]
    names: list[str] = []
    by_key: dict[str, str] = {}
    for group, entries in data.items():
        if not isinstance(entries, list):
            problems.append(Problem(path.name, str(group), "expected a list of plants"))
            continue
        for entry in entries:
            if not _is_entry(entry):
                problems.append(Problem(path.name, str(group), f"not a list of names: {entry!r}"))
                continue
            names.append(entry[0])
            for name in entry:
                claimed = by_key.setdefault(key(name), entry[0])
                if claimed != entry[0]:
                    message = f"“{name}” is claimed by {claimed} and {entry[0]}"
                    problems.append(Problem(path.name, str(group), message))
    return PlantList(tuple(names), _with_singulars(by_key)), problems


def _is_entry(entry: object) -> bool:
    return (
        isinstance(entry, list)
        and bool(entry)
        and all(isinstance(name, str) and key(name) for name in entry)
    )


def _with_singulars(by_key: dict[str, str]) -> dict[str, str]:
    """Also find a plant by the singular of a plural name ("lentils" -> "lentil")."""
    found = dict(by_key)
    for folded, name in by_key.items():
        for form in _forms(folded):
            found.setdefault(form, name)
    return found


@cache
def plant_list(root: Path = LIBRARY_DIR) -> PlantList:
    """The shipped plant list, loaded once; raise `LibraryError` if it has problems."""
    plants, problems = read_plants(root / PLANTS_FILE)
    if problems:
        raise LibraryError(problems)
    return plants
