"""The bot's own account: getMe, its command menu, and close and logOut."""

from __future__ import annotations

import json
from typing import Any

from emulator.rules import validation
from emulator.state import State

__all__ = ["delete_my_commands", "get_me", "get_my_commands", "ok", "set_my_commands"]


async def get_me(state: State, params: dict[str, Any]) -> dict[str, Any]:
    return state.bot


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


def _commands_scope(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{params.get('language_code') or ''}"


async def ok(state: State, params: dict[str, Any]) -> bool:
    """close and logOut: nothing to do for a server that lives only as long as the test."""
    return True
