"""Settings from the environment (and a `.env` file in the working directory)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from dotenv import dotenv_values

from bot.parsing import ArgumentError, parse_time, timezone_is_valid
from scheduler.due import Schedule

_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    token: str = field(repr=False)
    api_base_url: str = "https://api.telegram.org/bot"
    database_path: Path = Path("data/gutbone.db")
    default_timezone: str = "UTC"
    default_delivery_time: time = time(8, 0)
    admin_user_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    broadcast_rate: float = 25.0

    @property
    def default_schedule(self) -> Schedule:
        return Schedule(at=self.default_delivery_time, timezone=ZoneInfo(self.default_timezone))


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = None
) -> Settings:
    """Read settings; real environment variables win over the `.env` file."""
    env_file = env_file if env_file is not None else Path.cwd() / ".env"
    values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    values.update(os.environ if environ is None else environ)
    return parse_settings(values)


def parse_settings(values: Mapping[str, str]) -> Settings:
    """Validate raw strings into `Settings`, raising `ConfigError` with a one-line fix."""
    get = lambda key, default="": values.get(key, default).strip()  # noqa: E731
    return Settings(
        token=_token(get("TELEGRAM_BOT_TOKEN")),
        api_base_url=_base_url(get("TELEGRAM_API_BASE_URL", "https://api.telegram.org/bot")),
        database_path=Path(get("DATABASE_PATH", "data/gutbone.db") or "data/gutbone.db"),
        default_timezone=_timezone(get("DEFAULT_TIMEZONE", "UTC") or "UTC"),
        default_delivery_time=_delivery_time(get("DEFAULT_DELIVERY_TIME", "08:00") or "08:00"),
        admin_user_ids=_admin_ids(get("ADMIN_USER_IDS")),
        log_level=_log_level(get("LOG_LEVEL", "INFO") or "INFO"),
        broadcast_rate=_rate(get("BROADCAST_RATE", "25") or "25"),
    )


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
    if not raw.startswith(("http://", "https://")):
        raise ConfigError("TELEGRAM_API_BASE_URL must start with http:// or https://")
    return raw


def _timezone(raw: str) -> str:
    if not timezone_is_valid(raw):
        raise ConfigError(f"DEFAULT_TIMEZONE {raw!r} is not an IANA timezone (e.g. Europe/Berlin)")
    return raw


def _delivery_time(raw: str) -> time:
    try:
        return parse_time(raw)
    except ArgumentError:
        raise ConfigError(f"DEFAULT_DELIVERY_TIME {raw!r} is not a 24-hour HH:MM time") from None


def _admin_ids(raw: str) -> frozenset[int]:
    parts = [part.strip() for part in raw.split(",") if part.strip()]
    if not all(re.fullmatch(r"-?\d+", part) for part in parts):
        raise ConfigError("ADMIN_USER_IDS must be Telegram user ids separated by commas")
    return frozenset(int(part) for part in parts)


def _log_level(raw: str) -> str:
    if raw.upper() not in _LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}")
    return raw.upper()


def _rate(raw: str) -> float:
    try:
        rate = float(raw)
    except ValueError:
        rate = 0
    if not 0 < rate <= 1000:
        raise ConfigError("BROADCAST_RATE must be a number of messages per second, 1 to 1000")
    return rate
