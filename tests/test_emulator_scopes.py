"""The emulator's command scopes: setMyCommands/getMyCommands/deleteMyCommands per scope and
language, and the menu a chat sees, in the Bot API's order (most specific scope first)."""

from __future__ import annotations

import json

import httpx
import pytest
from telegram import (
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeChatAdministrators,
    BotCommandScopeChatMember,
)
from telegram.error import BadRequest

from emulator import TEST_TOKEN as TOKEN
from emulator import BotAPIEmulator

PRIVATE, OTHER, GROUP, ADMIN, MEMBER, PICKED = 11, 12, -1005000000000, 21, 22, 23


def seen(telegram: BotAPIEmulator, chat_id: int, user_id: int | None = None, lang: str = ""):
    return [entry["command"] for entry in telegram.menu_seen(chat_id, user_id, lang)]


async def test_each_chat_sees_the_most_specific_scope_that_has_a_list(client, telegram):
    assert seen(telegram, PRIVATE) == []
    await client.set_my_commands([("default", "d")])
    assert seen(telegram, PRIVATE) == seen(telegram, GROUP, MEMBER) == ["default"]
    await client.set_my_commands([("private", "p")], scope=BotCommandScopeAllPrivateChats())
    await client.set_my_commands([("groups", "g")], scope=BotCommandScopeAllGroupChats())
    await client.set_my_commands([("admins", "a")], scope=BotCommandScopeAllChatAdministrators())
    await client.set_my_commands([("mine", "m")], scope=BotCommandScopeChat(PRIVATE))
    telegram.make_admin(GROUP, ADMIN)
    assert seen(telegram, PRIVATE) == ["mine"]
    assert seen(telegram, OTHER) == ["private"]
    assert seen(telegram, GROUP, MEMBER) == ["groups"]
    assert seen(telegram, GROUP, ADMIN) == ["admins"]
    await client.set_my_commands([("here", "h")], scope=BotCommandScopeChat(GROUP))
    await client.set_my_commands(
        [("here_admins", "h")], scope=BotCommandScopeChatAdministrators(GROUP)
    )
    await client.set_my_commands(
        [("just_you", "j")], scope=BotCommandScopeChatMember(GROUP, PICKED)
    )
    assert seen(telegram, GROUP, MEMBER) == ["here"]
    assert seen(telegram, GROUP, ADMIN) == ["here_admins"]
    assert seen(telegram, GROUP, PICKED) == ["just_you"]


async def test_a_scopes_own_language_comes_first(client, telegram):
    await client.set_my_commands([("hello", "h")])
    await client.set_my_commands([("hallo", "h")], language_code="de")
    await client.set_my_commands([("privat", "p")], BotCommandScopeAllPrivateChats(), "de")
    assert seen(telegram, PRIVATE, lang="de") == ["privat"]
    assert seen(telegram, GROUP, MEMBER, lang="de") == ["hallo"]
    assert seen(telegram, GROUP, MEMBER, lang="fr") == ["hello"]


async def test_get_and_delete_work_per_scope(client, telegram):
    await client.set_my_commands([("everyone", "e")])
    await client.set_my_commands([("mine", "m")], scope=BotCommandScopeChat(PRIVATE))
    got = await client.get_my_commands(scope=BotCommandScopeChat(PRIVATE))
    assert [c.command for c in got] == ["mine"]
    assert [c.command for c in await client.get_my_commands()] == ["everyone"]
    await client.delete_my_commands(scope=BotCommandScopeChat(PRIVATE))
    assert seen(telegram, PRIVATE) == ["everyone"]


@pytest.mark.parametrize(
    ("scope", "problem"),
    [
        ({"type": "everyone"}, "can't parse BotCommandScope"),
        ({"type": "chat"}, "chat_id is empty"),
        ({"type": "chat_member", "chat_id": GROUP}, "user_id is empty"),
        ({"type": "chat", "chat_id": "@nobody"}, "chat not found"),
        ("not json", "can't parse BotCommandScope"),
    ],
)
async def test_a_bad_scope_is_refused(telegram, scope, problem):
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"{telegram.base_url}{TOKEN}/setMyCommands",
            data={
                "commands": json.dumps([{"command": "a", "description": "b"}]),
                "scope": scope if isinstance(scope, str) else json.dumps(scope),
            },
        )
    assert answer.status_code == 400
    assert answer.json()["description"] == f"Bad Request: {problem}"
    assert telegram.menu_seen(PRIVATE) == []


async def test_a_bad_language_is_refused(client):
    with pytest.raises(BadRequest, match=r"(?i)invalid language code"):
        await client.set_my_commands([("a", "b")], language_code="english")
