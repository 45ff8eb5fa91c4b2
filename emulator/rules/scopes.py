"""Command scopes, as the Bot API defines them: which command list a chat sees.

setMyCommands, getMyCommands and deleteMyCommands take a `scope` (and a `language_code`);
a client shows, for a chat and a person, the list of the most specific scope that has one,
in the order of Telegram's "Determining list of commands", a scope's own language first.
"""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.rules.errors import bad_request

__all__ = ["ScopeKey", "lookup_order", "scope_key", "target_chat"]

ScopeKey = tuple[str, int | None, int | None, str]  # type, chat_id, user_id, language_code

_NEEDS: dict[str, tuple[str, ...]] = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
_LANGUAGE = re.compile(r"[a-z]{2}")


def scope_key(params: dict[str, Any]) -> ScopeKey:
    """The checked scope and language of a command-list call, as a key."""
    scope = params.get("scope") or {"type": "default"}
    if isinstance(scope, str):
        try:
            scope = json.loads(scope)
        except ValueError:
            scope = None
    if not isinstance(scope, dict) or scope.get("type") not in _NEEDS:
        raise bad_request("can't parse BotCommandScope")
    kind = str(scope["type"])
    ids = {name: _an_id(scope.get(name), name) for name in _NEEDS[kind]}
    language = params.get("language_code") or ""
    if language and not _LANGUAGE.fullmatch(str(language)):
        raise bad_request("invalid language code specified")
    return (kind, ids.get("chat_id"), ids.get("user_id"), str(language))


def target_chat(params: dict[str, Any]) -> object:
    """The chat a call is about: its `chat_id`, or for a command list its scope's chat."""
    scope = params.get("scope")
    if isinstance(scope, str) and scope.startswith("{"):
        try:
            scope = json.loads(scope)
        except ValueError:
            scope = None
    if "chat_id" not in params and isinstance(scope, dict):
        return scope.get("chat_id")
    return params.get("chat_id")


def _an_id(value: Any, name: str) -> int:
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,20}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{name} is empty" if value in (None, "") else "chat not found")
    return value


def lookup_order(
    chat_id: int, chat_type: str, user_id: int | None, is_admin: bool, language: str
) -> list[ScopeKey]:
    """The scopes whose list the client shows in `chat_id` to `user_id`, most specific first."""
    if chat_type == "private":
        kinds: list[tuple[str, int | None, int | None]] = [
            ("chat", chat_id, None),
            ("all_private_chats", None, None),
        ]
    else:
        kinds = [
            ("chat_member", chat_id, user_id),
            *([("chat_administrators", chat_id, None)] if is_admin else []),
            ("chat", chat_id, None),
            *([("all_chat_administrators", None, None)] if is_admin else []),
            ("all_group_chats", None, None),
        ]
    kinds.append(("default", None, None))
    languages = [language, ""] if language else [""]
    return [(kind, chat, user, lang) for kind, chat, user in kinds for lang in languages]
