"""Turn valid Telegram HTML into the text and entities Telegram returns in a Message."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tips.markup import visible_text

__all__ = ["html_to_entities", "utf16_len"]

_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def html_to_entities(html: str) -> tuple[str, list[dict[str, Any]]]:
    """Return the visible text and its entities; ``html`` must already be valid."""
    parser = _EntityParser()
    parser.feed(html)
    parser.close()
    entities = sorted(parser.entities, key=lambda e: (e["offset"], -e["length"]))
    return visible_text(html), entities


class _EntityParser(HTMLParser):
    """Tracks each open tag's UTF-16 start offset; visible text comes from tips.markup."""

    CDATA_CONTENT_ELEMENTS = ()

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.position = 0
        self.open: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.open.append((tag, self.position, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            return
        tag, start, attrs = self.open.pop()
        if tag == "code" and self.open and self.open[-1][0] == "pre":
            self._set_language(attrs.get("class") or "")
        elif self.position > start:
            self.entities.append(self._entity(tag, start, attrs))

    def handle_data(self, data: str) -> None:
        self.position += utf16_len(data)

    def _set_language(self, css_class: str) -> None:
        """``<pre><code class="language-x">`` is one pre entity with a language."""
        if css_class.startswith("language-"):
            self.open[-1][2]["language"] = css_class.removeprefix("language-")

    def _entity(self, tag: str, start: int, attrs: dict[str, str | None]) -> dict[str, Any]:
        entity: dict[str, Any] = {"type": _TYPES[tag], "offset": start}
        entity["length"] = self.position - start
        if tag == "a":
            entity["url"] = attrs.get("href")
        elif tag == "pre" and attrs.get("language"):
            entity["language"] = attrs["language"]
        elif tag == "tg-emoji":
            entity["custom_emoji_id"] = attrs.get("emoji-id")
        elif tag == "blockquote" and "expandable" in attrs:
            entity["type"] = "expandable_blockquote"
        return entity
