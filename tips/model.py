"""The tip library as immutable values: topics, references and tips."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True)
class Topic:
    """A part of the library a subscriber can ask for by name (`/tip fiber`)."""

    id: str
    title: str
    emoji: str
    aliases: tuple[str, ...] = ()
    minimum: int = 0
    avoid: bool = False


@dataclass(frozen=True)
class Reference:
    """A verified source, copied from the shared bibliography."""

    id: str
    first_author: str
    title: str
    journal: str
    year: int | None = None
    authors: str = ""
    volume_pages: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    evidence_strength: str = ""

    @property
    def link(self) -> str | None:
        """The most durable link: DOI, then PubMed, then the page it was verified on."""
        if self.doi:
            return f"https://doi.org/{self.doi}"
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return self.url or None


class Kind(StrEnum):
    """What a tip asks of its reader: only an action can be checked in as done."""

    ACTION = "action"  # something to do today
    INSIGHT = "insight"  # something to know


@dataclass(frozen=True)
class Tip:
    """One short, sourced piece of advice. `text` and `evidence` are Telegram HTML.

    `text` is what to do and why, read on a phone; `evidence` (the study, its numbers, its
    limits) is one tap away. `finding` (`<ref-id>/<slug>`) names the one finding the tip tells,
    so the library can count how often each is told.
    """

    id: str
    topic: str
    title: str
    text: str
    refs: tuple[str, ...]
    source_file: str = ""
    follows: str | None = None  # a tip this one deliberately builds on (same study, same figure)
    kind: Kind = field(kw_only=True)
    finding: str = field(kw_only=True)
    evidence: str = field(kw_only=True)


@dataclass(frozen=True)
class Library:
    """Topics, tips and the references they cite, validated as a whole."""

    topics: tuple[Topic, ...]
    tips: tuple[Tip, ...]
    references: Mapping[str, Reference]
    _tips_by_id: dict[str, Tip] = field(init=False, repr=False, compare=False)
    _topics_by_name: dict[str, Topic] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names: dict[str, Topic] = {}
        for topic in self.topics:
            for name in (topic.id, *topic.aliases):
                names.setdefault(_normalise(name), topic)
        object.__setattr__(self, "_tips_by_id", {tip.id: tip for tip in self.tips})
        object.__setattr__(self, "_topics_by_name", names)

    def tip(self, tip_id: str) -> Tip | None:
        return self._tips_by_id.get(tip_id)

    def topic(self, name: str) -> Topic | None:
        """Find a topic by id or alias, ignoring case, spaces, `_` and `-`."""
        return self._topics_by_name.get(_normalise(name))

    def tips_in(self, topic_ids: Iterable[str]) -> tuple[Tip, ...]:
        wanted = set(topic_ids)
        return tuple(tip for tip in self.tips if tip.topic in wanted)

    def tips_for(self, chosen: Iterable[str] | None) -> tuple[Tip, ...]:
        """The daily pool of a chat that chose `chosen` topics (None: all). Topics no longer
        in the library are ignored; if none of the chosen ones is left, the whole library."""
        if chosen is None:
            return self.tips
        return self.tips_in(chosen) or self.tips

    @property
    def avoid_tips(self) -> tuple[Tip, ...]:
        return self.tips_in(topic.id for topic in self.topics if topic.avoid)


def _normalise(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())
