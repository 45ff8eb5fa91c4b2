"""The Bot API emulator in a process of its own (`python -m emulator --headless`), so the bot
being measured has a core to itself; acted on and read through its control endpoints."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Iterable
from types import TracebackType
from typing import Any

import httpx

from emulator import TEST_TOKEN

TOKEN = TEST_TOKEN
_TICKS = os.sysconf("SC_CLK_TCK")


class EmulatorProcess:
    """`async with EmulatorProcess(flood_control=True) as telegram:` ... `telegram.base_url`."""

    def __init__(self, *, flood_control: bool = False) -> None:
        self.flood_control = flood_control
        self.base_url = ""
        self._process: asyncio.subprocess.Process | None = None
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> EmulatorProcess:
        arguments = ["-m", "emulator", "--headless", "--port", "0", "--token", TOKEN]
        if self.flood_control:
            arguments.append("--flood-control")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable, *arguments, stdout=asyncio.subprocess.PIPE
        )
        assert self._process.stdout is not None
        first = await asyncio.wait_for(self._process.stdout.readline(), 20)
        self.base_url = first.decode().split("base_url ")[1].strip()
        control = self.base_url.removesuffix("/bot") + "/_emulator"
        self._http = httpx.AsyncClient(base_url=control, timeout=30)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._http is not None:
            await self._http.aclose()
        if self._process is not None and self._process.returncode is None:
            self._process.terminate()
            await asyncio.wait_for(self._process.wait(), 10)

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    async def users_send(self, messages: Iterable[tuple[int, str]]) -> float:
        """Users write to the bot; returns when the emulator queued them (its monotonic clock,
        which on Linux is this process's `time.monotonic()` too)."""
        body = {"messages": [{"chat_id": chat, "text": text} for chat, text in messages]}
        answer = await self._client().post("/messages", json=body)
        answer.raise_for_status()
        return float(answer.json()["at"])

    async def stats(self) -> dict[str, Any]:
        answer = await self._client().get("/stats")
        answer.raise_for_status()
        return dict(answer.json())

    async def sent(self, chat_id: int | None = None, *, text: bool = False) -> list[dict[str, Any]]:
        """Every message the bot sent (to `chat_id`), in order."""
        params: dict[str, Any] = {"text": "1"} if text else {}
        if chat_id is not None:
            params["chat_id"] = chat_id
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            answer = await self._client().get("/sent", params={**params, "offset": offset})
            answer.raise_for_status()
            page = answer.json()
            found += page["messages"]
            if page["next"] == offset:
                return found
            offset = page["next"]

    async def control(
        self, method: str, path: str, body: Any = None, params: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Any control endpoint (`emulator.control`), e.g. ("POST", "/presses", {...})."""
        answer = await self._client().request(method, path, json=body, params=params)
        answer.raise_for_status()
        return dict(answer.json())

    async def wait_until_sent(self, count: int, timeout: float) -> bool:
        """Wait until the bot sent at least `count` messages in all; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (await self.stats())["sent"] >= count:
                return True
            await asyncio.sleep(0.1)
        return False

    async def wait_for_call(self, method: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while (await self.stats())["calls"].get(method, 0) == 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {method} call within {timeout} s")
            await asyncio.sleep(0.05)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the emulator process used so far."""
        return cpu_seconds_of(self.pid)

    def _client(self) -> httpx.AsyncClient:
        assert self._http is not None, "use `async with`"
        return self._http


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU seconds of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def rss_mb_of(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]
