"""One private chat in a terminal: a person types to the bot and reads what it sends back.

The emulator's typing mode (``python -m emulator``) and any product's sandbox share it. A typed
line reaches the bot as a message; ``:N`` presses button N of the latest message with buttons,
``:press MESSAGE_ID DATA`` any button by its data, ``:location LAT LNG`` shares a place (as
the 📍 button of a reply keyboard does, when one shows it). The bot's messages are shown as a person
reads them in Telegram: the HTML gone (bold and italic kept on a terminal that shows them),
each link followed by its address, the buttons numbered, a button's pop-up answer quoted, a
file by its name and size.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from emulator.core import BotAPI
from emulator.rules.entities import HTMLParseError, parse_html
from emulator.state import SentDocument, SentMessage

__all__ = ["LOCATION_COMMAND", "TerminalChat", "attachment", "is_press", "readable", "stdin_lines"]

_INDENT = " " * 6
LOCATION_COMMAND = ":location"  # shares a place: `:location 40.71 -74.01`
Mark = tuple[int, int, int, int]  # sent, edits, calls, documents: see TerminalChat.mark
# ANSI styles for entities a terminal can show; everything else is shown as plain text.
_STYLES = {"bold": ("\x1b[1m", "\x1b[22m"), "italic": ("\x1b[3m", "\x1b[23m")}


class TerminalChat:
    """The person's side of private chat ``chat_id``, written line by line with ``write``:
    ``styled`` for bold and italic on a terminal, ``show_ids`` for message ids (what
    ``:press`` takes), ``width`` to wrap long lines as a chat window would."""

    def __init__(
        self,
        telegram: BotAPI,
        chat_id: int,
        write: Callable[[str], None],
        *,
        styled: bool = False,
        show_ids: bool = False,
        width: int | None = None,
    ) -> None:
        self._telegram = telegram
        self.chat_id = chat_id
        self._write = write
        self._styled = styled
        self._show_ids = show_ids
        self._width = width
        self._shown = (0, 0)  # how many of telegram.sent and telegram.edits were looked at
        self._answers_shown = 0  # how many of telegram.calls were looked at for pop-ups
        self._documents_shown = 0  # how many of telegram.documents were looked at
        self._pressed: set[str] = set()  # callback query ids of this chat's presses
        self._buttons: tuple[int, list[str]] | None = None  # message id, callback data

    def act(self, line: str) -> None:
        """Send a typed line as a message, or press a button (``:N``, ``:press ID DATA``).

        Raises ValueError with what to type instead, LookupError for a button that is not there.
        """
        if line.startswith(":press"):
            _, message_id, data = _split_press(line)
            self._press(message_id, data)
        elif line.startswith(LOCATION_COMMAND):
            self._telegram.user_sends_location(self.chat_id, *_split_location(line))
        elif is_press(line):
            self._press(*self._button(int(line[1:])))
        elif line.strip():
            self._telegram.user_sends(self.chat_id, line)

    def show_new(self) -> int:
        """Write what the bot sent this chat since the last call (messages, edits, pop-ups)."""
        sent, edits = self._telegram.sent, self._telegram.edits
        new = [(m, False) for m in sent[self._shown[0] :]]
        new += [(m, True) for m in edits[self._shown[1] :]]
        self._shown = (len(sent), len(edits))
        mine = [(m, edited) for m, edited in new if m.chat_id == self.chat_id]
        for message, edited in mine:
            self._show(message, edited)
        return len(mine) + self._show_documents() + self._show_pop_ups()

    async def wait_for_answer(self, since: Mark, timeout: float) -> bool:
        """Wait until the bot answered in this chat after ``since`` (from :meth:`mark`): a new
        message, edit or file, or a pop-up; False when ``timeout`` seconds passed first."""
        return await self._telegram.wait_until(lambda: self._answered_since(since), timeout)

    def mark(self) -> Mark:
        """Where the conversation stands now, for :meth:`wait_for_answer`."""
        t = self._telegram
        return len(t.sent), len(t.edits), len(t.calls), len(t.documents)

    def _answered_since(self, since: Mark) -> bool:
        sent, edits, calls, documents = since
        new = self._telegram.sent[sent:] + self._telegram.edits[edits:]
        if any(message.chat_id == self.chat_id for message in new):
            return True
        if any(d.chat_id == self.chat_id for d in self._telegram.documents[documents:]):
            return True
        return any(self._pop_up(params) for _, params in self._telegram.calls[calls:])

    def _press(self, message_id: int, data: str) -> None:
        update = self._telegram.user_presses(self.chat_id, message_id, data)
        self._pressed.add(update["callback_query"]["id"])

    def _button(self, number: int) -> tuple[int, str]:
        if self._buttons is None:
            raise LookupError("no message with buttons yet")
        message_id, buttons = self._buttons
        if not 1 <= number <= len(buttons):
            shown = len(buttons)
            raise LookupError(f"no button {number}: the latest message with buttons has {shown}")
        return message_id, buttons[number - 1]

    def _show(self, message: SentMessage, edited: bool) -> None:
        who = "bot" + (f" #{message.message_id}" if self._show_ids else "")
        who += " (edited)" if edited else ""
        body = readable(message, styled=self._styled)
        labels = _button_labels(message.reply_markup)
        if labels:
            body += "\n" + "   ".join(f"[{n}] {label}" for n, label in enumerate(labels, 1))
        keys = (message.reply_markup or {}).get("keyboard", [])
        if keys:
            body += "\n⌨ " + "   ".join(f"[{_key_text(key)}]" for row in keys for key in row)
            body += f"  ({LOCATION_COMMAND} LAT LNG shares a place)" if _asks_location(keys) else ""
        if message.callback_data:
            self._buttons = (message.message_id, message.callback_data)
        self._write(_block(f"{who} › ", body, self._width))

    def _show_documents(self) -> int:
        new = self._telegram.documents[self._documents_shown :]
        self._documents_shown = len(self._telegram.documents)
        mine = [document for document in new if document.chat_id == self.chat_id]
        for document in mine:
            self._write(_block("bot › ", attachment(document), self._width))
        return len(mine)

    def _show_pop_ups(self) -> int:
        calls = self._telegram.calls[self._answers_shown :]
        self._answers_shown = len(self._telegram.calls)
        texts = [text for _, params in calls if (text := self._pop_up(params))]
        for text in texts:
            self._write(_block("bot (pop-up) › ", text, self._width))
        return len(texts)

    def _pop_up(self, params: dict[str, Any]) -> str | None:
        """The text of a button's answer to one of this chat's presses, if it has one."""
        if str(params.get("callback_query_id")) not in self._pressed:
            return None
        text = params.get("text")
        return str(text) if text else None


def attachment(document: SentDocument) -> str:
    """A file as a chat shows it before it is opened: its name and size, then the caption."""
    name = document.file_name or "file"
    caption = f"\n{_without_html(document.caption)}" if document.caption else ""
    return f"📎 {name} ({len(document.content):,} bytes){caption}"


def is_press(line: str) -> bool:
    """Whether a typed line presses a button (``:N`` or ``:press ...``) rather than saying it."""
    return line.startswith(":press") or (line.startswith(":") and line[1:].strip().isdigit())


def readable(message: SentMessage, *, styled: bool = False) -> str:
    """The message as a person reads it: links followed by their address, and with ``styled``
    bold and italic as ANSI styles; text that is not valid HTML is shown as written."""
    if (message.parse_mode or "").upper() != "HTML":
        return message.text
    try:
        text, entities = parse_html(message.text)
    except HTMLParseError:
        return message.text
    units = _utf16_offsets(text)
    inserts: list[tuple[int, int, str]] = []  # (index, closing first, text)
    for entity in entities:
        start, end = units[entity["offset"]], units[entity["offset"] + entity["length"]]
        if entity["type"] == "text_link" and entity["url"] != text[start:end]:
            inserts.append((end, 0, f" ({entity['url']})"))
        elif styled and entity["type"] in _STYLES:
            opening, closing = _STYLES[entity["type"]]
            inserts += [(start, 1, opening), (end, 0, closing)]
    for index, _, insert in sorted(inserts, reverse=True):
        text = text[:index] + insert + text[index:]
    return text


def _without_html(text: str) -> str:
    try:
        return parse_html(text)[0]
    except HTMLParseError:
        return text


def _utf16_offsets(text: str) -> dict[int, int]:
    """Python string index for each UTF-16 offset (what Telegram's entities count in)."""
    offsets, unit = {0: 0}, 0
    for index, char in enumerate(text, 1):
        unit += 2 if ord(char) > 0xFFFF else 1
        offsets[unit] = index
    return offsets


def _button_labels(markup: dict[str, Any] | None) -> list[str]:
    rows = (markup or {}).get("inline_keyboard", [])
    return [str(button["text"]) for row in rows for button in row if "callback_data" in button]


def _block(head: str, body: str, width: int | None) -> str:
    """``head`` before the first line, the other lines indented under it, all wrapped to
    ``width`` (words and addresses kept whole)."""
    lines = body.split("\n")
    if width is not None:
        lines = [part for line in lines for part in _wrap(line, width - len(_INDENT))]
    rest = [f"{_INDENT}{line}" if line else "" for line in lines[1:]]
    return "\n".join([head + lines[0], *rest])


def _wrap(line: str, width: int) -> list[str]:
    return textwrap.wrap(line, width, break_long_words=False, break_on_hyphens=False) or [""]


def _key_text(key: Any) -> str:
    return str(key.get("text", "")) if isinstance(key, dict) else str(key)


def _asks_location(rows: list[list[Any]]) -> bool:
    return any(isinstance(key, dict) and key.get("request_location") for row in rows for key in row)


def _split_location(line: str) -> tuple[float, float]:
    parts = line.split()
    try:
        latitude, longitude = float(parts[1]), float(parts[2])
    except (IndexError, ValueError):
        raise ValueError(f"usage: {LOCATION_COMMAND} LAT LNG (New York: 40.71 -74.01)") from None
    if len(parts) != 3:
        raise ValueError(f"usage: {LOCATION_COMMAND} LAT LNG (New York: 40.71 -74.01)")
    return latitude, longitude


def _split_press(line: str) -> tuple[str, int, str]:
    parts = line.split(" ", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        raise ValueError("usage: :press MESSAGE_ID DATA (for example :press 4 source:fiber)")
    return parts[0], int(parts[1]), parts[2]


async def stdin_lines() -> AsyncIterator[str]:
    """Lines typed on stdin, without their newline, until end of input (Ctrl-D).

    Read in a daemon thread, so a blocked read never holds up Ctrl-C or the bot.
    """
    loop = asyncio.get_running_loop()
    lines: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in sys.stdin:
            loop.call_soon_threadsafe(lines.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="terminal-chat-stdin", daemon=True).start()
    while (line := await lines.get()) is not None:
        yield line
