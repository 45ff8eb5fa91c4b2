"""The Bot API methods the emulator answers, as a table from name to handler."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from emulator import users, validation
from emulator.errors import ApiError, bad_request, unauthorized
from emulator.state import SentDocument, SentMessage, State, Webhook

__all__ = ["METHODS", "canonical_name"]

Handler = Callable[[State, dict[str, Any]], Awaitable[Any]]
MAX_CAPTION = 1024
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_WEBHOOK_PORTS = frozenset({443, 80, 88, 8443})
# Plain http is accepted for these hosts (a bot under test); Telegram itself wants https.
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active;"
    " use deleteWebhook to delete the webhook first"
)
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the"
    " same as a current content and reply markup of the message"
)


async def get_me(state: State, params: dict[str, Any]) -> dict[str, Any]:
    return state.bot


async def get_updates(state: State, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Long poll: answer as soon as an update is deliverable, or [] after ``timeout`` s."""
    if state.webhook is not None:
        raise ApiError(409, _WEBHOOK_ACTIVE)
    if isinstance(params.get("offset"), int):
        state.updates.confirm(params["offset"])
    if isinstance(params.get("allowed_updates"), list):
        state.updates.allowed = frozenset(params["allowed_updates"]) or None
    limit = min(max(_int(params, "limit", 100), 1), 100)
    state.polls += 1
    poll = state.polls
    state.updates.arrived.notify()  # an older long poll ends now, with 409

    def answered() -> bool:
        ended = state.closing or state.revoked or poll != state.polls
        ended = ended or state.webhook is not None
        return ended or bool(state.updates.deliverable(limit))

    await state.updates.arrived.wait_until(answered, max(0.0, _number(params, "timeout", 0)))
    if state.revoked:
        raise unauthorized()
    if state.webhook is not None:
        raise ApiError(409, _WEBHOOK_ACTIVE)
    if poll != state.polls:
        raise ApiError(
            409,
            "Conflict: terminated by other getUpdates request; make sure that only one bot"
            " instance is running",
        )
    return [] if state.closing else state.updates.deliverable(limit)


async def set_webhook(state: State, params: dict[str, Any]) -> bool:
    """Register the URL updates are POSTed to (an empty one removes it), as Telegram checks it;
    the HTTP side (:class:`emulator.webhook.WebhookDelivery`) does the posting."""
    url = params.get("url")
    if not isinstance(url, str):
        raise bad_request('parameter "url" is required')
    secret = params.get("secret_token")
    if url:
        _check_webhook_url(url)
    if secret is not None and not (isinstance(secret, str) and _SECRET_TOKEN.fullmatch(secret)):
        raise bad_request("secret token contains unallowed characters")
    _drop_pending_if_asked(state, params)
    if not url:
        state.webhook = None
        return True
    if isinstance(params.get("allowed_updates"), list):
        state.updates.allowed = frozenset(params["allowed_updates"]) or None
    state.webhook = Webhook(url, secret, _int(params, "max_connections", 40))
    state.updates.arrived.notify()  # pending updates go out now; a long poll ends with 409
    return True


async def delete_webhook(state: State, params: dict[str, Any]) -> bool:
    """Back to getUpdates; PTB calls this before polling, maybe dropping pending updates."""
    _drop_pending_if_asked(state, params)
    state.webhook = None
    return True


async def get_webhook_info(state: State, params: dict[str, Any]) -> dict[str, Any]:
    info: dict[str, Any] = {
        "url": "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates.pending),
    }
    hook = state.webhook
    if hook is not None:
        info |= {"url": hook.url, "max_connections": hook.max_connections}
        if hook.last_error_date is not None:
            info |= {
                "last_error_date": hook.last_error_date,
                "last_error_message": hook.last_error_message,
            }
    return info


async def set_my_commands(state: State, params: dict[str, Any]) -> bool:
    scope = _commands_scope(params)
    state.commands[scope] = validation.bot_commands(params)
    state.last_commands_scope = scope
    return True


async def get_my_commands(state: State, params: dict[str, Any]) -> list[dict[str, str]]:
    return state.commands.get(_commands_scope(params), [])


async def delete_my_commands(state: State, params: dict[str, Any]) -> bool:
    state.commands.pop(_commands_scope(params), None)
    return True


async def send_message(state: State, params: dict[str, Any]) -> dict[str, Any]:
    """Check the message as Telegram does, then keep it both as sent and as returned."""
    chat_id = validation.chat_id(params)
    text, entities = validation.message_text(params)
    markup = validation.reply_markup(params)
    _check_can_post(state, chat_id)
    _check_flood(state, chat_id)
    message_id = state.chats.next_message_id(chat_id)
    message = {
        "message_id": message_id,
        "from": state.bot,
        "chat": state.chats.get(chat_id),
        "date": int(time.time()),
    }
    message = _with_content(message, text, entities, markup)
    sent = SentMessage(
        chat_id, message_id, params["text"], params.get("parse_mode"), markup, time.monotonic()
    )
    state.bot_messages[chat_id, message_id] = (sent, message)
    state.sent.append(sent)
    return message


async def send_document(state: State, params: dict[str, Any]) -> dict[str, Any]:
    """Keep an uploaded file (or one sent by file_id or URL) with its caption, as sent."""
    chat_id = validation.chat_id(params)
    document = validation.require(params, "document")
    uploaded = document if isinstance(document, dict) else {}
    content: bytes = uploaded.get("content", b"")
    if uploaded and not content:
        raise bad_request("file must be non-empty")
    caption = params.get("caption") or None
    message: dict[str, Any] = {}
    if caption is not None:
        message = _captioned(caption, params.get("parse_mode"))
    markup = validation.reply_markup(params)
    _check_can_post(state, chat_id)
    _check_flood(state, chat_id)
    message_id = state.chats.next_message_id(chat_id)
    name = uploaded.get("filename")
    message |= {
        "message_id": message_id,
        "from": state.bot,
        "chat": state.chats.get(chat_id),
        "date": int(time.time()),
        "document": _document(chat_id, message_id, name, content, uploaded.get("content_type")),
    }
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    state.documents.append(
        SentDocument(chat_id, message_id, name, content, caption, time.monotonic())
    )
    return message


