"""Parameter checks Telegram makes before it sends anything, with its error wording."""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.rules.entities import HTMLParseError, parse_html
from emulator.rules.errors import bad_request

__all__ = [
    "bot_commands",
    "chat_id",
    "keyboard_fits_chat",
    "message_text",
    "reply_markup",
    "require",
]

MAX_TEXT = 4096
MAX_CALLBACK_DATA = 64
MAX_COMMANDS = 100
_PARSE_MODES = {"html", "markdown", "markdownv2"}
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")


def require(params: dict[str, Any], name: str) -> Any:
    """The parameter ``name``; Telegram's "... is empty" answer when it is missing."""
    value = params.get(name)
    if value is None or value == "":
        raise bad_request(f"{name} is empty")
    return value


def chat_id(params: dict[str, Any]) -> int:
    """The numeric chat_id; an @username is a chat the emulator cannot know."""
    value = require(params, "chat_id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request("chat not found")
    return value


def message_text(params: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and entities of ``text``, checked as Telegram checks it."""
    text = params.get("text")
    if not isinstance(text, str) or not text.strip():
        raise bad_request("message text is empty")
    parse_mode = params.get("parse_mode")
    if parse_mode and str(parse_mode).lower() not in _PARSE_MODES:
        raise bad_request(f"unsupported parse_mode {parse_mode}")
    visible: str = text
    entities: list[dict[str, Any]] = []
    if parse_mode and str(parse_mode).lower() == "html":
        try:
            visible, entities = parse_html(text)
        except HTMLParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    if not visible.strip():
        raise bad_request("message text is empty")
    if len(visible) > MAX_TEXT:
        raise bad_request("message is too long")
    return visible, entities


def reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """The decoded reply_markup, checked: an inline keyboard (its buttons' callback_data), a
    reply keyboard (ReplyKeyboardMarkup: its buttons' text), or ReplyKeyboardRemove."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if isinstance(markup, str):
        try:
            markup = json.loads(markup)
        except ValueError:
            markup = None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "keyboard" in markup:
        return _reply_keyboard(markup)
    if "remove_keyboard" in markup:
        if markup["remove_keyboard"] is not True:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return markup
    rows = markup.get("inline_keyboard", [])
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            _check_button(button)
    return markup


def _reply_keyboard(markup: dict[str, Any]) -> dict[str, Any]:
    rows = markup["keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
    for button in (button for row in rows for button in row):
        text = button.get("text") if isinstance(button, dict) else button
        if not isinstance(text, str) or not text.strip():
            raise bad_request("BUTTON_TEXT_EMPTY")
    return markup


def keyboard_fits_chat(markup: dict[str, Any] | None, chat_type: str) -> None:
    """A reply keyboard's location and contact requests work in private chats only."""
    rows = (markup or {}).get("keyboard", [])
    buttons = [button for row in rows for button in row if isinstance(button, dict)]
    if chat_type == "private":
        return
    if any(button.get("request_location") for button in buttons):
        raise bad_request("location can be requested in a private chats only")
    if any(button.get("request_contact") for button in buttons):
        raise bad_request("phone number can be requested in a private chats only")


def _check_button(button: object) -> None:
    if not isinstance(button, dict):
        raise bad_request("can't parse inline keyboard button: it must be an Object")
    if not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_EMPTY")
    data = button.get("callback_data")
    if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
        raise bad_request("BUTTON_DATA_INVALID")


def bot_commands(params: dict[str, Any]) -> list[dict[str, str]]:
    """The checked ``commands`` list of setMyCommands."""
    commands = params.get("commands")
    if isinstance(commands, str):
        try:
            commands = json.loads(commands)
        except ValueError:
            commands = None
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand: BotCommand must be an Object")
        if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return [{"command": c["command"], "description": c["description"]} for c in commands]
