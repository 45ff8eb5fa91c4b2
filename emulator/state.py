"""What the emulated Bot API remembers: chats, messages the bot sent, pending updates."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.faults import Faults, chat_type_of
from emulator.rules.entities import HTMLParseError, parse_html
from emulator.rules.flood import FloodControl

__all__ = [
    "Chats",
    "SentDocument",
    "SentMessage",
    "SentPhoto",
    "Signal",
    "State",
    "UpdateQueue",
    "Webhook",
]

# Update types Telegram leaves out unless allowed_updates names them.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


@dataclass(frozen=True)
class SentMessage:
    """One message as the bot sent it (or as an edit left it)."""

    chat_id: int
    message_id: int
    text: str
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    at: float
    disable_notification: bool = False  # sent without a sound

    @property
    def visible_text(self) -> str:
        """The text as the user reads it, without HTML markup (as written if it is not valid)."""
        if (self.parse_mode or "").upper() != "HTML":
            return self.text
        try:
            return parse_html(self.text)[0]
        except HTMLParseError:
            return self.text

    @property
    def callback_data(self) -> list[str]:
        """The callback_data of every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        buttons = [button for row in rows for button in row]
        return [button["callback_data"] for button in buttons if "callback_data" in button]


@dataclass(frozen=True)
class SentDocument:
    """A file the bot sent with sendDocument: its name, bytes (empty when it was sent by
    file_id or URL rather than uploaded) and caption."""

    chat_id: int
    message_id: int
    file_name: str | None
    content: bytes
    caption: str | None
    at: float


@dataclass(frozen=True)
class SentPhoto:
    """A photo the bot sent with sendPhoto: its bytes (those of the photo it re-sent, for a
    file_id), the size Telegram read from them, and its caption."""

    chat_id: int
    message_id: int
    content: bytes
    width: int
    height: int
    caption: str | None
    at: float

    @property
    def size(self) -> int:
        """Bytes, as `file_size` says."""
        return len(self.content)


@dataclass
class Webhook:
    """What setWebhook registered, and how the last delivery to it went (getWebhookInfo)."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class Signal:
    """Wakes every waiter when something changed; waiters re-check their own condition."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake the current waiters (later waiters wait for the next notify)."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait_until(self, condition: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``condition()`` holds; False when ``timeout`` seconds passed first."""
        try:
            async with asyncio.timeout(timeout):
                while not condition():
                    await self._event.wait()
        except TimeoutError:
            return condition()
        return True


@dataclass
class UpdateQueue:
    """Updates kept for getUpdates until an offset confirms them, as Telegram keeps them."""

    pending: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1
    allowed: frozenset[str] | None = None  # None: Telegram's default set
    arrived: Signal = field(default_factory=Signal)

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue ``update`` under the next update_id and return it."""
        queued = {"update_id": self.next_id, **update}
        self.next_id += 1
        self.pending.append(queued)
        self.arrived.notify()
        return queued

    def confirm(self, offset: int) -> None:
        """Drop what the bot confirmed; a negative offset keeps only the last -offset updates."""
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def deliverable(self, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` updates the bot asked for; others are dropped as Telegram does."""
        self.pending = [u for u in self.pending if self._is_allowed(u)]
        return self.pending[:limit]

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        kinds = set(update) - {"update_id"}
        if self.allowed is None:
            return not kinds <= _OPT_IN_UPDATES
        return bool(kinds & self.allowed)


class Chats:
    """Chat objects by id, and the per-chat message_id counter both sides share."""

    def __init__(self) -> None:
        self._chats: dict[int, dict[str, Any]] = {}
        self._last_message_id: dict[int, int] = {}

    def get(self, chat_id: int) -> dict[str, Any]:
        """The Chat object for ``chat_id``; a chat never seen gets a plausible one."""
        if chat_id not in self._chats:
            self._chats[chat_id] = _default_chat(chat_id)
        return dict(self._chats[chat_id])

    def remember(self, chat: dict[str, Any]) -> None:
        """Keep ``chat`` (type, title, name) for every later message in it."""
        self._chats[chat["id"]] = dict(chat)

    def next_message_id(self, chat_id: int) -> int:
        """Allocate the next message_id in ``chat_id``."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]


def _default_chat(chat_id: int) -> dict[str, Any]:
    kind = chat_type_of(chat_id)
    if kind == "private":
        return {"id": chat_id, "type": kind, "first_name": f"User {chat_id}"}
    return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}


@dataclass
class State:
    """Everything the Bot API methods read and change, in one place."""

    bot: dict[str, Any]
    chats: Chats = field(default_factory=Chats)
    updates: UpdateQueue = field(default_factory=UpdateQueue)
    faults: Faults = field(default_factory=Faults)
    flood: FloodControl = field(default_factory=FloodControl)
    flood_control: bool = False
    sent: list[SentMessage] = field(default_factory=list)
    edits: list[SentMessage] = field(default_factory=list)
    documents: list[SentDocument] = field(default_factory=list)
    photos: list[SentPhoto] = field(default_factory=list)
    photo_files: dict[str, tuple[bytes, int, int]] = field(default_factory=dict)  # by file_id
    # (chat_id, message_id) -> the message now, as the bot wrote it and as Telegram returns it
    bot_messages: dict[tuple[int, int], tuple[SentMessage, dict[str, Any]]] = field(
        default_factory=dict
    )
    # chat_id -> the reply keyboard the user sees in place of theirs (ReplyKeyboardMarkup)
    reply_keyboards: dict[int, dict[str, Any]] = field(default_factory=dict)
    # (scope type, chat_id, user_id, language_code) -> the command list set for that scope
    commands: dict[tuple[str, int | None, int | None, str], list[dict[str, str]]] = field(
        default_factory=dict
    )
    last_commands_scope: tuple[str, int | None, int | None, str] | None = None
    callback_ids: set[str] = field(default_factory=set)
    answered: dict[str, float] = field(default_factory=dict)  # query id -> when answered
    members: dict[tuple[int, int], str] = field(default_factory=dict)  # (chat, user) -> status
    rights: dict[tuple[int, int], dict[str, bool]] = field(default_factory=dict)  # admin rights
    usernames: dict[str, int] = field(default_factory=dict)  # lower-case username -> chat id
    changed: Signal = field(default_factory=Signal)
    webhook: Webhook | None = None  # set: updates are POSTed to it, getUpdates answers 409
    polls: int = 0  # getUpdates requests so far: a newer one ends an older long poll
    closing: bool = False
    revoked: bool = False  # the token was revoked: every call answers 401