def _captioned(caption: str, parse_mode: str | None) -> dict[str, Any]:
    if len(caption) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    visible, entities = validation.message_text({"text": caption, "parse_mode": parse_mode})
    return {"caption": visible} | ({"caption_entities": entities} if entities else {})


def _document(
    chat_id: int, message_id: int, name: str | None, content: bytes, mime: str | None
) -> dict[str, Any]:
    unique = f"doc{abs(chat_id)}m{message_id}"
    document: dict[str, Any] = {"file_id": f"BQ{unique}", "file_unique_id": unique}
    if name:
        document["file_name"] = name
    if mime:
        document["mime_type"] = mime
    return document | {"file_size": len(content)}


async def edit_message_text(state: State, params: dict[str, Any]) -> dict[str, Any]:
    """Replace text and keyboard; leaving reply_markup out removes the keyboard, as in Telegram."""
    old_sent, old = _message_to_edit(state, params)
    text, entities = validation.message_text(params)
    markup = validation.reply_markup(params)
    new = _with_content(old, text, entities, markup)
    parse_mode = params.get("parse_mode")
    sent = replace(old_sent, text=params["text"], parse_mode=parse_mode, reply_markup=markup)
    return _store_edit(state, old, new, sent)


async def edit_message_reply_markup(state: State, params: dict[str, Any]) -> dict[str, Any]:
    old_sent, old = _message_to_edit(state, params)
    markup = validation.reply_markup(params)
    new = _with_content(old, old["text"], old.get("entities", []), markup)
    return _store_edit(state, old, new, replace(old_sent, reply_markup=markup))


async def answer_callback_query(state: State, params: dict[str, Any]) -> bool:
    """Each query from :meth:`BotAPI.user_presses` can be answered once."""
    query_id = str(validation.require(params, "callback_query_id"))
    if query_id not in state.callback_ids:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    state.callback_ids.discard(query_id)
    state.answered[query_id] = time.monotonic()
    return True


async def send_chat_action(state: State, params: dict[str, Any]) -> bool:
    validation.chat_id(params)
    if params.get("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


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


async def ok(state: State, params: dict[str, Any]) -> bool:
    """close and logOut: nothing to do for a server that lives only as long as the test."""
    return True


def _int(params: dict[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _number(params: dict[str, Any], name: str, default: float) -> float:
    value = params.get(name, default)
    is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if is_number else default


def _drop_pending_if_asked(state: State, params: dict[str, Any]) -> None:
    if params.get("drop_pending_updates") is True:
        state.updates.pending.clear()


def _check_webhook_url(url: str) -> None:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        raise bad_request(
            "bad webhook: Failed to resolve host: Name or service not known"
        ) from None
    if parts.scheme == "http" and host in LOOPBACK_HOSTS:
        return
    if parts.scheme != "https" or not host:
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    if (port or 443) not in _WEBHOOK_PORTS:
        raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")


def _commands_scope(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{params.get('language_code') or ''}"


def _check_can_post(state: State, chat_id: int) -> None:
    """In a channel only admins allowed to post may send: Telegram's answers otherwise."""
    if state.chats.get(chat_id)["type"] != "channel":
        return
    key = (chat_id, state.bot["id"])
    status = state.members.get(key)
    if status not in ("administrator", "creator"):
        raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
    if status == "administrator" and not state.rights.get(key, {}).get("can_post_messages"):
        raise bad_request("need administrator rights in the channel chat")


def _check_flood(state: State, chat_id: int) -> None:
    """With flood control on, answer 429 as Telegram does past its limits; count the send."""
    if not state.flood_control:
        return
    now = time.monotonic()
    wait = state.flood.retry_after(chat_id, now)
    if wait is not None:
        raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
    state.flood.record(chat_id, now)


def _with_content(
    message: dict[str, Any],
    text: str,
    entities: list[dict[str, Any]],
    markup: dict[str, Any] | None,
) -> dict[str, Any]:
    """A copy of ``message`` with new text, entities and (inline only) reply markup."""
    new = {k: v for k, v in message.items() if k not in ("entities", "reply_markup")}
    new["text"] = text
    if entities:
        new["entities"] = entities
    if markup and "inline_keyboard" in markup:
        new["reply_markup"] = markup
    return new


def _message_to_edit(state: State, params: dict[str, Any]) -> tuple[SentMessage, dict[str, Any]]:
    if params.get("inline_message_id") is not None:
        raise bad_request("MESSAGE_ID_INVALID")
    chat_id = validation.chat_id(params)
    message_id = validation.require(params, "message_id")
    found = state.bot_messages.get((chat_id, message_id))
    if found is None:
        raise bad_request("message to edit not found")
    return found


def _store_edit(
    state: State, old: dict[str, Any], new: dict[str, Any], sent: SentMessage
) -> dict[str, Any]:
    """Keep an edit unless it changes nothing, which Telegram refuses."""
    if _content(old) == _content(new):
        raise bad_request(_NOT_MODIFIED)
    new["edit_date"] = int(time.time())
    sent = replace(sent, at=time.monotonic())
    state.bot_messages[sent.chat_id, sent.message_id] = (sent, new)
    state.edits.append(sent)
    return new


def _content(message: dict[str, Any]) -> tuple[Any, ...]:
    return message["text"], message.get("entities"), message.get("reply_markup")


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
