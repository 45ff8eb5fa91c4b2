"""Control endpoints for an emulator in its own process (benchmarks): act as users, read back.

Served under ``/_emulator/`` only when asked for (``BotAPIEmulator(control=True)``, or
``python -m emulator --headless``). Times are the emulator's ``time.monotonic()``, which on
Linux is one clock for every process on the machine, so a caller can compare them with its own.

- ``POST /_emulator/messages`` ``{"messages": [{"chat_id": 1, "text": "/start"}, ...]}``: users
  write to the bot; answers ``{"count": n, "at": t}`` (``t``: when they were queued). A message
  may name ``chat_type`` ("group", "supergroup") and ``user_id`` (the sender in a group).
- ``POST /_emulator/locations`` ``{"locations": [{"chat_id": 1, "latitude": 40.7,
  "longitude": -74.0}, ...]}``: users share a place (a location message); answers
  ``{"count": n, "at": t}``.
- ``POST /_emulator/presses`` ``{"presses": [{"chat_id": 1, "message_id": 2, "data": "..."}]}``:
  users press buttons under the bot's messages; answers ``{"count": n, "at": t, "ids": [...]}``
  (the callback query ids, in order).
- ``GET /_emulator/answers``: ``{"answers": {query_id: t}}``, when each press was answered.
- ``POST /_emulator/members`` ``{"chat_id": -5, "user_id": 42, "status": "administrator"}``: what
  getChatMember answers from now on.
- ``POST /_emulator/block`` ``{"chat_id": 42}``: the user blocked the bot; the bot is not told,
  it finds out when a send gets 403.
- ``POST /_emulator/migrate`` ``{"chat_id": -5, "new_chat_id": -1005}``: the group became a
  supergroup; the bot is not told, it finds out when a call to the old id is refused.
- ``POST /_emulator/faults`` ``{"rates": {"server_error": 0.02, ...}, "seed": 7,
  "methods": ["sendMessage"], "retry_after": 1, "slow_seconds": 1.0}``: from now on each call of
  ``methods`` meets a random fault at those rates (``emulator.faults.FAULT_KINDS``; empty
  rates: none). ``GET /_emulator/faults``: ``{"injected": [{"kind", "method", "chat_id", "at",
  "message_id"}, ...]}``, every fault injected so far; ``message_id`` is the message a call
  sent before its connection was dropped (``drop_after``).
- ``GET /_emulator/stats``: ``{"sent": n, "calls": {method: n}, "errors": {code: n},
  "pending_updates": n, "at": t}``.
- ``GET /_emulator/sent?offset=0&limit=5000&chat_id=42&text=1``: messages the bot sent, in order
  from ``offset`` (optionally to one chat), as ``{"messages": [...], "next": offset}``; each has
  ``chat_id``, ``message_id``, ``at``, ``callback_data`` and, with ``text=1``, ``text``. With
  ``edits=1``: the bot's edits instead, in order, each as the edit left the message.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict
from functools import partial
from typing import Any

from aiohttp import web

from emulator.core import BotAPI
from emulator.faults import random_faults_from

__all__ = ["PREFIX", "add_control_routes"]

PREFIX = "/_emulator"
_PAGE = 5000


def add_control_routes(app: web.Application, api: BotAPI) -> None:
    """Route ``/_emulator/...`` on ``app`` to ``api`` (before any catch-all route)."""
    app.router.add_post(f"{PREFIX}/messages", partial(_messages, api))
    app.router.add_post(f"{PREFIX}/locations", partial(_locations, api))
    app.router.add_post(f"{PREFIX}/presses", partial(_presses, api))
    app.router.add_get(f"{PREFIX}/answers", partial(_answers, api))
    app.router.add_get(f"{PREFIX}/stats", partial(_stats, api))
    app.router.add_get(f"{PREFIX}/sent", partial(_sent, api))
    app.router.add_post(f"{PREFIX}/members", partial(_members, api))
    app.router.add_post(f"{PREFIX}/block", partial(_block, api))
    app.router.add_post(f"{PREFIX}/migrate", partial(_migrate, api))
    app.router.add_post(f"{PREFIX}/faults", partial(_set_faults, api))
    app.router.add_get(f"{PREFIX}/faults", partial(_injected, api))


async def _messages(api: BotAPI, request: web.Request) -> web.Response:
    try:
        body = await request.json()
        messages = [_message(m) for m in body["messages"]]
    except (ValueError, KeyError, TypeError) as exc:
        return _refused(f"expected {{'messages': [...]}}: {exc!r}")
    for chat_id, text, how in messages:
        api.user_sends(chat_id, text, **how)
    return web.json_response({"count": len(messages), "at": time.monotonic()})


async def _locations(api: BotAPI, request: web.Request) -> web.Response:
    try:
        body = await request.json()
        places = [
            (int(p["chat_id"]), float(p["latitude"]), float(p["longitude"]))
            for p in body["locations"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        return _refused(f"expected {{'locations': [...]}}: {exc!r}")
    for chat_id, latitude, longitude in places:
        api.user_sends_location(chat_id, latitude, longitude)
    return web.json_response({"count": len(places), "at": time.monotonic()})


async def _presses(api: BotAPI, request: web.Request) -> web.Response:
    try:
        body = await request.json()
        presses = [
            (int(p["chat_id"]), int(p["message_id"]), str(p["data"])) for p in body["presses"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        return _refused(f"expected {{'presses': [...]}}: {exc!r}")
    ids = [api.user_presses(*press)["callback_query"]["id"] for press in presses]
    return web.json_response({"count": len(ids), "at": time.monotonic(), "ids": ids})


async def _answers(api: BotAPI, request: web.Request) -> web.Response:
    return web.json_response({"answers": api.answered})


def _message(item: dict[str, Any]) -> tuple[int, str, dict[str, Any]]:
    """(chat_id, text, user_sends' keyword arguments) from one message of the request."""
    how: dict[str, Any] = {}
    if "chat_type" in item:
        how["chat_type"] = str(item["chat_type"])
    if "user_id" in item:
        how["user_id"] = int(item["user_id"])
    return int(item["chat_id"]), str(item["text"]), how


async def _members(api: BotAPI, request: web.Request) -> web.Response:
    try:
        body = await request.json()
        api.set_member_status(int(body["chat_id"]), int(body["user_id"]), str(body["status"]))
    except (ValueError, KeyError, TypeError) as exc:
        return _refused(f"expected chat_id, user_id and a known status: {exc!r}")
    return web.json_response({"ok": True})


async def _block(api: BotAPI, request: web.Request) -> web.Response:
    try:
        api.block(int((await request.json())["chat_id"]))
    except (ValueError, KeyError, TypeError) as exc:
        return _refused(f"expected chat_id: {exc!r}")
    return web.json_response({"ok": True})


async def _migrate(api: BotAPI, request: web.Request) -> web.Response:
    try:
        body = await request.json()
        api.migrate(int(body["chat_id"]), int(body["new_chat_id"]))
    except (ValueError, KeyError, TypeError) as exc:
        return _refused(f"expected chat_id and new_chat_id: {exc!r}")
    return web.json_response({"ok": True})


async def _set_faults(api: BotAPI, request: web.Request) -> web.Response:
    try:
        config = await request.json()
        faults = random_faults_from(config) if config.get("rates") else None
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return _refused(f"expected {{'rates': {{kind: share}}, ...}}: {exc}")
    api.inject_random_faults(faults)
    return web.json_response({"ok": True})


async def _injected(api: BotAPI, request: web.Request) -> web.Response:
    return web.json_response({"injected": [asdict(fault) for fault in api.injected_faults]})


def _refused(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


async def _stats(api: BotAPI, request: web.Request) -> web.Response:
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
    listed = api.edits if query.get("edits") == "1" else api.sent
    found: list[dict[str, Any]] = []
    index = offset
    while index < len(listed) and len(found) < limit:
        message = listed[index]
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
