"""After a button press: answering the callback query, and editing the bot's message."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from emulator.methods.messages import with_content
from emulator.rules import validation
from emulator.rules.errors import bad_request
from emulator.state import SentMessage, State

__all__ = ["answer_callback_query", "edit_message_reply_markup", "edit_message_text"]

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the"
    " same as a current content and reply markup of the message"
)


async def edit_message_text(state: State, params: dict[str, Any]) -> dict[str, Any]:
    """Replace text and keyboard; leaving reply_markup out removes the keyboard, as in Telegram."""
    old_sent, old = _message_to_edit(state, params)
    text, entities = validation.message_text(params)
    markup = validation.reply_markup(params)
    new = with_content(old, text, entities, markup)
    parse_mode = params.get("parse_mode")
    sent = replace(old_sent, text=params["text"], parse_mode=parse_mode, reply_markup=markup)
    return _store_edit(state, old, new, sent)


async def edit_message_reply_markup(state: State, params: dict[str, Any]) -> dict[str, Any]:
    old_sent, old = _message_to_edit(state, params)
    markup = validation.reply_markup(params)
    new = with_content(old, old["text"], old.get("entities", []), markup)
    return _store_edit(state, old, new, replace(old_sent, reply_markup=markup))


async def answer_callback_query(state: State, params: dict[str, Any]) -> bool:
    """Each query from :meth:`BotAPI.user_presses` can be answered once."""
    query_id = str(validation.require(params, "callback_query_id"))
    if query_id not in state.callback_ids:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    state.callback_ids.discard(query_id)
    state.answered[query_id] = time.monotonic()
    return True


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
