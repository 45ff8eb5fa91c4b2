"""Read the tip library from YAML and validate it, reporting every problem with its place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tips.markup import telegram_html_problems, visible_text
from tips.model import Kind, Library, Reference, Tip, Topic

#: libyaml's safe loader where PyYAML was built with it (its wheels are): the library's
#: files load several times faster than through the pure-Python loader, on every start-up.
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LIBRARY_DIR = Path(__file__).parent / "library"
MAX_TEXT = 600
MAX_EVIDENCE = 900  # visible characters: the Why? message stays far below Telegram's 4096
MAX_TITLE = 60
MAX_ID = 48
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# `<ref-id>/<slug>`: a reference id as in references.yaml, then lower-case words joined by '-'.
FINDING_PATTERN = re.compile(r"^([a-z0-9_]+)/[a-z0-9]+(-[a-z0-9]+)*$")
KINDS = ", ".join(kind.value for kind in Kind)
TIP_FIELDS = ("id", "title", "kind", "finding", "text", "evidence", "refs", "follows")
REFERENCE_FIELDS = (
    "authors",
    "volume_pages",
    "doi",
    "pmid",
    "url",
    "evidence_strength",
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the library, precise enough for a curator to fix."""

    file: str
    tip_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.tip_id}" if self.tip_id else self.file
        return f"{where}: {self.message}"


