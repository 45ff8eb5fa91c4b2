"""The parser of each optional setting: a raw string from the environment → its typed value,
or a `ConfigError` saying in one line what is wrong and how to fix it.

None echoes what it was given where that may be a secret (a webhook secret, a URL that may
carry the token or a secret path). `bot.service.config` maps each variable to its parser.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from datetime import time
from urllib.parse import urlsplit

from bot.commands.parsing import ArgumentError, canonical_timezone, parse_24h_time
from bot.service.zone_rules import zone_problem

_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_LOG_FORMATS = ("text", "json")
# Telegram's rule for setWebhook's secret_token: 1-256 of these; we ask for at least 16.
_SECRET = re.compile(r"[A-Za-z0-9_-]+")
_SECRET_LENGTH = (16, 256)
SECRET_RULE = "16 to 256 characters of A-Z, a-z, 0-9, _ and -"
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram POSTs to
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


class ConfigError(Exception):
    """Settings are missing or wrong; each problem says which and how to fix it, in one line.

    `problems` holds every one found (the bot prints each; `check` too); the message is the
    first, so a caller that shows one line shows the one that comes first.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__(problems[0] if problems else "")
        self.problems: tuple[str, ...] = problems


def api_base_url(raw: str) -> str:
    """The token is appended to this URL: anything but `http(s)://host[:port]/…/bot` would put
    it in the host, the port or a query string, and from there into error messages.

    The URL is never echoed: a pasted `…/bot<token>` must not end up in the message.
    """
    if not raw.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_API_BASE_URL must start with http:// or https://")
    try:
        parts = urlsplit(raw)
        well_formed = bool(parts.hostname) and parts.port != 0  # .port raises if not a number
    except ValueError:
        well_formed = False
    if not well_formed or parts.query or parts.fragment or not parts.path.endswith("/bot"):
        raise ConfigError(
            "TELEGRAM_API_BASE_URL must be a host and a path ending in /bot, "
            "like https://api.telegram.org/bot (the token is appended to it)"
        )
    return raw


def default_timezone(raw: str) -> str:
    key = canonical_timezone(raw)
    problem = zone_problem(raw, key)
    if problem is not None or key is None:
        raise ConfigError(f"DEFAULT_TIMEZONE {raw!r} {problem}")
    return key


def default_delivery_time(raw: str) -> time:
    try:
        return parse_24h_time(raw)
    except ArgumentError:
        raise ConfigError(f"DEFAULT_DELIVERY_TIME {raw!r} is not a 24-hour HH:MM time") from None


def admin_user_ids(raw: str) -> frozenset[int]:
    """Positive user ids only: 0, negative (chat) ids and absurdly long numbers are mistakes."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(re.fullmatch(r"[1-9]\d{0,15}", part) for part in parts):
        raise ConfigError("ADMIN_USER_IDS must be positive Telegram user ids separated by commas")
    return frozenset(int(part) for part in parts)


def log_level(raw: str) -> str:
    if raw.upper() not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
    return raw.upper()


def log_format(raw: str) -> str:
    if raw.lower() not in _LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be {' or '.join(_LOG_FORMATS)}")
    return raw.lower()


def webhook_url(raw: str) -> str:
    """An https URL on a port Telegram posts to; plain http only on this machine (for the
    emulator). Not echoed: its path may be meant as a secret too."""
    try:
        parts = urlsplit(raw)
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host or parts.scheme not in ("https", "http") or parts.query or parts.fragment:
        raise ConfigError("WEBHOOK_URL must be an https URL, like https://bot.example.org/telegram")
    if parts.scheme == "http" and host not in _LOOPBACK:
        raise ConfigError("WEBHOOK_URL must use https (plain http only on 127.0.0.1 or localhost)")
    if parts.scheme == "https" and (port or 443) not in WEBHOOK_PORTS:
        ports = ", ".join(map(str, WEBHOOK_PORTS))
        raise ConfigError(f"WEBHOOK_URL's port must be one Telegram posts to: {ports}")
    return raw


def listen_parser(variable: str) -> Callable[[str], str]:
    """A parser for the address a server listens on, naming `variable` when it is wrong."""

    def parse(raw: str) -> str:
        try:
            return str(ipaddress.ip_address(raw))
        except ValueError:
            raise ConfigError(
                f"{variable} must be an IP address to listen on, like 127.0.0.1 or 0.0.0.0"
            ) from None

    return parse


def port_parser(variable: str) -> Callable[[str], int]:
    """A parser for a TCP port, naming `variable` when it is wrong."""

    def parse(raw: str) -> int:
        if not re.fullmatch(r"\d{1,5}", raw) or not 1 <= int(raw) <= 65535:
            raise ConfigError(f"{variable} must be a TCP port number, 1 to 65535")
        return int(raw)

    return parse


def webhook_secret(raw: str) -> str:
    """Never echoed, not even in part; only what is wrong with it."""
    shortest, longest = _SECRET_LENGTH
    if not _SECRET.fullmatch(raw):
        problem = "it has other characters"
    elif len(raw) < shortest:
        problem = f"it has {len(raw)}, too few to be hard to guess"
    elif len(raw) > longest:
        problem = f"it has {len(raw)}"
    else:
        return raw
    raise ConfigError(f"WEBHOOK_SECRET must be {SECRET_RULE} ({problem})")


def broadcast_rate(raw: str) -> float:
    try:
        rate = float(raw)
    except ValueError:
        rate = 0
    if not 1 <= rate <= 1000:
        raise ConfigError("BROADCAST_RATE must be a number of messages per second, 1 to 1000")
    return rate


def paid_broadcast(raw: str) -> bool:
    value = raw.casefold()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError("PAID_BROADCAST must be true or false")
    return value in ("true", "1", "yes")
