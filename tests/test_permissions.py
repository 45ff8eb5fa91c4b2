"""The admin cache and the sender rules, without Telegram."""

from datetime import UTC, datetime, timedelta

import pytest
from telegram import Chat, Message, User

from bot.commands.permissions import AdminCache, Sender, sender_of

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
GROUP = Chat(-100, Chat.SUPERGROUP)
PERSON = User(7, "Ada", is_bot=False)


def test_an_answer_is_remembered_for_a_minute_per_chat_and_user():
    cache = AdminCache()
    cache.put(-100, 7, True, NOW)
    cache.put(-100, 8, False, NOW)
    assert cache.get(-100, 7, NOW + timedelta(seconds=59)) is True
    assert cache.get(-100, 8, NOW) is False
    assert cache.get(-200, 7, NOW) is None  # another group
    assert cache.get(-100, 7, NOW + timedelta(seconds=60)) is None


def test_the_cache_stays_bounded():
    cache = AdminCache(size=3)
    for user in range(3):
        cache.put(-100, user, True, NOW)
    cache.put(-100, 9, True, NOW + timedelta(minutes=2))  # the three are stale: dropped
    assert len(cache) == 1
    later = NOW + timedelta(minutes=2)
    cache.put(-100, 0, True, later)
    cache.put(-100, 1, True, later)
    cache.put(-100, 2, True, later)  # all fresh and full: start over rather than grow
    assert len(cache) == 1 and cache.get(-100, 2, later) is True


def message(sender: User | None = None, sender_chat: Chat | None = None) -> Message:
    return Message(1, NOW, GROUP, from_user=sender, sender_chat=sender_chat, text="/stop")


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (message(PERSON), Sender.PERSON),
        (message(User(9, "Helper", is_bot=True)), Sender.OTHER),
        (message(User(1087968824, "Group", is_bot=True), sender_chat=GROUP), Sender.GROUP),
        (message(User(136817688, "Channel", is_bot=True), Chat(-1009, "channel")), Sender.OTHER),
        (message(None), Sender.OTHER),
    ],
)
def test_who_sent_a_group_message(sent, expected):
    assert sender_of(sent) is expected
