"""Failures the emulator injects: scheduled error answers, chats the bot may not reach, and
random faults drawn at a rate (5xx, 429, slow answers, connections dropped before or after the
call is carried out) with a seeded RNG, for chaos runs."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from emulator.rules.errors import ApiError, bad_request

__all__ = [
    "CHAT_METHODS",
    "DROP_AFTER",
    "DROP_BEFORE",
    "FAULT_KINDS",
    "RATE_LIMIT",
    "SERVER_ERROR",
    "SLOW",
    "Faults",
    "InjectedFault",
    "RandomFaults",
    "chat_type_of",
    "random_faults_from",
]

# Methods that address a chat and so fail when the bot cannot reach it.
CHAT_METHODS = frozenset(
    {
        "sendMessage",
        "sendDocument",
        "sendPhoto",
        "editMessageText",
        "editMessageReplyMarkup",
        "sendChatAction",
    }
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


# Random fault kinds. The two drops differ only in what Telegram did: before, the call was never
# carried out; after, it was (a message sent) but the client sees the same lost connection.
SERVER_ERROR = "server_error"  # 502 Bad Gateway
RATE_LIMIT = "rate_limit"  # 429 Too Many Requests, with retry_after
SLOW = "slow"  # answered, `slow_seconds` late
DROP_BEFORE = "drop_before"  # connection closed, the call not carried out
DROP_AFTER = "drop_after"  # the call carried out, then the connection closed unanswered
FAULT_KINDS = (SERVER_ERROR, RATE_LIMIT, SLOW, DROP_BEFORE, DROP_AFTER)


@dataclass(frozen=True)
class InjectedFault:
    """One fault the emulator injected; ``message_id`` is the message a call sent all the same
    (a drop after the call), so a checker can tell a maybe-delivered message from a lost one."""

    kind: str
    method: str
    chat_id: int | None
    at: float  # time.monotonic()
    message_id: int | None = None


@dataclass
class RandomFaults:
    """Each call of ``methods`` meets at most one fault, drawn with ``rates`` (kind -> share of
    calls) from an RNG seeded with ``seed``, so a run can be repeated with the same draws."""

    rates: Mapping[str, float]
    seed: int = 0
    methods: frozenset[str] = frozenset({"sendMessage"})
    retry_after: int = 1
    slow_seconds: float = 1.0

    def __post_init__(self) -> None:
        unknown = set(self.rates) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        if any(not 0 <= rate <= 1 for rate in self.rates.values()) or sum(self.rates.values()) > 1:
            raise ValueError(f"rates must be within 0..1 and add up to at most 1: {self.rates}")
        if self.retry_after < 1 or self.slow_seconds < 0:
            raise ValueError("retry_after must be at least 1 and slow_seconds at least 0")
        self._rng = random.Random(self.seed)

    def draw(self, method: str) -> str | None:
        """The fault this call of ``method`` meets, or None (one RNG draw per call of
        ``methods``, none for other methods, so their calls do not shift the sequence)."""
        if method not in self.methods:
            return None
        point = self._rng.random()
        for kind in FAULT_KINDS:
            point -= self.rates.get(kind, 0.0)
            if point < 0:
                return kind
        return None

    def error(self, kind: str) -> ApiError:
        """The answer of an error kind, worded as Telegram words it."""
        if kind == RATE_LIMIT:
            retry = self.retry_after
            return ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
        if kind == SERVER_ERROR:
            return ApiError(502, "Bad Gateway")
        raise ValueError(f"{kind!r} is not answered with an error")


def random_faults_from(config: Mapping[str, object]) -> RandomFaults:
    """A :class:`RandomFaults` from JSON: ``{"rates": {...}, "seed": 7, "methods": [...],
    "retry_after": 1, "slow_seconds": 1.0}`` (all but ``rates`` optional)."""
    rates = config["rates"]
    if not isinstance(rates, Mapping):
        raise ValueError("rates must be an object: kind -> share of calls")
    methods = config.get("methods", ["sendMessage"])
    if not isinstance(methods, Iterable) or isinstance(methods, str):
        raise ValueError("methods must be a list of Bot API method names")
    return RandomFaults(
        {str(kind): _number(rates, str(kind), 0.0) for kind in rates},
        seed=int(_number(config, "seed", 0)),
        methods=frozenset(str(method) for method in methods),
        retry_after=int(_number(config, "retry_after", 1)),
        slow_seconds=_number(config, "slow_seconds", 1.0),
    )


def _number(config: Mapping[str, object], name: str, default: float) -> float:
    value = config.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {value!r}")
    return float(value)


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
        self.random: RandomFaults | None = None  # chaos runs: faults drawn at a rate
        self.injected: list[InjectedFault] = []  # every random fault so far, whatever the rates

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

    def record(
        self, kind: str, method: str, chat_id: object, at: float, message_id: int | None = None
    ) -> None:
        """Remember a random fault injected (``GET /_emulator/faults`` lists them)."""
        chat = chat_id if isinstance(chat_id, int) else None
        self.injected.append(InjectedFault(kind, method, chat, at, message_id))

    def reachable_again(self, chat_id: int, *, unblock: bool) -> None:
        """Forget that ``chat_id`` was gone (and blocked, when ``unblock``): a user wrote in it."""
        self.forgotten.discard(chat_id)
        if unblock:
            self.blocked.discard(chat_id)
