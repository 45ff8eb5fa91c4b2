"""The bot's own account: getMe, its command menus (one a scope and language), close, logOut."""

from __future__ import annotations

from typing import Any

from emulator.rules import scopes, validation
from emulator.state import State

__all__ = ["delete_my_commands", "get_me", "get_my_commands", "ok", "set_my_commands"]


async def get_me(state: State, params: dict[str, Any]) -> dict[str, Any]:
    return state.bot


async def set_my_commands(state: State, params: dict[str, Any]) -> bool:
    scope = scopes.scope_key(params)
    state.commands[scope] = validation.bot_commands(params)
    state.last_commands_scope = scope
    return True


async def get_my_commands(state: State, params: dict[str, Any]) -> list[dict[str, str]]:
    return state.commands.get(scopes.scope_key(params), [])


async def delete_my_commands(state: State, params: dict[str, Any]) -> bool:
    state.commands.pop(scopes.scope_key(params), None)
    return True


async def ok(state: State, params: dict[str, Any]) -> bool:
    """close and logOut: nothing to do for a server that lives only as long as the test."""
    return True
