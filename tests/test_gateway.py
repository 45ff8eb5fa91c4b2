"""The outbound gateway, driven the way python-telegram-bot drives its rate limiter, on a
clock the test holds: priorities, per-chat order, 429s, deadlines and flooding chats."""

from __future__ import annotations

import asyncio
import logging

import pytest
from telegram.error import RetryAfter

from bot.gateway import MAX_QUEUED_PER_CHAT, Dropped, Gateway, GatewayClosed, Send
from scheduler.pacing import Limits, Priority
from tests.conftest import PacingTime

TIP = Send(Priority.TIP)
LIMITS = Limits(overall_per_second=10, overall_burst=1, private_interval=1.0, private_burst=1)


class Telegram:
    """The HTTP call behind the gateway: records what went out, and when; can answer 429."""

    def __init__(self, time: PacingTime) -> None:
        self.time = time
        self.sent: list[tuple[float, int, str]] = []
        self.refuse_next: list[int] = []

    async def send_message(self, chat_id: int, text: str) -> dict[str, object]:
        if self.refuse_next:
            raise RetryAfter(self.refuse_next.pop(0))
        self.sent.append((self.time.now, chat_id, text))
        return {"message_id": len(self.sent)}


@pytest.fixture
async def gateway(pacing):
    gateway = Gateway(LIMITS, clock=pacing.clock, sleep=pacing.sleep, reply_deadline=60)
    await gateway.initialize()
    yield gateway
    await gateway.shutdown()


@pytest.fixture
def telegram(pacing):
    return Telegram(pacing)


def send(gateway: Gateway, telegram: Telegram, chat_id: int, text: str, how: Send | None = None):
    data = {"chat_id": chat_id, "text": text}
    return gateway.process_request(telegram.send_message, (), data, "sendMessage", data, how)


async def test_replies_go_before_daily_tips_that_were_queued_first(gateway, telegram):
    tips = [
        asyncio.ensure_future(send(gateway, telegram, chat, "tip", TIP)) for chat in range(1, 21)
    ]
    await asyncio.sleep(0)
    replies = [asyncio.ensure_future(send(gateway, telegram, 100 + n, "reply")) for n in range(3)]
    await asyncio.gather(*tips, *replies)
    order = [text for _, _, text in telegram.sent]
    first_reply = order.index("reply")
    assert order[first_reply : first_reply + 3] == ["reply"] * 3
    assert first_reply <= 2  # behind at most the tips already granted, not behind all 20


async def test_everyone_goes_at_the_overall_rate(gateway, telegram):
    await asyncio.gather(*(send(gateway, telegram, chat, "tip", TIP) for chat in range(1, 31)))
    times = [at for at, _, _ in telegram.sent]
    assert times[-1] == pytest.approx(29 / 10, abs=0.01)  # 10 a second, one after another


async def test_one_chat_is_answered_in_order_at_its_own_pace(gateway, telegram):
    texts = [f"answer {n}" for n in range(5)]
    await asyncio.gather(*(send(gateway, telegram, 7, text) for text in texts))
    assert [text for _, _, text in telegram.sent] == texts
    assert [round(at, 3) for at, _, _ in telegram.sent] == [0, 1, 2, 3, 4]


async def test_a_429_pauses_everything_and_the_same_message_goes_after_it(
    gateway, telegram, pacing, caplog
):
    telegram.refuse_next = [5]
    with caplog.at_level(logging.WARNING):
        result = await send(gateway, telegram, 9, "hello")
    assert result == {"message_id": 1}
    assert [(chat, text) for _, chat, text in telegram.sent] == [(9, "hello")]
    assert telegram.sent[0][0] >= 5
    assert gateway.rate_limited == 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.gateway"]
    assert line == "Telegram asked to wait 5 s (chat 9); holding all sends"


async def test_a_chat_that_floods_gets_its_first_answers_and_the_rest_coalesced(gateway, telegram):
    flood = [asyncio.ensure_future(send(gateway, telegram, 11, f"/tip {n}")) for n in range(30)]
    results = await asyncio.gather(*flood, return_exceptions=True)
    answered = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Dropped)]
    assert len(answered) == MAX_QUEUED_PER_CHAT and len(refused) == 30 - MAX_QUEUED_PER_CHAT
    assert [text for _, _, text in telegram.sent] == [
        f"/tip {n}" for n in range(MAX_QUEUED_PER_CHAT)
    ]
    other = await send(gateway, telegram, 12, "someone else")  # not held up by chat 11
    assert other == {"message_id": MAX_QUEUED_PER_CHAT + 1}


async def test_a_reply_that_waited_past_its_deadline_is_dropped(pacing, telegram):
    gateway = Gateway(LIMITS, clock=pacing.clock, sleep=pacing.sleep, reply_deadline=2.5)
    await gateway.initialize()
    try:
        results = await asyncio.gather(
            *(send(gateway, telegram, 13, f"n{n}") for n in range(5)), return_exceptions=True
        )
    finally:
        await gateway.shutdown()
    assert results[:3] == [{"message_id": 1}, {"message_id": 2}, {"message_id": 3}]
    assert all(isinstance(r, Dropped) for r in results[3:])


async def test_a_message_no_longer_wanted_is_not_sent(gateway, telegram):
    how = Send(Priority.TIP, still_wanted=lambda: False)
    with pytest.raises(Dropped, match="no longer wanted"):
        await send(gateway, telegram, 14, "tip", how)
    assert telegram.sent == []


async def test_stopping_tells_whoever_waits_that_nothing_was_sent(pacing, telegram):
    gateway = Gateway(LIMITS, clock=pacing.clock, sleep=asyncio.sleep)  # real waits: stuck
    await gateway.initialize()
    waiting = [asyncio.ensure_future(send(gateway, telegram, 15, f"n{n}")) for n in range(3)]
    await asyncio.sleep(0.01)
    await gateway.shutdown()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert results[0] == {"message_id": 1}
    assert all(isinstance(r, GatewayClosed) for r in results[1:])
