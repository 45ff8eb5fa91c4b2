"""Telegram's HTML tags: the one table of what each makes, needs and may hold.

Read from the Bot API docs ("Formatting options", HTML style); `emulator.rules.entities` parses
markup against it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TAGS", "Tag"]


@dataclass(frozen=True)
class Tag:
    """What one HTML tag means to Telegram."""

    entity: str  # the MessageEntity type it makes
    holds: frozenset[str] | None = None  # tag names allowed anywhere inside it; None: any
    needs: tuple[str, str | None] | None = None  # (attribute, exact value or None for any)


_FORMATTING = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_INLINE = frozenset({*_FORMATTING, "span"})

# The one table of tags: Telegram accepts these and nothing else.
TAGS: dict[str, Tag] = {
    **{name: Tag(entity) for name, entity in _FORMATTING.items()},
    "span": Tag("spoiler", needs=("class", "tg-spoiler")),
    "a": Tag("text_link", holds=_INLINE, needs=("href", None)),
    "tg-emoji": Tag("custom_emoji", holds=_INLINE, needs=("emoji-id", None)),
    "code": Tag("code", holds=frozenset()),
    "pre": Tag("pre", holds=frozenset({"code"})),  # only as <pre><code class="language-x">
    "blockquote": Tag("blockquote", holds=frozenset({*_INLINE, "a", "tg-emoji", "code", "pre"})),
}
