"""The Bot API methods the emulator answers, as a table from name to handler.

The handlers live by family: `account` (getMe, commands, close/logOut), `updates` (getUpdates,
webhooks), `messages` (sending), `photos` (sendPhoto), `edits` (callback answers, edits),
`chats` (chats, members).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from emulator.methods.account import (
    delete_my_commands,
    get_me,
    get_my_commands,
    ok,
    set_my_commands,
)
from emulator.methods.chats import get_chat, get_chat_member
from emulator.methods.edits import (
    answer_callback_query,
    edit_message_reply_markup,
    edit_message_text,
)
from emulator.methods.messages import send_chat_action, send_document, send_message
from emulator.methods.photos import send_photo
from emulator.methods.updates import (
    LOOPBACK_HOSTS,
    delete_webhook,
    get_updates,
    get_webhook_info,
    set_webhook,
)
from emulator.state import State

__all__ = ["LOOPBACK_HOSTS", "METHODS", "canonical_name"]

Handler = Callable[[State, dict[str, Any]], Awaitable[Any]]

METHODS: dict[str, Handler] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "sendMessage": send_message,
    "sendDocument": send_document,
    "sendPhoto": send_photo,
    "editMessageText": edit_message_text,
    "editMessageReplyMarkup": edit_message_reply_markup,
    "answerCallbackQuery": answer_callback_query,
    "sendChatAction": send_chat_action,
    "getChatMember": get_chat_member,
    "getChat": get_chat,
    "close": ok,
    "logOut": ok,
}
_BY_LOWER_NAME = {name.lower(): name for name in METHODS}


def canonical_name(method: str) -> str | None:
    """The method's documented spelling (Telegram ignores case), or None if unknown."""
    return _BY_LOWER_NAME.get(method.lower())
