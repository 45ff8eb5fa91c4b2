"""Updates as Telegram sends them when a person writes to the bot or presses a button."""

from __future__ import annotations

import re
import time
from typing import Any

__all__ = [
    "ADMIN_STATUSES",
    "GROUP_USER_ID",
    "MEMBER_STATUSES",
    "callback_query",
    "chat_member",
    "command_entities",
    "forwarded_post",
    "location_message",
    "media_message",
    "member_change",
    "message",
    "on_behalf_of",
    "service_message",
    "user",
]

GROUP_USER_ID = 1001  # who writes in a group when the test does not say
ADMIN_STATUSES = frozenset({"creator", "administrator"})
MEMBER_STATUSES = ADMIN_STATUSES | {"member", "restricted", "left", "kicked"}
# The `from` Telegram puts on messages sent as a chat: an anonymous group admin, or a channel.
_GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
_CHANNEL_BOT = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
# ChatMemberAdministrator's required rights; an emulated admin has the usual ones.
_ADMIN_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}
_RESTRICTED_RIGHTS = {
    "is_member": True,
    "can_send_messages": False,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_manage_topics": False,
    "can_edit_tag": False,
    "can_react_to_messages": False,
    "until_date": 0,
}
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_STATUS_FIELDS: dict[str, dict[str, Any]] = {
    "creator": {"is_anonymous": False},
    "administrator": _ADMIN_RIGHTS,
    "restricted": _RESTRICTED_RIGHTS,
    "kicked": {"until_date": 0},
}


def user(user_id: int, first_name: str, *, is_bot: bool = False) -> dict[str, Any]:
    """A User object for a person (or, with ``is_bot``, another bot)."""
    if is_bot:
        return {"id": user_id, "is_bot": True, "first_name": first_name}
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def chat_member(
    member: dict[str, Any], status: str, rights: dict[str, bool] | None = None
) -> dict[str, Any]:
    """A ChatMember object, with the fields its ``status`` requires; ``rights`` override an
    administrator's (a channel's ``can_post_messages``, say)."""
    if status not in MEMBER_STATUSES:
        raise ValueError(f"unknown chat member status {status!r}")
    extra = rights if status == "administrator" and rights else {}
    return {"status": status, "user": member, **_STATUS_FIELDS.get(status, {}), **extra}


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


def forwarded_post(
    message_id: int, chat: dict[str, Any], sender: dict[str, Any], channel: dict[str, Any]
) -> dict[str, Any]:
    """A private Message forwarding post 1 of ``channel``: its ``forward_origin`` says so."""
    now = int(time.time())
    origin = {"type": "channel", "chat": channel, "message_id": 1, "date": now - 60}
    return {
        "message_id": message_id,
        "from": sender,
        "chat": chat,
        "date": now,
        "forward_origin": origin,
        "text": f"A post in {channel.get('title', 'a channel')}",
    }


def on_behalf_of(message: dict[str, Any], sender_chat: dict[str, Any]) -> dict[str, Any]:
    """``message`` sent as ``sender_chat``: by an anonymous admin when that is the group
    itself, else by a channel (a linked channel's post, or a user posting as their channel)."""
    as_group = sender_chat["id"] == message["chat"]["id"]
    sender = _GROUP_ANONYMOUS_BOT if as_group else _CHANNEL_BOT
    return {**message, "from": dict(sender), "sender_chat": sender_chat}


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


def location_message(
    message_id: int, chat: dict[str, Any], sender: dict[str, Any], location: tuple[float, float]
) -> dict[str, Any]:
    """A Message sharing a place, ``(latitude, longitude)``, as a Location object."""
    latitude, longitude = location
    base = {"message_id": message_id, "from": sender, "chat": chat, "date": int(time.time())}
    return {**base, "location": {"latitude": latitude, "longitude": longitude}}


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
