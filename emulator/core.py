"""The emulated Bot API without HTTP: tests act as users, inject faults and watch the bot."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from emulator.acting import ActingAsUsers
from emulator.faults import RATE_LIMIT, SERVER_ERROR, SLOW, InjectedFault, RandomFaults
from emulator.methods import METHODS, canonical_name
from emulator.rules import scopes
from emulator.rules.errors import ApiError, unauthorized
from emulator.state import SentDocument, SentMessage, State
from emulator.watching import Watching

__all__ = ["BotAPI"]


class BotAPI(ActingAsUsers, Watching):
    """One bot's view of Telegram: what users send it, what it sent, what fails on purpose.

    Acting as users is :class:`emulator.acting.ActingAsUsers`; watching the bot is
    :class:`emulator.watching.Watching`; the calls themselves and their faults are here.
    """

    def __init__(self, *, bot_username: str = "GutBoneDailyBot", bot_id: int = 123456) -> None:
        self._state = State(bot=_bot_user(bot_id, bot_username))
        self.sent: list[SentMessage] = self._state.sent
        self.edits: list[SentMessage] = self._state.edits
        self.documents: list[SentDocument] = self._state.documents
        self.answered: dict[str, float] = self._state.answered  # query id -> when answered
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.errors: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
        self._callback_queries = 0
        self._last_user_message: dict[int, int] = {}  # chat_id -> message_id, for edits

    # --- the API itself -------------------------------------------------------------------

    async def call(
        self, method: str, params: dict[str, Any], *, fault: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        """Run one Bot API call; return the HTTP status and the JSON body Telegram would.
        ``fault``: what :meth:`draw_fault` drew for it (a 5xx or 429 answered instead, or a
        slow answer; the server carries out the drops)."""
        name = canonical_name(method)
        self.calls.append((name or method, params))
        self._state.changed.notify()  # wakes wait_for_calls before a long poll ends
        try:
            if self._state.revoked:  # the token is checked first, as Telegram does
                raise unauthorized()
            if name is None:
                raise ApiError(404, "Not Found")
            await self._meet_fault(fault, name, params)
            self._state.faults.check(name, scopes.target_chat(params))
            result = await METHODS[name](self._state, params)
        except ApiError as error:
            self.errors.append((name or method, params, error.body()))
            return error.status, error.body()
        finally:
            self._state.changed.notify()
        return 200, {"ok": True, "result": result}

    def draw_fault(self, method: str) -> str | None:
        """The random fault (``emulator.faults.FAULT_KINDS``) this call meets, if any."""
        drawn = self._state.faults.random
        return drawn.draw(canonical_name(method) or method) if drawn else None

    def record_fault(
        self, kind: str, method: str, params: dict[str, Any], message_id: int | None = None
    ) -> None:
        """Log a random fault injected (the server's drops call this too)."""
        name = canonical_name(method) or method
        self._state.faults.record(kind, name, params.get("chat_id"), time.monotonic(), message_id)

    async def _meet_fault(self, fault: str | None, method: str, params: dict[str, Any]) -> None:
        drawn = self._state.faults.random
        if fault not in (SERVER_ERROR, RATE_LIMIT, SLOW) or drawn is None:
            return
        self.record_fault(fault, method, params)
        if fault == SLOW:
            await asyncio.sleep(drawn.slow_seconds)
        else:
            raise drawn.error(fault)

    @property
    def bot_id(self) -> int:
        """The bot's own user id (what getMe answers)."""
        return int(self._state.bot["id"])

    # --- faults ---------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str,
        chat_id: int | None = None,
        parameters: dict[str, Any] | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id``) with this error; for
        the command-list methods, ``chat_id`` is the chat of their ``scope``."""
        error = ApiError(error_code, description, parameters)
        self._state.faults.schedule(canonical_name(method) or method, error, chat_id, times)

    def rate_limit_next(self, chat_id: int, retry_after: int = 1) -> None:
        """The next sendMessage to ``chat_id`` gets 429 with ``retry_after``."""
        self.fail_next(
            "sendMessage",
            error_code=429,
            description=f"Too Many Requests: retry after {retry_after}",
            chat_id=chat_id,
            parameters={"retry_after": retry_after},
        )

    def fail_with_server_error(self, times: int = 1) -> None:
        """The next ``times`` sendMessage calls get 502 Bad Gateway."""
        self.fail_next("sendMessage", error_code=502, description="Bad Gateway", times=times)

    def inject_random_faults(self, faults: RandomFaults | None) -> None:
        """From now on, calls of ``faults.methods`` meet faults drawn at its rates (None: no
        more). Drops and slow answers need HTTP: they happen in :class:`BotAPIEmulator`."""
        self._state.faults.random = faults

    @property
    def injected_faults(self) -> list[InjectedFault]:
        """Every random fault injected so far, in order."""
        return list(self._state.faults.injected)

    def revoke_token(self) -> None:
        """The owner revoked the token in @BotFather: every call, and every long poll already
        waiting, is answered 401 Unauthorized from now on."""
        self._state.revoked = True
        self._state.updates.arrived.notify()


def _bot_user(bot_id: int, username: str) -> dict[str, Any]:
    return {
        "id": bot_id,
        "is_bot": True,
        "first_name": "GutBone Daily",
        "username": username,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
