"""Telegram's answers to a daily tip, mapped to outcomes once, at the edge."""

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TimedOut,
)

from bot.transport.http import AnswerLost, RequestNotSent
from bot.transport.sender import outcome_of
from scheduler.outcomes import Gone, Migrated, NotSent, Rejected, Transient, Uncertain


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), Gone),
        (BadRequest("Bad Request: chat not found"), Gone),
        (BadRequest("Bad Request: message text is empty"), Rejected),
        (ChatMigrated(-1001234), Migrated),
        (TimedOut("Timed out"), Uncertain),  # Telegram may have it: retried once, soon
        (AnswerLost("aiohttp.ServerDisconnectedError"), Uncertain),  # written, then cut off
        (RequestNotSent("aiohttp.ClientConnectorError"), Transient),  # never left
        (NetworkError("Bad Gateway"), Transient),  # a 5xx: Telegram says it did not take it
        (InvalidToken("Unauthorized"), NotSent),  # revoked: the claim waits, not failed
    ],
)
def test_each_answer_has_one_outcome(error, outcome):
    assert type(outcome_of(error)) is outcome
