"""Telegram's HTML parse mode, read from the Bot API docs ("Formatting options", HTML style).

One pass over the markup gives what Telegram returns in a Message -- the visible text and its
entities, offsets and lengths in UTF-16 code units -- or the first reason the markup is bad, in
the words Telegram puts after "can't parse entities: ".

Where Telegram itself complains, the reasons are worded as Telegram words them (``Unsupported
start tag "div" at byte offset 0``). Rules the docs state but Telegram lets slide -- it shows a
stray ``&`` or ``&nbsp;`` as written and quietly drops formatting it cannot nest -- are refused
here too, worded in the same style, so that a test sees the mistake: every ``&`` outside an
entity must be escaped; only ``&lt; &gt; &amp; &quot;`` and numeric entities exist; ``<a>``
needs href and ``<tg-emoji>`` emoji-id; nothing goes inside ``<code>``/``<pre>`` (except
``<pre><code class="language-x">``); only formatting goes inside ``<a>``/``<tg-emoji>``;
``<blockquote>`` does not go inside another. A bare ``>`` is accepted, as Telegram accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from emulator.rules.html_tags import TAGS, Tag

__all__ = ["TAGS", "HTMLParseError", "Tag", "html_problem", "parse_html", "utf16_len"]


_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\n\r\f\v"
_NAME_TOKEN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")


class HTMLParseError(ValueError):
    """Markup Telegram refuses; ``str()`` is the reason after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(html: str) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and entities of ``html``; raises :class:`HTMLParseError` if it is bad."""
    return _Parser(html).run()


def html_problem(html: str) -> str | None:
    """The first reason Telegram gives for refusing ``html``; None when it is valid."""
    try:
        parse_html(html)
    except HTMLParseError as error:
        return str(error)
    return None


@dataclass
class _Open:
    """A start tag waiting for its end tag."""

    name: str
    attrs: dict[str, str]
    start: int  # UTF-16 offset of its first visible character
    order: int  # the how-manieth start tag it was: outer entities sort before inner ones
    language: str | None = None  # a <pre>'s, from the <code class="language-x"> inside it


class _Parser:
    def __init__(self, html: str) -> None:
        self.html = html
        self.i = 0
        self.pieces: list[str] = []
        self.position = 0  # UTF-16 length of the visible text so far
        self.open: list[_Open] = []
        self.opened = 0
        self.entities: list[tuple[int, dict[str, Any]]] = []

    def run(self) -> tuple[str, list[dict[str, Any]]]:
        html = self.html
        while self.i < len(html):
            char = html[self.i]
            if char == "<":
                self._tag()
            elif char == "&":
                self._emit(self._entity())
            else:
                end = _next_special(html, self.i)
                self._emit(html[self.i : end])
                self.i = end
        if self.open:
            raise HTMLParseError(
                f'Can\'t find end tag corresponding to start tag "{self.open[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e[1]["offset"], -e[1]["length"], e[0]))
        return "".join(self.pieces), [entity for _, entity in self.entities]

    def _emit(self, text: str) -> None:
        self.pieces.append(text)
        self.position += utf16_len(text)

    def _error(self, reason: str, at: int, detail: str = "") -> HTMLParseError:
        """``reason`` with Telegram's "at byte offset N" (N counts UTF-8 bytes of the markup)."""
        return HTMLParseError(f"{reason} at byte offset {len(self.html[:at].encode())}{detail}")

    # --- character references ----------------------------------------------------------------

    def _entity(self) -> str:
        """Decode the ``&...;`` at ``self.i`` and move past it."""
        html, begin = self.html, self.i
        end = begin + 1
        numeric, hexadecimal = html.startswith("#", end), False
        if numeric:
            end += 1
            hexadecimal = html[end : end + 1] in ("x", "X")
            end += hexadecimal
            digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        else:
            digits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        while end < len(html) and html[end] in digits:
            end += 1
        source = html[begin:end]
        known = numeric or source[1:] in _NAMED
        if source in ("&", "&#", "&#x", "&#X") or not (html.startswith(";", end) or known):
            raise self._error('Character "&" must be escaped as "&amp;"', begin)
        if not html.startswith(";", end):
            raise self._error(f'HTML entity "{source}" must end with ";"', begin)
        self.i = end + 1
        if not numeric:
            if source[1:] not in _NAMED:
                raise self._error(f'Unsupported HTML entity "{source};"', begin)
            return _NAMED[source[1:]]
        code = int(source[3:], 16) if hexadecimal else int(source[2:])
        if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise self._error(f'Invalid HTML entity "{source};"', begin)
        return chr(code)

    # --- tags ---------------------------------------------------------------------------------

    def _tag(self) -> None:
        if self.html.startswith("</", self.i):
            self._end_tag()
        else:
            self._start_tag()

    def _start_tag(self) -> None:
        html, begin = self.html, self.i
        end = begin + 1
        while end < len(html) and html[end] not in _SPACE and html[end] != ">":
            end += 1
        if end == len(html):
            raise self._error("Unclosed start tag", begin)
        name = html[begin + 1 : end].lower()
        if name not in TAGS:
            raise self._error(f'Unsupported start tag "{name}"', begin)
        self.i = end
        attrs = self._attributes(name, begin)
        self._check_start(name, attrs, begin)
        self.open.append(_Open(name, attrs, self.position, self.opened))
        self.opened += 1

    def _attributes(self, tag: str, begin: int) -> dict[str, str]:
        """Read ``name="value"`` pairs up to and past the ``>`` that ends the start tag."""
        html = self.html
        attrs: dict[str, str] = {}
        while True:
            self._skip_space()
            if self.i == len(html):
                raise self._error("Unclosed start tag", begin)
            if html[self.i] == ">":
                self.i += 1
                return attrs
            start = self.i
            while self.i < len(html) and html[self.i] not in _SPACE and html[self.i] not in "=>":
                self.i += 1
            name = html[start : self.i].lower()
            if not name:
                raise self._error(f'Empty attribute name in the tag "{tag}"', begin)
            self._skip_space()
            if not html.startswith("=", self.i):
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise self._error(
                    f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin
                )
            self.i += 1
            self._skip_space()
            if self.i == len(html):
                raise self._error("Unclosed start tag", begin)
            attrs[name] = self._attribute_value(begin)

    def _attribute_value(self, begin: int) -> str:
        html = self.html
        quote = html[self.i]
        if quote not in "\"'":  # an unquoted name token: letters, digits, '.' and '-'
            start = self.i
            while self.i < len(html) and html[self.i] in _NAME_TOKEN:
                self.i += 1
            if self.i < len(html) and html[self.i] not in _SPACE and html[self.i] != ">":
                raise self._error("Unexpected end of name token", start)
            return html[start : self.i].lower()
        self.i += 1
        value: list[str] = []
        while self.i < len(html) and html[self.i] != quote:
            if html[self.i] == "&":
                value.append(self._entity())
            else:
                value.append(html[self.i])
                self.i += 1
        if self.i == len(html):
            raise self._error("Unclosed start tag", begin)
        self.i += 1
        return "".join(value)

    def _skip_space(self) -> None:
        while self.i < len(self.html) and self.html[self.i] in _SPACE:
            self.i += 1

    def _check_start(self, name: str, attrs: dict[str, str], begin: int) -> None:
        """The attribute ``name`` needs, and whether it may stand inside the open tags."""
        needs = TAGS[name].needs
        if needs is not None:
            attribute, value = needs
            if value is not None and attrs.get(attribute) != value:
                raise self._error(f'Tag "{name}" must have {attribute} "{value}"', begin)
            if value is None and not attrs.get(attribute):
                raise self._error(f'Tag "{name}" must have attribute "{attribute}"', begin)
        for outer in reversed(self.open):
            holds = TAGS[outer.name].holds
            if holds is not None and name not in holds:
                where = "in itself" if name == outer.name else f'inside tag "{outer.name}"'
                raise self._error(f'Tag "{name}" can\'t be nested {where}', begin)

    def _end_tag(self) -> None:
        html, begin = self.html, self.i
        if not self.open:
            raise self._error("Unexpected end tag", begin)
        end = begin + 2
        while end < len(html) and html[end] not in _SPACE and html[end] != ">":
            end += 1
        name = html[begin + 2 : end].lower()
        self.i = end
        self._skip_space()
        if not html.startswith(">", self.i):
            raise self._error("Unclosed end tag", begin)
        self.i += 1
        expected = self.open[-1].name
        if name != expected:
            detail = f', expected "</{expected}>", found "</{name}>"'
            raise self._error("Unmatched end tag", begin, detail)
        self._close(self.open.pop())

    def _close(self, tag: _Open) -> None:
        """Turn a closed tag into its entity; ``<pre><code class=...>`` only names a language."""
        if tag.name == "code" and self.open and self.open[-1].name == "pre":
            language = tag.attrs.get("class", "")
            if language.startswith("language-") and len(language) > len("language-"):
                self.open[-1].language = language.removeprefix("language-")
            return
        length = self.position - tag.start
        if length == 0:  # Telegram drops empty entities
            return
        entity: dict[str, Any] = {"type": TAGS[tag.name].entity}
        entity["offset"], entity["length"] = tag.start, length
        if tag.name == "a":
            entity["url"] = tag.attrs["href"]
        elif tag.name == "tg-emoji":
            entity["custom_emoji_id"] = tag.attrs["emoji-id"]
        elif tag.name == "pre" and tag.language:
            entity["language"] = tag.language
        elif tag.name == "blockquote" and "expandable" in tag.attrs:
            entity["type"] = "expandable_blockquote"
        self.entities.append((tag.order, entity))


def _next_special(html: str, start: int) -> int:
    """Index of the next ``<`` or ``&`` from ``start``, or the end of ``html``."""
    ends = [i for i in (html.find("<", start), html.find("&", start)) if i != -1]
    return min(ends, default=len(html))
