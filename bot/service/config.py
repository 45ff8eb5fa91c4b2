"""Settings from the environment (and a `.env` file in the working directory): reading them,
the required token, and which variable fills which setting (`_VARIABLES`); the parser of each
optional variable is in `bot.service.config_values`."""

from __future__ import annotations

import difflib
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

from bot.service import config_values as parsers
from bot.service.config_values import ConfigError
from scheduler.due import Schedule
from scheduler.pacing import Limits
from tips import LIBRARY_DIR

_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{20,}$")
FREE_RATE = 30.0  # messages a second Telegram allows a bot without paid broadcasts
# Under Telegram's rate by this share, so clock jitter between us and Telegram never earns a 429.
MARGIN = 0.993
DEFAULT_DATABASE = Path("data/gutbone.db")
_CLOSE = 0.85  # how alike a name must be to one of ours to be taken for a typo of it


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
        problems.append(f"WEBHOOK_SECRET is required with WEBHOOK_URL: {parsers.SECRET_RULE}")
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


# Settings field → (environment variable, parser); the token (required) is read first.
_VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "api_base_url": ("TELEGRAM_API_BASE_URL", parsers.api_base_url),
    "database_path": ("DATABASE_PATH", Path),
    "tips_library": ("TIPS_LIBRARY", Path),
    "default_timezone": ("DEFAULT_TIMEZONE", parsers.default_timezone),
    "default_delivery_time": ("DEFAULT_DELIVERY_TIME", parsers.default_delivery_time),
    "admin_user_ids": ("ADMIN_USER_IDS", parsers.admin_user_ids),
    "log_level": ("LOG_LEVEL", parsers.log_level),
    "broadcast_rate": ("BROADCAST_RATE", parsers.broadcast_rate),
    "paid_broadcast": ("PAID_BROADCAST", parsers.paid_broadcast),
    "metrics_port": ("METRICS_PORT", parsers.port_parser("METRICS_PORT")),
    "metrics_listen": ("METRICS_LISTEN", parsers.listen_parser("METRICS_LISTEN")),
    "log_format": ("LOG_FORMAT", parsers.log_format),
    "webhook_url": ("WEBHOOK_URL", parsers.webhook_url),
    "webhook_listen": ("WEBHOOK_LISTEN", parsers.listen_parser("WEBHOOK_LISTEN")),
    "webhook_port": ("WEBHOOK_PORT", parsers.port_parser("WEBHOOK_PORT")),
    "webhook_secret": ("WEBHOOK_SECRET", parsers.webhook_secret),
}
_ALL_VARIABLES = {"token": ("TELEGRAM_BOT_TOKEN", _token), **_VARIABLES}
VARIABLE_NAMES = tuple(variable for variable, _ in _ALL_VARIABLES.values())


def limits_for(settings: Settings) -> Limits:
    """The gateway's budget: free, at `BROADCAST_RATE` (at most ~30/s) for everything; or paid
    broadcasts for daily tips at `BROADCAST_RATE` while replies keep the free budget."""
    if settings.paid_broadcast:
        return Limits(paid_per_second=settings.broadcast_rate * MARGIN)
    return Limits(overall_per_second=min(settings.broadcast_rate, FREE_RATE) * MARGIN)
