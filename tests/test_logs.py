"""The token never reaches a log line, not even inside a traceback."""

import json
import logging
import sys
import threading
from datetime import datetime, timedelta
from urllib.parse import quote

import pytest
from telegram.error import InvalidToken

from bot.service.logs import (
    RedactingFormatter,
    Redactor,
    configure_logging,
    crash_line,
    install_crash_hooks,
    log_loop_exception,
)
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


SECRET = TOKEN.split(":")[1]


@pytest.mark.parametrize(
    "leak",
    [
        TOKEN,
        SECRET,  # enough to use the token: the bot id is public
        quote(TOKEN, safe=""),  # as in a URL: 123456%3ATEST-...
        quote(TOKEN, safe="").replace("%3A", "%3a"),
        f"https://api.telegram.org/bot{TOKEN}/getMe",
    ],
)
def test_every_form_of_the_token_is_redacted(leak):
    line = RedactingFormatter([TOKEN]).format(record_with(f"failed: {leak!r}"))
    assert SECRET not in line and "[redacted]" in line


def test_redactor_ignores_empty_secrets():
    assert Redactor(["", "no-colon"])("keep this, no-colon") == "keep this, [redacted]"


def test_a_crash_line_is_one_redacted_line():
    exc = RuntimeError(f"Invalid port: '{SECRET}'\n  while calling\n  getMe")
    line = crash_line(exc, Redactor([TOKEN]))
    assert line == (
        "gutbone-bot: unexpected error, stopping: "
        "RuntimeError: Invalid port: '[redacted]' while calling getMe"
    )


def test_crash_hooks_print_one_redacted_line(monkeypatch, capsys):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)
    install_crash_hooks(Redactor([TOKEN]))
    sys.excepthook(ValueError, ValueError(f"bad {SECRET}"), None)
    worker = threading.Thread(target=lambda: 1 / 0)
    worker.start()
    worker.join()

    class Leaky:
        def __del__(self) -> None:
            raise OSError(f"closing {TOKEN}")

    Leaky()
    assert capsys.readouterr().err.splitlines() == [
        "gutbone-bot: unexpected error, stopping: ValueError: bad [redacted]",
        "gutbone-bot: unexpected error: ZeroDivisionError: division by zero",  # a thread
        "gutbone-bot: unexpected error: OSError: closing [redacted]",  # a finalizer
    ]


def test_an_event_loop_error_is_one_error_line(caplog):
    caplog.set_level(logging.DEBUG, logger="bot.service.logs")
    exc = RuntimeError("lost")
    log_loop_exception(None, {"message": "Task exception was never retrieved", "exception": exc})
    [error, detail] = caplog.records
    assert (error.levelno, error.getMessage(), error.exc_info) == (
        logging.ERROR,
        "Unexpected error in the event loop: Task exception was never retrieved RuntimeError: lost",
        None,
    )
    assert detail.levelno == logging.DEBUG and detail.exc_info


def test_ptbs_traceback_for_a_rejected_token_is_left_to_the_runner(monkeypatch, capsys):
    root, ptb = logging.getLogger(), logging.getLogger("telegram.ext")
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    monkeypatch.setattr(ptb, "filters", [])
    for noisy in ("httpx", "httpcore", "apscheduler"):
        monkeypatch.setattr(logging.getLogger(noisy), "level", logging.getLogger(noisy).level)
    try:
        configure_logging("INFO", [TOKEN])
        rejected = InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
        ptb.error("Network Retry Loop: Invalid token. Aborting retry loop.", exc_info=rejected)
        ptb.error("Polling failed for %s", TOKEN)
    finally:
        logging.captureWarnings(False)
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith("ERROR telegram.ext: Polling failed for [redacted]")


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def json_logging(monkeypatch):
    """Call it in the test (so the handler writes to the captured stderr):
    `configure_logging(..., "json")`, undone after the test."""
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", [])
    monkeypatch.setattr(root, "level", root.level)
    monkeypatch.setattr(logging.getLogger("telegram.ext"), "filters", [])
    for noisy in ("httpx", "httpcore", "apscheduler"):
        monkeypatch.setattr(logging.getLogger(noisy), "level", logging.getLogger(noisy).level)
    yield lambda: configure_logging("DEBUG", [TOKEN, "webhook-secret-0123456789"], "json")
    logging.captureWarnings(False)


def test_json_logs_are_one_object_per_line_with_time_level_logger_and_chat_id(json_logging, capsys):
    json_logging()
    logging.getLogger("scheduler.delivery").info(
        "Chat %s is gone (%s)\non two lines", 42, "blocked", extra={"chat_id": 42}
    )
    logging.getLogger("bot.service.runner").warning("Stopping")
    first, second = json_lines(capsys.readouterr().err)
    assert set(first) == {"time", "level", "logger", "message", "chat_id"}
    assert datetime.fromisoformat(first["time"]).utcoffset() == timedelta(0)
    assert first["time"].endswith("Z")
    assert (first["level"], first["logger"], first["chat_id"]) == ("INFO", "scheduler.delivery", 42)
    assert first["message"] == "Chat 42 is gone (blocked)\non two lines"
    assert second == {
        "time": second["time"],
        "level": "WARNING",
        "logger": "bot.service.runner",
        "message": "Stopping",
    }


def test_json_logs_redact_the_token_and_secrets_in_message_and_traceback(json_logging, capsys):
    json_logging()
    try:
        raise RuntimeError(f"failed calling /bot{TOKEN}/sendMessage with {SECRET}")
    except RuntimeError:
        logging.getLogger("bot.commands.handlers").error(
            "Error for %s: %s", f"/bot{TOKEN}", "webhook-secret-0123456789", exc_info=True
        )
    output = capsys.readouterr().err
    [entry] = json_lines(output)
    assert entry["message"] == "Error for /bot[redacted]: [redacted]"
    assert entry["exc"].startswith("Traceback (most recent call last):")
    assert "RuntimeError: failed calling /bot[redacted]/sendMessage with [redacted]" in entry["exc"]
    assert SECRET not in output and "webhook-secret-0123456789" not in output


def test_ptbs_traceback_for_a_rejected_token_is_left_out_in_json_too(json_logging, capsys):
    json_logging()
    rejected = InvalidToken(f"The token `{TOKEN}` was rejected by the server.")
    logging.getLogger("telegram.ext").error("Aborting retry loop.", exc_info=rejected)
    assert capsys.readouterr().err == ""
