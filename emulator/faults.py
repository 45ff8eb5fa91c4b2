"""Failures the emulator injects: scheduled error answers and chats the bot may not reach."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.errors import ApiError, bad_request

__all__ = ["CHAT_METHODS", "Faults", "chat_type_of"]

# Methods that address a chat and so fail when the bot cannot reach it.
CHAT_METHODS = frozenset(
    {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup", "sendChatAction"}
)
_SUPERGROUP_IDS_BELOW = -1_000_000_000_000  # supergroup and channel ids look like -100xxxxxxxxxx


def chat_type_of(chat_id: int) -> str:
    """Guess a chat's type from its id, as Telegram's id ranges allow."""
    if chat_id > 0:
        return "private"
    return "supergroup" if chat_id <= _SUPERGROUP_IDS_BELOW else "group"


_UNREACHABLE = {
    "private": "Forbidden: bot was blocked by the user",
    "group": "Forbidden: bot was kicked from the group chat",
    "supergroup": "Forbidden: bot was kicked from the supergroup chat",
}


@dataclass
class _Scheduled:
    method: str
    error: ApiError
    chat_id: int | None
    times: int


class Faults:
    """Decides, before a method runs, whether Telegram would refuse it."""

    def __init__(self) -> None:
        self._scheduled: list[_Scheduled] = []
        self.blocked: set[int] = set()
        self.forgotten: set[int] = set()
        self.migrated: dict[int, int] = {}

    def schedule(self, method: str, error: ApiError, chat_id: int | None, times: int) -> None:
        """Answer the next ``times`` calls of ``method`` (to ``chat_id`` if given) with it."""
        if times < 1:
            raise ValueError(f"times must be at least 1, got {times}")
        self._scheduled.append(_Scheduled(method, error, chat_id, times))

    def check(self, method: str, chat_id: object) -> None:
        """Raise the :class:`ApiError` Telegram would answer, if any; scheduled ones first."""
        self._raise_scheduled(method, chat_id)
        if method in CHAT_METHODS and isinstance(chat_id, int):
            self._raise_unreachable(chat_id)

    def _raise_scheduled(self, method: str, chat_id: object) -> None:
        for rule in self._scheduled:
            if rule.method == method and rule.chat_id in (None, chat_id):
                rule.times -= 1
                if rule.times == 0:
                    self._scheduled.remove(rule)
                error = rule.error
                raise ApiError(error.error_code, error.description, error.parameters)

    def _raise_unreachable(self, chat_id: int) -> None:
        if chat_id in self.forgotten:
            raise bad_request("chat not found")
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        if chat_id in self.blocked:
            raise ApiError(403, _UNREACHABLE[chat_type_of(chat_id)])

    def reachable_again(self, chat_id: int, *, unblock: bool) -> None:
        """Forget that ``chat_id`` was gone (and blocked, when ``unblock``): a user wrote in it."""
        self.forgotten.discard(chat_id)
        if unblock:
            self.blocked.discard(chat_id)
