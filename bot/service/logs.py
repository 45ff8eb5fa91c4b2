"""Logging set-up, done once in `main()`: secrets never reach a log line, nor a crash report."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

from telegram.error import InvalidToken

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"
PROGRAM = "gutbone-bot"

logger = logging.getLogger(__name__)


def secret_forms(secret: str) -> set[str]:
    """Every spelling of a secret worth hiding: itself, its part after a colon (a bot token's
    secret half, enough to use the token), and both URL-encoded (as in a request URL)."""
    if not secret:
        return set()
    parts = {secret, secret.partition(":")[2]}
    encoded = {quote(part, safe="") for part in parts}
    lowered = {form.replace("%3A", "%3a") for form in encoded}
    return {form for form in parts | encoded | lowered if form}


class Redactor:
    """Replaces every form of the given secrets in a text, longest first."""

    def __init__(self, secrets: Iterable[str]) -> None:
        forms = {form for secret in secrets for form in secret_forms(secret)}
        self._forms = sorted(forms, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for form in self._forms:
            text = text.replace(form, REDACTED)
        return text


class RedactingFormatter(logging.Formatter):
    """Replace every secret in the finished line, tracebacks included."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__(FORMAT)
        self._redact = Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log shippers: time (ISO 8601, UTC), level, logger,
    message, `chat_id` when the record has one, and `exc` for a traceback; all redacted."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._redact = Redactor(secrets)

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": self._redact(record.getMessage()),
        }
        chat_id = getattr(record, "chat_id", None)
        if chat_id is not None:
            entry["chat_id"] = chat_id
        if record.exc_info:
            entry["exc"] = self._redact(self.formatException(record.exc_info))
        if record.stack_info:
            entry["stack"] = self._redact(self.formatStack(record.stack_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


FORMATTERS: dict[str, type[RedactingFormatter | JsonFormatter]] = {
    "text": RedactingFormatter,
    "json": JsonFormatter,
}


def configure_logging(level: str, secrets: Iterable[str], log_format: str = "text") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(FORMATTERS[log_format](secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL, token included, at INFO; APScheduler logs every run.
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("telegram.ext").addFilter(_not_a_token_rejection)
    logging.captureWarnings(True)  # warnings, too, pass the redacting formatter


def _not_a_token_rejection(record: logging.LogRecord) -> bool:
    """PTB logs a traceback when polling meets a rejected token ("Invalid token. Aborting
    retry loop"); the runner reports that in one line of its own and stops."""
    return not (record.exc_info and isinstance(record.exc_info[1], InvalidToken))


def one_line(exc: BaseException) -> str:
    """`TypeName: message` on one line, whatever the message spans."""
    message = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def crash_line(exc: BaseException, redact: Redactor, *, stopping: bool = True) -> str:
    """What an unexpected error leaves on stderr: one redacted line instead of a traceback."""
    what = "unexpected error, stopping" if stopping else "unexpected error"
    return redact(f"{PROGRAM}: {what}: {one_line(exc)}")


def install_crash_hooks(redact: Redactor) -> None:
    """Uncaught exceptions, in any thread or a finalizer, print one redacted line.

    Python's own hooks print the whole traceback, and an exception's message can hold the
    request URL, token and all. The traceback still reaches the (redacting) log at DEBUG.
    """

    def report(exc: BaseException | None, tb: TracebackType | None, stopping: bool) -> None:
        if exc is None:
            return
        logger.debug("Uncaught exception", exc_info=(type(exc), exc, tb))
        print(crash_line(exc, redact, stopping=stopping), file=sys.stderr, flush=True)

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        report(exc, tb, stopping=True)

    def thread_excepthook(args: threading.ExceptHookArgs) -> None:
        report(args.exc_value, args.exc_traceback, stopping=False)

    def unraisablehook(unraisable: Any) -> None:  # errors in __del__ and finalizers
        report(unraisable.exc_value, unraisable.exc_traceback, stopping=False)

    sys.excepthook = excepthook
    threading.excepthook = thread_excepthook
    sys.unraisablehook = unraisablehook


def log_loop_exception(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """An asyncio exception handler: one ERROR line (a task failed unobserved), the traceback
    only at DEBUG; the redacting formatter sees both."""
    exc = context.get("exception")
    what = one_line(exc) if isinstance(exc, BaseException) else ""
    logger.error("Unexpected error in the event loop: %s %s", context.get("message", ""), what)
    if isinstance(exc, BaseException):
        logger.debug("Event loop error", exc_info=exc)


class Throttle:
    """At most one log line per cause per `every` seconds; the next line of that cause says
    how many were held back meanwhile (and `flush`, at a stop, says what is still held). For
    errors an outsider can cause as fast as they like (a flood of bad requests, running out of
    file descriptors): the log says it once a minute, with a count, instead of filling the
    disk."""

    def __init__(
        self, log: logging.Logger, every: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._log = log
        self._every = every
        self._clock = clock
        self._said_at: dict[str, float] = {}
        self._held: dict[str, tuple[int, int, str, tuple[object, ...]]] = {}

    def __call__(self, level: int, cause: str, message: str, *args: object) -> bool:
        """Log `message % args` unless `cause` was logged within `every` seconds; True if said."""
        now = self._clock()
        said_at = self._said_at.get(cause)
        if said_at is not None and now - said_at < self._every:
            count = self._held.get(cause, (0,))[0]
            self._held[cause] = (count + 1, level, message, args)
            return False
        held = self._held.pop(cause, (0,))[0]
        self._say(level, message, args, held)
        self._said_at[cause] = now
        return True

    def flush(self) -> None:
        """Say, once, what is held back (at a stop: no count is lost)."""
        for count, level, message, args in self._held.values():
            self._say(level, message, args, count, last=True)
        self._held.clear()

    def _say(
        self, level: int, message: str, args: tuple[object, ...], held: int, last: bool = False
    ) -> None:
        what = "the last one" if last else "the last report"
        since = f" ({held} more since {what})" if held else ""
        self._log.log(level, message + "%s", *args, since)
