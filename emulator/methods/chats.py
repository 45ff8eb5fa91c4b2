"""What the bot asks about chats: getChat, and getChatMember (who may do what where)."""

from __future__ import annotations

from typing import Any

from emulator import users
from emulator.rules import validation
from emulator.rules.errors import bad_request
from emulator.state import State

__all__ = ["get_chat", "get_chat_member"]


async def get_chat_member(state: State, params: dict[str, Any]) -> dict[str, Any]:
    """A user's status in a chat: "member" unless :meth:`BotAPI.set_member_status` said else
    (in a channel: "left"; asking about anyone but itself needs the bot to be the channel's
    admin); an @username is resolved."""
    chat_id = _chat_id_or_username(state, params)
    user_id = params.get("user_id")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise bad_request("invalid user_id specified")
    is_channel = state.chats.get(chat_id)["type"] == "channel"
    bot_id = state.bot["id"]
    if is_channel and user_id != bot_id and state.members.get((chat_id, bot_id)) != "administrator":
        raise bad_request("member list is inaccessible")  # a channel's members: admins only
    unknown = "left" if is_channel else "member"
    status = state.members.get((chat_id, user_id), unknown)
    member = users.user(user_id, f"User {user_id}")
    return users.chat_member(member, status, state.rights.get((chat_id, user_id)))


async def get_chat(state: State, params: dict[str, Any]) -> dict[str, Any]:
    """A ChatFullInfo for a chat id or a channel's @username; 400 for a name nobody has."""
    chat = state.chats.get(_chat_id_or_username(state, params))
    gifts = dict.fromkeys(
        ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription"), False
    )
    gifts["gifts_from_channels"] = False
    return {**chat, "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}


def _chat_id_or_username(state: State, params: dict[str, Any]) -> int:
    value = validation.require(params, "chat_id")
    if isinstance(value, str) and value.startswith("@"):
        found = state.usernames.get(value[1:].lower())
        if found is None:
            raise bad_request("chat not found")
        return found
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return validation.chat_id(params)
