"""Settings from the environment (and a `.env` file in the working directory)."""

from __future__ import annotations

import difflib
import ipaddress
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from dotenv import dotenv_values

from bot.commands.parsing import ArgumentError, canonical_timezone, parse_time
from bot.service.zone_rules import zone_problem
from scheduler.due import Schedule
from tips import LIBRARY_DIR

_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_LOG_FORMATS = ("text", "json")
# Telegram's rule for setWebhook's secret_token: 1-256 of these; we ask for at least 16.
_SECRET = re.compile(r"[A-Za-z0-9_-]+")
_SECRET_LENGTH = (16, 256)
_SECRET_RULE = "16 to 256 characters of A-Z, a-z, 0-9, _ and -"
WEBHOOK_PORTS = (443, 80, 88, 8443)  # the only ports Telegram POSTs to
_LOOPBACK = ("localhost", "127.0.0.1", "::1")
FREE_RATE = 30.0  # messages a second Telegram allows a bot without paid broadcasts
DEFAULT_DATABASE = Path("data/gutbone.db")
_CLOSE = 0.85  # how alike a name must be to one of ours to be taken for a typo of it


class ConfigError(Exception):
    """Settings are missing or wrong; each problem says which and how to fix it, in one line.

    `problems` holds every one found (the bot prints each; `check` too); the message is the
    first, so a caller that shows one line shows the one that comes first.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__(problems[0] if problems else "")
        self.problems: tuple[str, ...] = problems


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    api_base_url: str = "https://api.telegram.org/bot"
    database_path: Path = DEFAULT_DATABASE
    tips_library: Path = LIBRARY_DIR  # another library: a curator's draft, or the tests' own
    default_timezone: str = "UTC"
    default_delivery_time: time = time(8, 0)
    admin_user_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    broadcast_rate: float = FREE_RATE
    paid_broadcast: bool = False
    metrics_port: int | None = None  # None: no metrics endpoint
    metrics_listen: str = "127.0.0.1"
    log_format: str = "text"
    webhook_url: str | None = None  # None: long polling
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    webhook_secret: str | None = field(default=None, repr=False)

    @property
    def webhook_path(self) -> str:
        """The path the webhook server answers on: WEBHOOK_URL's, as a reverse proxy passes it."""
        return urlsplit(self.webhook_url or "").path or "/"

    @property
    def default_schedule(self) -> Schedule:
        return Schedule(at=self.default_delivery_time, timezone=ZoneInfo(self.default_timezone))


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Read settings; real environment variables win over the `.env` file."""
    return parse_settings(_raw_values(environ, env_file))


def raw_token(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> str:
    """The token as configured, valid or not: what must never be printed, known before
    anything else can fail (even reading the other settings)."""
    return _raw_values(environ, env_file).get("TELEGRAM_BOT_TOKEN", "").strip()


def raw_secrets(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> list[str]:
    """Every secret as configured, valid or not (the token and the webhook secret)."""
    values = _raw_values(environ, env_file)
    secrets = (values.get(name, "").strip() for name in ("TELEGRAM_BOT_TOKEN", "WEBHOOK_SECRET"))
    return [secret for secret in secrets if secret]


def database_path(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Path:
    """Only `DATABASE_PATH`, read as `load_settings` reads it: for the commands that need
    nothing else (`stats`, `backup`, `health`), which must work without a token."""
    raw = _raw_values(environ, env_file).get("DATABASE_PATH", "").strip()
    return Path(raw) if raw else DEFAULT_DATABASE


def check_env_file(env_file: Path | None) -> None:
    """An env file named on the command line must be there and readable (`./.env` may be
    missing: the environment alone is a configuration too)."""
    if env_file is None:
        return
    try:
        with env_file.open(encoding="utf-8"):
            pass
    except OSError as exc:
        raise ConfigError(f"cannot read the env file {env_file} ({exc.strerror})") from None


def misspelled_variables(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> list[str]:
    """A line for each variable set that is not ours but looks like one of ours (a typo the
    bot would silently ignore, running on a default instead): "did you mean …?"."""
    lines = []
    for name in sorted(_raw_values(environ, env_file)):
        if name in VARIABLE_NAMES:
            continue
        close = difflib.get_close_matches(name.upper(), VARIABLE_NAMES, n=1, cutoff=_CLOSE)
        if close:
            lines.append(f"{name} is not a setting of this bot: did you mean {close[0]}?")
    return lines


def _raw_values(environ: Mapping[str, str] | None, env_file: Path | None) -> dict[str, str]:
    env_file = env_file if env_file is not None else Path.cwd() / ".env"
    values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values.update(os.environ if environ is None else environ)
    return values


def parse_settings(values: Mapping[str, str]) -> Settings:
    """Validate raw strings into `Settings`, raising `ConfigError` with every problem found,
    each a one-line fix.

    An unset or blank variable keeps the dataclass default, so each default is written once.
    """
    problems: list[str] = []
    given: dict[str, Any] = {}
    failed: set[str] = set()
    for name, (variable, parse) in _ALL_VARIABLES.items():
        raw = values.get(variable, "").strip()
        if not raw and name != "token":
            continue
        try:
            given[name] = parse(raw)
        except ConfigError as problem:
            problems.extend(problem.problems)
            failed.add(name)
    settings = Settings(**{"token": "", **given})
    problems.extend(_combination_problems(settings, failed))
    if problems:
        raise ConfigError(*problems)
    return settings


def _combination_problems(settings: Settings, failed: set[str]) -> list[str]:
    """Settings fine on their own but not together; not judged when one of them is wrong."""
    problems = []
    paid_unknown = "paid_broadcast" in failed
    if settings.broadcast_rate > FREE_RATE and not settings.paid_broadcast and not paid_unknown:
        problems.append(
            f"BROADCAST_RATE above {FREE_RATE:g} needs PAID_BROADCAST=true "
            "(Telegram allows about 30 messages a second without paid broadcasts)"
        )
    if settings.webhook_url and not settings.webhook_secret and "webhook_secret" not in failed:
        problems.append(f"WEBHOOK_SECRET is required with WEBHOOK_URL: {_SECRET_RULE}")
    if settings.webhook_secret and not settings.webhook_url and "webhook_url" not in failed:
        problems.append(
            "WEBHOOK_SECRET is set but WEBHOOK_URL is not: set WEBHOOK_URL for a webhook,"
            " or remove WEBHOOK_SECRET for long polling"
        )
    return problems


def _token(raw: str) -> str:
    if not raw:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env")
    if not _TOKEN.match(raw):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is malformed: expected digits, a colon and the secret "
            "(as @BotFather gives it), without quotes or spaces"
        )
    return raw


def _base_url(raw: str) -> str:
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


def _timezone(raw: str) -> str:
    key = canonical_timezone(raw)
    problem = zone_problem(raw, key)
    if problem is not None or key is None:
        raise ConfigError(f"DEFAULT_TIMEZONE {raw!r} {problem}")
    return key


def _delivery_time(raw: str) -> time:
    try:
        return parse_time(raw)
    except ArgumentError:
        raise ConfigError(f"DEFAULT_DELIVERY_TIME {raw!r} is not a 24-hour HH:MM time") from None


def _admin_ids(raw: str) -> frozenset[int]:
    """Positive user ids only: 0, negative (chat) ids and absurdly long numbers are mistakes."""
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(re.fullmatch(r"[1-9]\d{0,15}", part) for part in parts):
        raise ConfigError("ADMIN_USER_IDS must be positive Telegram user ids separated by commas")
    return frozenset(int(part) for part in parts)


def _log_level(raw: str) -> str:
    if raw.upper() not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
    return raw.upper()


def _log_format(raw: str) -> str:
    if raw.lower() not in _LOG_FORMATS:
        raise ConfigError(f"LOG_FORMAT must be {' or '.join(_LOG_FORMATS)}")
    return raw.lower()


def _webhook_url(raw: str) -> str:
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


def _listen(variable: str) -> Callable[[str], str]:
    """A parser for the address a server listens on, naming `variable` when it is wrong."""

    def parse(raw: str) -> str:
        try:
            return str(ipaddress.ip_address(raw))
        except ValueError:
            raise ConfigError(
                f"{variable} must be an IP address to listen on, like 127.0.0.1 or 0.0.0.0"
            ) from None

    return parse


def _port(variable: str) -> Callable[[str], int]:
    """A parser for a TCP port, naming `variable` when it is wrong."""

    def parse(raw: str) -> int:
        if not re.fullmatch(r"\d{1,5}", raw) or not 1 <= int(raw) <= 65535:
            raise ConfigError(f"{variable} must be a TCP port number, 1 to 65535")
        return int(raw)

    return parse


def _webhook_secret(raw: str) -> str:
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
    raise ConfigError(f"WEBHOOK_SECRET must be {_SECRET_RULE} ({problem})")


def _rate(raw: str) -> float:
    try:
        rate = float(raw)
    except ValueError:
        rate = 0
    if not 1 <= rate <= 1000:
        raise ConfigError("BROADCAST_RATE must be a number of messages per second, 1 to 1000")
    return rate


def _flag(raw: str) -> bool:
    value = raw.casefold()
    if value not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError("PAID_BROADCAST must be true or false")
    return value in ("true", "1", "yes")


# Settings field → (environment variable, parser); the token (required) is read first.
_VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "api_base_url": ("TELEGRAM_API_BASE_URL", _base_url),
    "database_path": ("DATABASE_PATH", Path),
    "tips_library": ("TIPS_LIBRARY", Path),
    "default_timezone": ("DEFAULT_TIMEZONE", _timezone),
    "default_delivery_time": ("DEFAULT_DELIVERY_TIME", _delivery_time),
    "admin_user_ids": ("ADMIN_USER_IDS", _admin_ids),
    "log_level": ("LOG_LEVEL", _log_level),
    "broadcast_rate": ("BROADCAST_RATE", _rate),
    "paid_broadcast": ("PAID_BROADCAST", _flag),
    "metrics_port": ("METRICS_PORT", _port("METRICS_PORT")),
    "metrics_listen": ("METRICS_LISTEN", _listen("METRICS_LISTEN")),
    "log_format": ("LOG_FORMAT", _log_format),
    "webhook_url": ("WEBHOOK_URL", _webhook_url),
    "webhook_listen": ("WEBHOOK_LISTEN", _listen("WEBHOOK_LISTEN")),
    "webhook_port": ("WEBHOOK_PORT", _port("WEBHOOK_PORT")),
    "webhook_secret": ("WEBHOOK_SECRET", _webhook_secret),
}
_ALL_VARIABLES = {"token": ("TELEGRAM_BOT_TOKEN", _token), **_VARIABLES}
VARIABLE_NAMES = tuple(variable for variable, _ in _ALL_VARIABLES.values())
