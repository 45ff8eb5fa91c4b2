"""Updates as Telegram sends them when a person writes to the bot or presses a button."""

from __future__ import annotations

import re
import time
from typing import Any

__all__ = [
    "GROUP_USER_ID",
    "callback_query",
    "command_entities",
    "media_message",
    "member_change",
    "message",
    "service_message",
    "user",
]

GROUP_USER_ID = 1001  # who writes in a group when the test does not say
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


def user(user_id: int, first_name: str) -> dict[str, Any]:
    """A User object for a person."""
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def command_entities(text: str) -> list[dict[str, Any]]:
    """A bot_command entity for a leading ``/command`` or ``/command@Bot``, as Telegram adds."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": match.end()}]


def message(
    message_id: int, chat: dict[str, Any], sender: dict[str, Any], text: str, *, edited: bool
) -> dict[str, Any]:
    """A text Message from ``sender`` in ``chat``; ``edited`` adds an edit_date."""
    now = int(time.time())
    result: dict[str, Any] = {
        "message_id": message_id,
        "from": sender,
        "chat": chat,
        "date": now,
        "text": text,
    }
    entities = command_entities(text)
    if entities:
        result["entities"] = entities
    if edited:
        result["edit_date"] = now
    return result


def callback_query(
    query_id: str, sender: dict[str, Any], bot_message: dict[str, Any], data: str
) -> dict[str, Any]:
    """A CallbackQuery: ``sender`` pressed the button carrying ``data`` under ``bot_message``."""
    return {
        "id": query_id,
        "from": sender,
        "message": bot_message,
        "chat_instance": str(bot_message["chat"]["id"]),
        "data": data,
    }


_MEDIA: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]},
    "sticker": {
        "sticker": {
            "file_id": "s",
            "file_unique_id": "s",
            "type": "regular",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
        }
    },
}


def media_message(
    message_id: int, chat: dict[str, Any], sender: dict[str, Any], kind: str
) -> dict[str, Any]:
    """A Message with no text: a ``photo`` or a ``sticker``."""
    base = {"message_id": message_id, "from": sender, "chat": chat, "date": int(time.time())}
    return {**base, **_MEDIA[kind]}


def service_message(
    message_id: int, chat: dict[str, Any], sender: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """A service Message such as ``migrate_to_chat_id=...`` in a group."""
    base = {"message_id": message_id, "from": sender, "chat": chat, "date": int(time.time())}
    return {**base, **fields}


def member_change(
    chat: dict[str, Any], sender: dict[str, Any], bot: dict[str, Any], old: str, new: str
) -> dict[str, Any]:
    """A ChatMemberUpdated for the bot itself (``my_chat_member``), e.g. member → kicked."""
    new_member: dict[str, Any] = {"status": new, "user": bot}
    if new == "kicked":
        new_member["until_date"] = 0
    return {
        "chat": chat,
        "from": sender,
        "date": int(time.time()),
        "old_chat_member": {"status": old, "user": bot},
        "new_chat_member": new_member,
    }
