"""Sending: sendMessage, sendDocument and sendChatAction, checked as Telegram checks them
(sendPhoto: `emulator.methods.photos`, with the caption and posting rules shared here)."""

from __future__ import annotations

import time
from typing import Any

from emulator.rules import validation
from emulator.rules.errors import ApiError, bad_request
from emulator.state import SentDocument, SentMessage, State

__all__ = [
    "MAX_CAPTION",
    "captioned",
    "check_can_post",
    "check_flood",
    "send_chat_action",
    "send_document",
    "send_message",
    "with_content",
]

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


async def send_message(state: State, params: dict[str, Any]) -> dict[str, Any]:
    """Check the message as Telegram does, then keep it both as sent and as returned."""
    chat_id = validation.chat_id(params)
    text, entities = validation.message_text(params)
    markup = validation.reply_markup(params)
    validation.keyboard_fits_chat(markup, state.chats.get(chat_id)["type"])
    check_can_post(state, chat_id)
    check_flood(state, chat_id)
    message_id = state.chats.next_message_id(chat_id)
    message = {
        "message_id": message_id,
        "from": state.bot,
        "chat": state.chats.get(chat_id),
        "date": int(time.time()),
    }
    message = with_content(message, text, entities, markup)
    sent = SentMessage(
        chat_id,
        message_id,
        params["text"],
        params.get("parse_mode"),
        markup,
        time.monotonic(),
        params.get("disable_notification") in (True, "true"),
    )
    state.bot_messages[chat_id, message_id] = (sent, message)
    state.sent.append(sent)
    _show_keyboard(state, chat_id, markup)
    return message


def _show_keyboard(state: State, chat_id: int, markup: dict[str, Any] | None) -> None:
    """A reply keyboard replaces the user's keyboard until another one or its removal."""
    if markup and "keyboard" in markup:
        state.reply_keyboards[chat_id] = markup
    elif markup and markup.get("remove_keyboard"):
        state.reply_keyboards.pop(chat_id, None)


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
        message = captioned(caption, params.get("parse_mode"))
    markup = validation.reply_markup(params)
    check_can_post(state, chat_id)
    check_flood(state, chat_id)
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


def captioned(caption: str, parse_mode: str | None) -> dict[str, Any]:
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


async def send_chat_action(state: State, params: dict[str, Any]) -> bool:
    validation.chat_id(params)
    if params.get("action") not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True


def check_can_post(state: State, chat_id: int) -> None:
    """In a channel only admins allowed to post may send: Telegram's answers otherwise."""
    if state.chats.get(chat_id)["type"] != "channel":
        return
    key = (chat_id, state.bot["id"])
    status = state.members.get(key)
    if status not in ("administrator", "creator"):
        raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
    if status == "administrator" and not state.rights.get(key, {}).get("can_post_messages"):
        raise bad_request("need administrator rights in the channel chat")


def check_flood(state: State, chat_id: int) -> None:
    """With flood control on, answer 429 as Telegram does past its limits; count the send."""
    if not state.flood_control:
        return
    now = time.monotonic()
    wait = state.flood.retry_after(chat_id, now)
    if wait is not None:
        raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
    state.flood.record(chat_id, now)


def with_content(
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