class LibraryError(Exception):
    """The tip library is invalid; the bot will not start with it."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        listed = "\n".join(f"  {problem}" for problem in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"the tip library has {len(problems)} problem(s):\n{listed}{more}")


def load_library(root: Path = LIBRARY_DIR) -> Library:
    """Load and validate the library; raise `LibraryError` listing every problem."""
    library, problems = read_library(root)
    if problems:
        raise LibraryError(problems)
    return library


def read_library(root: Path = LIBRARY_DIR) -> tuple[Library, list[Problem]]:
    """Load what can be loaded and collect every structural problem on the way."""
    problems: list[Problem] = []
    topics = _read_topics(root / "topics.yaml", problems)
    references = _read_references(root / "references.yaml", problems)
    topic_ids = {topic.id for topic in topics}
    tips: list[Tip] = []
    tip_files = sorted((root / "tips").glob("*.yaml"))
    if not tip_files:
        problems.append(Problem(_name(root / "tips"), None, "no tip files (*.yaml) found"))
    for path in tip_files:
        tips.extend(_read_tip_file(path, topic_ids, references, problems))
    _check_unique_ids(tips, problems)
    problems.extend(follows_problems(tips))
    library = Library(topics=tuple(topics), tips=tuple(tips), references=references)
    return library, problems


def _load_yaml(path: Path, problems: list[Problem]) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError:
        problems.append(Problem(_name(path), None, "file is missing"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(Problem(_name(path), None, f"not valid YAML: {exc}"))
    return None


def _read_items(path: Path, key: str, problems: list[Problem]) -> list[Any]:
    """The list under `key` in the file at `path`; one problem, not two, if it cannot be read."""
    before = len(problems)
    document = _load_yaml(path, problems)
    return [] if len(problems) > before else _items(document, key, path, problems)


def _items(document: Any, key: str, path: Path, problems: list[Problem]) -> list[Any]:
    """The list under `key`, or a problem saying it is not there."""
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        problems.append(Problem(_name(path), None, f"expected a list under '{key}:'"))
        return []
    return items


def _read_topics(path: Path, problems: list[Problem]) -> list[Topic]:
    topics = []
    for raw in _read_items(path, "topics", problems):
        try:
            topics.append(
                Topic(
                    id=_text(raw, "id"),
                    title=_text(raw, "title"),
                    emoji=_text(raw, "emoji"),
                    aliases=tuple(str(alias) for alias in raw.get("aliases") or ()),
                    minimum=int(raw.get("minimum", 0)),
                    avoid=bool(raw.get("avoid", False)),
                )
            )
        except (TypeError, ValueError, AttributeError) as exc:
            problems.append(Problem(_name(path), _id_of(raw), f"bad topic: {exc}"))
    return topics


def _read_references(path: Path, problems: list[Problem]) -> dict[str, Reference]:
    references: dict[str, Reference] = {}
    for raw in _read_items(path, "references", problems):
        try:
            year = raw.get("year")
            reference = Reference(
                id=_text(raw, "id"),
                first_author=_text(raw, "first_author"),
                title=_text(raw, "title"),
                journal=_text(raw, "journal"),
                year=int(year) if year is not None else None,
                **{key: str(raw.get(key) or "") for key in REFERENCE_FIELDS},
            )
        except (TypeError, ValueError, AttributeError) as exc:
            problems.append(Problem(_name(path), _id_of(raw), f"bad reference: {exc}"))
            continue
        if reference.id in references:
            problems.append(Problem(_name(path), reference.id, "duplicate reference id"))
        references[reference.id] = reference
    return references


def _read_tip_file(
    path: Path, topic_ids: set[str], references: dict[str, Reference], problems: list[Problem]
) -> list[Tip]:
    before = len(problems)
    document = _load_yaml(path, problems)
    if len(problems) > before:
        return []
    topic = document.get("topic") if isinstance(document, dict) else None
    if topic not in topic_ids:
        problems.append(Problem(_name(path), None, f"unknown topic {topic!r}"))
        return []
    tips = []
    for raw in _items(document, "tips", path, problems):
        tip = _parse_tip(raw, str(topic), path, problems)
        if tip is not None:
            problems.extend(Problem(_name(path), tip.id, m) for m in tip_problems(tip, references))
            tips.append(tip)
    return tips


def _parse_tip(raw: Any, topic: str, path: Path, problems: list[Problem]) -> Tip | None:
    try:
        refs = raw.get("refs")
        if not isinstance(refs, list) or not all(isinstance(ref, str) for ref in refs):
            raise ValueError("'refs' must be a list of reference ids")
        follows = raw.get("follows")
        if follows is not None and not isinstance(follows, str):
            raise ValueError("'follows' must be a tip id")
        unknown = [str(key) for key in raw if key not in TIP_FIELDS]
        problems.extend(Problem(_name(path), _id_of(raw), f"unknown field {k!r}") for k in unknown)
        return Tip(
            id=_text(raw, "id"),
            topic=topic,
            title=_text(raw, "title"),
            text=_text(raw, "text").strip(),
            refs=tuple(refs),
            source_file=_name(path),
            follows=follows,
            kind=_kind(raw),
            finding=_text(raw, "finding").strip(),
            evidence=_text(raw, "evidence").strip(),
        )
    except (TypeError, ValueError, AttributeError) as exc:
        problems.append(Problem(_name(path), _id_of(raw), f"bad tip: {exc}"))
        return None


def tip_problems(tip: Tip, references: dict[str, Reference]) -> list[str]:
    """Everything wrong with one tip on its own (not compared with other tips)."""
    found = []
    if not ID_PATTERN.match(tip.id) or len(tip.id) > MAX_ID:
        found.append(f"id must be lower-case words joined by '-', at most {MAX_ID} characters")
    if not tip.id.startswith(f"{tip.topic}-"):
        found.append(f"id must start with its topic, '{tip.topic}-'")
    if len(tip.title) > MAX_TITLE or "<" in tip.title or "&" in tip.title:
        found.append(f"title must be plain text of at most {MAX_TITLE} characters")
    for name, html, limit in (
        ("text", tip.text, MAX_TEXT),
        ("evidence", tip.evidence, MAX_EVIDENCE),
    ):
        found.extend(f"{name}: {problem}" for problem in telegram_html_problems(html))
        if len(visible_text(html)) > limit:
            found.append(f"{name} is {len(visible_text(html))} characters, at most {limit}")
    found.extend(finding_form_problems(tip))
    if not tip.refs:
        found.append("cites no reference")
    found.extend(f"unknown reference {ref!r}" for ref in tip.refs if ref not in references)
    repeated = dict.fromkeys(ref for ref in tip.refs if tip.refs.count(ref) > 1)
    found.extend(f"cites {ref!r} more than once" for ref in repeated)
    return found


def finding_form_problems(tip: Tip) -> list[str]:
    """`finding` is `<ref-id>/<slug>`, and the reference is one the tip cites."""
    match = FINDING_PATTERN.match(tip.finding)
    if match is None:
        return [
            f"finding {tip.finding!r} must be <ref-id>/<slug>: a reference id, '/', "
            "then lower-case words joined by '-'"
        ]
    if match.group(1) not in tip.refs:
        return [f"finding {tip.finding!r} names {match.group(1)!r}, which is not in its refs"]
    return []


def _check_unique_ids(tips: list[Tip], problems: list[Problem]) -> None:
    first_file: dict[str, str] = {}
    for tip in tips:
        if tip.id in first_file:
            message = f"duplicate tip id (first in {first_file[tip.id]})"
            problems.append(Problem(tip.source_file, tip.id, message))
        first_file.setdefault(tip.id, tip.source_file)


def follows_problems(tips: list[Tip]) -> list[Problem]:
    """A `follows:` must name another tip, or the follow-up excuses a repeat of nothing."""
    ids = {tip.id for tip in tips}
    return [
        Problem(tip.source_file, tip.id, message)
        for tip in tips
        if tip.follows is not None
        for message in _follows_problem(tip, ids)
    ]


def _follows_problem(tip: Tip, ids: set[str]) -> list[str]:
    if tip.follows == tip.id:
        return ["follows itself"]
    if tip.follows not in ids:
        return [f"follows {tip.follows!r}, which is not a tip in the library"]
    return []


def _kind(raw: dict[str, Any]) -> Kind:
    value = _text(raw, "kind")
    try:
        return Kind(value.strip())
    except ValueError:
        raise ValueError(f"'kind' is {value!r}; it must be one of: {KINDS}") from None


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str | int) or not str(value).strip():
        raise ValueError(f"'{key}' is missing or empty")
    return str(value)


def _id_of(raw: Any) -> str | None:
    return str(raw.get("id")) if isinstance(raw, dict) and raw.get("id") else None


def _name(path: Path) -> str:
    """A short name for messages: `topics.yaml` or `tips/fiber.yaml`."""
    return f"{path.parent.name}/{path.name}" if path.parent.name == "tips" else path.name
