"""Control endpoints for an emulator in its own process (benchmarks): act as users, read back.

Served under ``/_emulator/`` only when asked for (``BotAPIEmulator(control=True)``, or
``python -m emulator --headless``). Times are the emulator's ``time.monotonic()``, which on
Linux is one clock for every process on the machine, so a caller can compare them with its own.

- ``POST /_emulator/messages`` ``{"messages": [{"chat_id": 1, "text": "/start"}, ...]}``: users
  write to the bot; answers ``{"count": n, "at": t}`` (``t``: when they were queued).
- ``GET /_emulator/stats``: ``{"sent": n, "calls": {method: n}, "errors": {code: n},
  "pending_updates": n, "at": t}``.
- ``GET /_emulator/sent?offset=0&limit=5000&chat_id=42&text=1``: messages the bot sent, in order
  from ``offset`` (optionally to one chat), as ``{"messages": [...], "next": offset}``; each has
  ``chat_id``, ``message_id``, ``at``, ``callback_data`` and, with ``text=1``, ``text``.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from aiohttp import web

from emulator.core import BotAPI

__all__ = ["PREFIX", "add_control_routes"]

PREFIX = "/_emulator"
_PAGE = 5000


def add_control_routes(app: web.Application, api: BotAPI) -> None:
    """Route ``/_emulator/...`` on ``app`` to ``api`` (before any catch-all route)."""
    app.router.add_post(f"{PREFIX}/messages", lambda request: _messages(api, request))
    app.router.add_get(f"{PREFIX}/stats", lambda request: _stats(api))
    app.router.add_get(f"{PREFIX}/sent", lambda request: _sent(api, request))


async def _messages(api: BotAPI, request: web.Request) -> web.Response:
    try:
        body = await request.json()
        messages = [(int(m["chat_id"]), str(m["text"])) for m in body["messages"]]
    except (ValueError, KeyError, TypeError) as exc:
        return web.json_response({"error": f"expected {{'messages': [...]}}: {exc!r}"}, status=400)
    for chat_id, text in messages:
        api.user_sends(chat_id, text)
    return web.json_response({"count": len(messages), "at": time.monotonic()})


async def _stats(api: BotAPI) -> web.Response:
    calls = Counter(name for name, _ in api.calls)
    errors = Counter(str(body.get("error_code")) for _, _, body in api.errors)
    return web.json_response(
        {
            "sent": len(api.sent),
            "calls": dict(calls),
            "errors": dict(errors),
            "pending_updates": len(api.pending_updates),
            "at": time.monotonic(),
        }
    )


async def _sent(api: BotAPI, request: web.Request) -> web.Response:
    query = request.query
    try:
        offset = max(0, int(query.get("offset", 0)))
        limit = min(max(1, int(query.get("limit", _PAGE))), _PAGE)
        chat_id = int(query["chat_id"]) if "chat_id" in query else None
    except ValueError as exc:
        return web.json_response({"error": f"offset, limit, chat_id: {exc}"}, status=400)
    with_text = query.get("text") == "1"
    found: list[dict[str, Any]] = []
    index = offset
    while index < len(api.sent) and len(found) < limit:
        message = api.sent[index]
        index += 1
        if chat_id is not None and message.chat_id != chat_id:
            continue
        item: dict[str, Any] = {
            "chat_id": message.chat_id,
            "message_id": message.message_id,
            "at": message.at,
            "callback_data": message.callback_data,
        }
        if with_text:
            item["text"] = message.text
        found.append(item)
    return web.json_response({"messages": found, "next": index})
