"""Validate text written for Telegram's ``parse_mode=HTML`` before Telegram rejects it.

Telegram accepts only a handful of tags and four named entities; anything else makes
``sendMessage`` fail with "can't parse entities". Checking tips at load time (and in the Bot API
emulator) turns that run-time failure into a clear message naming the problem.

The checks are slightly stricter than Telegram: a bare ``&``, an entity without ``;``, and
nestings whose inner formatting Telegram silently drops (anything inside ``<code>``) are
reported too, because each is a mistake in the source text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["telegram_html_problems", "visible_text"]

# Tag name -> (attribute it requires, the value that attribute must have or None for any).
_TAGS: dict[str, tuple[str, str | None] | None] = {
    "b": None,
    "strong": None,
    "i": None,
    "em": None,
    "u": None,
    "ins": None,
    "s": None,
    "strike": None,
    "del": None,
    "span": ("class", "tg-spoiler"),
    "tg-spoiler": None,
    "a": ("href", None),
    "code": None,
    "pre": None,
    "blockquote": None,
    "tg-emoji": ("emoji-id", None),
}
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_AMPERSAND = re.compile(r"&(#[xX][0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*)?(;)?")
_OPTIONAL = {"code": {"class"}, "blockquote": {"expandable"}}  # pre>code language, folding
_VERBATIM = ("code", "pre")  # Telegram shows no formatting inside these
_NOT_NESTED = ("a", "blockquote")


def telegram_html_problems(text: str) -> list[str]:
    """Return what Telegram (or a careful reader) would reject in ``text``; empty when valid."""
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    problems = _entity_problems(text) + parser.problems
    return list(dict.fromkeys(problems))  # de-duplicated, first occurrence order


def visible_text(text: str) -> str:
    """Return ``text`` as Telegram displays it: tags dropped, entities decoded.

    Telegram's 4096-character message limit counts this text, not the markup.
    """
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    return "".join(parser.pieces)


def _entity_problems(text: str) -> list[str]:
    """Check every ``&``: Telegram knows only four named entities plus numeric ones."""
    problems = []
    for match in _AMPERSAND.finditer(text):
        name, semicolon = match.groups()
        if name is None:
            problems.append("unescaped '&' (write &amp;)")
        elif name.startswith("#"):
            if _decode_number(name[1:]) is None:
                problems.append(f"invalid character reference &{name};")
            elif not semicolon:
                problems.append(f"entity &{name} needs a closing ';'")
        elif name not in _ENTITIES:
            source = f"{name}{semicolon or ''}"
            problems.append(f"unknown entity &{source} (write &amp;{source})")
        elif not semicolon:
            problems.append(f"entity &{name} needs a closing ';'")
    return problems


def _decode_number(ref: str) -> str | None:
    """Decode the digits of ``&#...;`` (``x`` prefix for hex); None if not a character."""
    try:
        digits, base = (ref[1:], 16) if ref[:1] in ("x", "X") else (ref, 10)
        code = int(digits, base)
    except ValueError:
        return None
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


class _TelegramHTML(HTMLParser):
    """Collects tag problems and the visible text; entities are checked separately."""

    # No raw-text mode for <script>/<style>: they are just unknown tags. typeshed marks the
    # attribute Final, but HTMLParser reads it per instance and documents no other switch.
    CDATA_CONTENT_ELEMENTS = ()  # type: ignore[misc]

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.pieces: list[str] = []
        self.open: list[str] = []
        self.unknown: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _TAGS:
            self.problems.append(f"unknown tag <{tag}>")
            self.unknown.add(tag)
            return
        source = self.get_starttag_text() or ""
        self.problems.extend(_attribute_problems(tag, dict(attrs), source))
        self.problems.extend(_nesting_problems(tag, self.open))
        self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        known = "self-closing" if tag in _TAGS else "unknown"
        self.problems.append(f"{known} tag <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _TAGS:
            if tag not in self.unknown:  # its opening tag was reported already
                self.problems.append(f"unknown tag </{tag}>")
        elif self.open and self.open[-1] == tag:
            self.open.pop()
        else:
            expected = f" (expected </{self.open[-1]}>)" if self.open else ""
            self.problems.append(f"unexpected closing tag </{tag}>{expected}")

    def handle_data(self, data: str) -> None:
        if "<" in data:
            self.problems.append("unescaped '<' (write &lt;)")
        self.pieces.append(data)

    def handle_entityref(self, name: str) -> None:
        self.pieces.append(_ENTITIES.get(name, f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.pieces.append(_decode_number(name) or f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"unsupported markup <!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"unsupported markup <!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"unsupported markup <![{data}]>")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"unsupported markup <?{data}>")

    def close(self) -> None:
        super().close()
        self.problems.extend(f"unclosed tag <{tag}>" for tag in self.open)
        self.open = []


def _attribute_problems(tag: str, attrs: dict[str, str | None], source: str) -> list[str]:
    """Check the one attribute ``tag`` requires (quoted, in ``source``) and no others."""
    required = _TAGS[tag]
    allowed = _OPTIONAL.get(tag, set()) | ({required[0]} if required else set())
    extra = [f"<{tag}> does not take the {name} attribute" for name in attrs if name not in allowed]
    if required is None:
        return extra
    name, value = required
    if name in attrs and not re.search(rf"\b{name}\s*=\s*[\"']", source):
        return [*extra, f"<{tag}> needs its {name} value in quotes"]
    given = attrs.get(name)
    if value is None and not given:
        return [*extra, f"<{tag}> needs the {name} attribute"]
    if value is not None and given != value:
        return [*extra, f'<{tag}> needs {name}="{value}"']
    return extra


def _nesting_problems(tag: str, open_tags: list[str]) -> list[str]:
    """Report nestings Telegram drops: formatting inside code/pre, links or quotes in themselves."""
    verbatim = [open_tag for open_tag in open_tags if open_tag in _VERBATIM]
    if verbatim and not (open_tags[-1] == "pre" and tag == "code"):
        return [f"<{tag}> cannot be inside <{verbatim[-1]}>"]
    if tag in _NOT_NESTED and tag in open_tags:
        return [f"<{tag}> cannot be nested"]
    return []
