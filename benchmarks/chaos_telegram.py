"""The emulator for the chaos benchmark: its own process, and the control endpoints chaos needs
(users in groups, admins, blocks and migrations the bot is not told of, random faults)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.chaos_children import spawn
from benchmarks.emulated import TOKEN, EmulatorProcess


@dataclass(frozen=True)
class UserMessage:
    """What a user writes: in a private chat (`user_id` None) or a group (sent by `user_id`)."""

    chat_id: int
    text: str
    user_id: int | None = None

    def json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"chat_id": self.chat_id, "text": self.text}
        if self.user_id is not None:
            found |= {"chat_type": "group", "user_id": self.user_id}
        return found


class ChaosTelegram(EmulatorProcess):
    """`async with ChaosTelegram() as telegram:` the emulator, with flood control on, dying with
    this process even if it is killed."""

    def __init__(self) -> None:
        super().__init__(flood_control=True)

    async def __aenter__(self) -> ChaosTelegram:
        arguments = ["-m", "emulator", "--headless", "--port", "0", "--token", TOKEN]
        arguments.append("--flood-control")
        self._process = await spawn(sys.executable, *arguments, stdout=asyncio.subprocess.PIPE)
        assert self._process.stdout is not None
        first = await asyncio.wait_for(self._process.stdout.readline(), 20)
        self.base_url = first.decode().split("base_url ")[1].strip()
        control = self.base_url.removesuffix("/bot") + "/_emulator"
        self._http = httpx.AsyncClient(base_url=control, timeout=30)
        return self

    async def write(self, messages: Iterable[UserMessage]) -> float:
        """Users write to the bot; when the emulator queued it (its monotonic clock)."""
        body = {"messages": [message.json() for message in messages]}
        return float((await self._post("/messages", body))["at"])

    async def make_admin(self, chat_id: int, user_id: int) -> None:
        await self._post("/members", {"chat_id": chat_id, "user_id": user_id, "status": "creator"})

    async def block(self, chat_id: int) -> None:
        """The user blocks the bot; the bot finds out at its next send (403)."""
        await self._post("/block", {"chat_id": chat_id})

    async def migrate(self, chat_id: int, new_chat_id: int) -> None:
        """The group becomes a supergroup; the bot finds out at its next send."""
        await self._post("/migrate", {"chat_id": chat_id, "new_chat_id": new_chat_id})

    async def inject_faults(self, config: Mapping[str, Any]) -> None:
        await self._post("/faults", dict(config))

    async def injected_faults(self) -> list[dict[str, Any]]:
        answer = await self._client().get("/faults")
        answer.raise_for_status()
        return list(answer.json()["injected"])

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = await self._client().post(path, json=body)
        answer.raise_for_status()
        return dict(answer.json())
