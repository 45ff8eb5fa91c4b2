"""The token never reaches a log line, not even inside a traceback."""

import logging

from bot.logs import RedactingFormatter
from emulator import TEST_TOKEN as TOKEN


def record_with(message: str, exc: BaseException | None = None) -> logging.LogRecord:
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord("httpx", logging.INFO, __file__, 1, message, (), exc_info)


def test_token_in_a_message_is_redacted():
    line = RedactingFormatter([TOKEN]).format(
        record_with(f"POST https://api.telegram.org/bot{TOKEN}/getMe")
    )
    assert TOKEN not in line and "bot[redacted]/getMe" in line


def test_token_in_a_traceback_is_redacted():
    try:
        raise RuntimeError(f"failed calling /bot{TOKEN}/sendMessage")
    except RuntimeError as exc:
        line = RedactingFormatter([TOKEN]).format(record_with("boom", exc))
    assert "Traceback" in line and TOKEN not in line
