"""The outbound gateway, driven the way python-telegram-bot drives its rate limiter, on a
clock the test holds: priorities, per-chat order, 429s, retries, deadlines, flooding chats and
a dispatcher that fails."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from itertools import pairwise

import pytest
from telegram.error import BadRequest, NetworkError, RetryAfter

from bot.transport.gateway import (
    MAX_QUEUED_PER_CHAT,
    TIP_BATCH,
    Dropped,
    Gateway,
    GatewayClosed,
    Send,
)
from bot.transport.sender import reply_patiently
from scheduler.pacing import Limits, Priority
from tests.conftest import PacingTime

TIP = Send(Priority.TIP)
LIMITS = Limits(overall_per_second=10, overall_burst=1, private_interval=1.0, private_burst=1)


class Telegram:
    """The HTTP call behind the gateway: records what went out, and when; can answer 429 or
    502 to a chat's next sends, and can hold its answers until the test lets them go."""

    def __init__(self, time: PacingTime) -> None:
        self.time = time
        self.sent: list[tuple[float, int, str]] = []
        self.attempts: list[tuple[float, int, str]] = []
        self.refuse: dict[int, list[int]] = defaultdict(list)  # chat: retry_after of each 429
        self.fail: dict[int, int] = defaultdict(int)  # chat: how many 502s to answer
        self.answer = asyncio.Event()
        self.answer.set()

    async def send_message(self, chat_id: int, text: str) -> dict[str, object]:
        self.attempts.append((self.time.now, chat_id, text))
        await self.answer.wait()
        if self.refuse[chat_id]:
            raise RetryAfter(self.refuse[chat_id].pop(0))
        if self.fail[chat_id]:
            self.fail[chat_id] -= 1
            raise NetworkError("Bad Gateway")
        self.sent.append((self.time.now, chat_id, text))
        return {"message_id": len(self.sent)}

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [text for _, chat, text in self.sent if chat_id in (None, chat)]


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


async def until(condition) -> None:
    """Let the other tasks run until `condition` holds (the held clock does not move)."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("never happened")


async def test_replies_go_before_daily_tips_that_were_queued_first(gateway, telegram):
    tips = [
        asyncio.ensure_future(send(gateway, telegram, chat, "tip", TIP)) for chat in range(1, 21)
    ]
    await asyncio.sleep(0)
    replies = [asyncio.ensure_future(send(gateway, telegram, 100 + n, "reply")) for n in range(3)]
    await asyncio.gather(*tips, *replies)
    order = telegram.texts()
    first_reply = order.index("reply")
    assert order[first_reply : first_reply + 3] == ["reply"] * 3
    assert first_reply <= 2  # behind at most the tips already granted, not behind all 20


async def test_everyone_goes_at_the_overall_rate(gateway, telegram):
    await asyncio.gather(*(send(gateway, telegram, chat, "tip", TIP) for chat in range(1, 31)))
    times = [at for at, _, _ in telegram.sent]
    assert times[-1] == pytest.approx(29 / 10, abs=0.01)  # 10 a second, one after another


class HeldTime:
    """A clock that stands still, and sleeps that never end: the naps asked for are kept."""

    def __init__(self) -> None:
        self.now = 0.0
        self.naps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        await asyncio.Event().wait()


async def test_daily_tips_alone_go_a_batch_at_a_time_at_the_same_rate(pacing, telegram):
    gateway = Gateway(Limits(overall_per_second=10), clock=pacing.clock, sleep=pacing.sleep)
    await gateway.initialize()
    try:
        await asyncio.gather(*(send(gateway, telegram, chat, "tip", TIP) for chat in range(1, 35)))
    finally:
        await gateway.shutdown()
    batches = Counter(round(at, 6) for at, _, _ in telegram.sent)
    assert list(batches.values()) == [10, TIP_BATCH, TIP_BATCH, TIP_BATCH]  # the burst first
    assert list(batches) == [0, 0.8, 1.6, 2.4]  # 10 a second, as one at a time would go


async def test_a_reply_is_not_held_back_for_a_batch_of_tips(telegram):
    time = HeldTime()
    telegram.time = time
    gateway = Gateway(Limits(overall_per_second=10), clock=time.clock, sleep=time.sleep)
    await gateway.initialize()
    tips = [asyncio.ensure_future(send(gateway, telegram, c, "tip", TIP)) for c in range(1, 21)]
    try:
        await until(lambda: len(time.naps) == 1)
        assert len(telegram.sent) == 10  # the burst; then a nap until a batch of tips may go
        assert time.naps == [pytest.approx(0.1 * TIP_BATCH)]
        reply = asyncio.ensure_future(send(gateway, telegram, 100, "reply"))
        await until(lambda: len(time.naps) == 2)
        assert time.naps[1] == pytest.approx(0.1)  # the reply's turn: the budget's next slot
    finally:
        await gateway.shutdown()
        await asyncio.gather(*tips, reply, return_exceptions=True)


async def test_one_chat_is_answered_in_order_at_its_own_pace(gateway, telegram):
    texts = [f"answer {n}" for n in range(5)]
    await asyncio.gather(*(send(gateway, telegram, 7, text) for text in texts))
    assert telegram.texts() == texts
    assert [round(at, 3) for at, _, _ in telegram.sent] == [0, 1, 2, 3, 4]


async def test_a_429_holds_back_that_chat_and_the_same_message_goes_after_it(
    gateway, telegram, caplog
):
    telegram.refuse[9] = [5]
    with caplog.at_level(logging.WARNING):
        result = await send(gateway, telegram, 9, "hello")
    assert result == {"message_id": 1}
    assert [(chat, text) for _, chat, text in telegram.sent] == [(9, "hello")]
    assert telegram.sent[0][0] >= 5
    assert gateway.rate_limited == 1
    [line] = [r.getMessage() for r in caplog.records if r.name == "bot.transport.gateway"]
    assert line == "Telegram asked to wait 5 s (chat 9); holding that chat"


async def test_one_chats_429_holds_back_neither_the_other_chats_nor_their_replies(
    gateway, telegram, pacing
):
    telegram.refuse[1] = [3]
    tips = [send(gateway, telegram, chat, "tip", TIP) for chat in range(1, 31)]
    sending = asyncio.ensure_future(asyncio.gather(*tips))
    await until(lambda: telegram.attempts)  # chat 1 was just told to wait 3 s
    asked_at = pacing.now
    assert await send(gateway, telegram, 100, "reply")
    await sending
    [(replied_at, _, _)] = [sent for sent in telegram.sent if sent[1] == 100]
    assert replied_at - asked_at < 0.5  # not after chat 1's 3 s
    times = [at for at, _, _ in telegram.sent]  # and everyone else went on at 10/s, no gap
    assert max(b - a for a, b in pairwise(times)) == pytest.approx(0.1)
    assert times[-1] == pytest.approx(3.1)  # 32 sends with the 429'd one, not 3 s more
    [(chat_1_at, _, _)] = [sent for sent in telegram.sent if sent[1] == 1]
    assert chat_1_at >= 3


async def test_429s_from_several_chats_at_once_hold_back_everyone(gateway, telegram, caplog):
    for chat in (1, 2, 3):
        telegram.refuse[chat] = [5]
    with caplog.at_level(logging.WARNING):
        await asyncio.gather(*(send(gateway, telegram, chat, "tip", TIP) for chat in range(1, 11)))
    third_429_at = telegram.attempts[2][0]
    assert third_429_at == pytest.approx(0.2)
    assert [at for at, _, _ in telegram.sent if third_429_at < at < third_429_at + 5] == []
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.transport.gateway"]
    assert lines[2] == "Telegram asked to wait 5 s (chat 3); holding all sends"


async def test_a_429d_message_keeps_its_place_in_its_chat(gateway, telegram):
    telegram.refuse[7] = [2]
    await asyncio.gather(*(send(gateway, telegram, 7, text) for text in "ABC"))
    assert telegram.texts() == ["A", "B", "C"]


async def test_a_429d_message_keeps_its_place_when_its_chat_may_burst(pacing, telegram):
    gateway = Gateway(Limits(private_burst=3), clock=pacing.clock, sleep=pacing.sleep)
    await gateway.initialize()
    telegram.refuse[7] = [2]
    try:
        await asyncio.gather(*(send(gateway, telegram, 7, text) for text in "ABC"))
    finally:
        await gateway.shutdown()
    assert telegram.texts() == ["A", "B", "C"]


async def test_a_429d_reply_is_never_coalesced_away(gateway, telegram):
    telegram.answer.clear()  # the first reply is out, its answer not back yet
    first = asyncio.ensure_future(send(gateway, telegram, 11, "/tip 0"))
    await until(lambda: telegram.attempts)
    rest = [send(gateway, telegram, 11, f"/tip {n}") for n in range(1, MAX_QUEUED_PER_CHAT + 1)]
    waiting = asyncio.ensure_future(asyncio.gather(*rest, return_exceptions=True))
    await until(lambda: gateway.queued == MAX_QUEUED_PER_CHAT)
    telegram.refuse[11] = [2]
    telegram.answer.set()
    assert await first == {"message_id": 1}
    assert not [r for r in await waiting if isinstance(r, Exception)]
    assert telegram.texts() == [f"/tip {n}" for n in range(MAX_QUEUED_PER_CHAT + 1)]


async def test_a_reply_that_met_a_server_error_keeps_its_place(gateway, telegram, pacing):
    telegram.fail[7] = 1
    first = asyncio.ensure_future(reply_patiently(lambda: send(gateway, telegram, 7, "A")))
    await until(lambda: telegram.attempts)
    assert await send(gateway, telegram, 7, "B")
    assert await first
    assert telegram.texts() == ["A", "B"]
    assert telegram.sent[0][0] == pytest.approx(2)  # after a 2 s backoff, on the held clock


async def test_a_reply_is_tried_three_times_then_the_error_is_raised(gateway, telegram, caplog):
    telegram.fail[7] = 3
    with caplog.at_level(logging.WARNING), pytest.raises(NetworkError, match="Bad Gateway"):
        await send(gateway, telegram, 7, "A")
    assert [at for at, _, _ in telegram.attempts] == [0, 2, 6]  # backed off 2 s, then 4 s
    assert [r.getMessage() for r in caplog.records] == [
        "Reply failed (Bad Gateway), attempt 1; retrying",
        "Reply failed (Bad Gateway), attempt 2; retrying",
    ]


async def test_a_daily_tip_or_a_bad_request_is_tried_once(gateway, telegram):
    telegram.fail[7] = 1
    with pytest.raises(NetworkError):  # the delivery engine decides what a failed tip means
        await send(gateway, telegram, 7, "tip", TIP)

    async def refused(**_: object) -> dict[str, object]:
        telegram.attempts.append((0, 8, "bad"))
        raise BadRequest("Message text is empty")

    data = {"chat_id": 8, "text": ""}
    with pytest.raises(BadRequest):
        await gateway.process_request(refused, (), {}, "sendMessage", data, None)
    assert len(telegram.attempts) == 2


async def test_still_wanted_is_asked_before_every_attempt(gateway, telegram):
    asked: list[float] = []

    def still_wanted() -> bool:
        asked.append(telegram.time.now)
        return len(asked) < 3

    telegram.refuse[5] = [1, 1]
    with pytest.raises(Dropped, match="no longer wanted"):
        await send(gateway, telegram, 5, "tip", Send(Priority.TIP, still_wanted=still_wanted))
    assert asked == [0, 1, 2]  # the first attempt and each resend after a 429
    assert telegram.sent == []


async def test_a_chat_that_floods_gets_its_first_answers_and_the_rest_coalesced(gateway, telegram):
    flood = [asyncio.ensure_future(send(gateway, telegram, 11, f"/tip {n}")) for n in range(30)]
    results = await asyncio.gather(*flood, return_exceptions=True)
    answered = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Dropped)]
    assert len(answered) == MAX_QUEUED_PER_CHAT and len(refused) == 30 - MAX_QUEUED_PER_CHAT
    assert telegram.texts() == [f"/tip {n}" for n in range(MAX_QUEUED_PER_CHAT)]
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


async def test_a_request_cancelled_while_it_waits_leaves_the_queue(pacing, telegram):
    gateway = Gateway(LIMITS, clock=pacing.clock, sleep=asyncio.sleep)  # real waits: stuck
    await gateway.initialize()
    waiting = [asyncio.ensure_future(send(gateway, telegram, 15, f"n{n}")) for n in range(3)]
    await until(lambda: gateway.queued == 2)  # n0 was granted; n1, n2 wait for their turn
    waiting[1].cancel()  # an edit the bot gave up on as it stopped
    await until(lambda: gateway.queued == 1)
    await gateway.shutdown()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert results[0] == {"message_id": 1} and isinstance(results[2], GatewayClosed)
    assert isinstance(results[1], asyncio.CancelledError)


async def test_one_dispatcher_however_often_the_gateway_is_initialized(gateway):
    def dispatchers() -> int:
        return sum(1 for task in asyncio.all_tasks() if task.get_name() == "gateway")

    await gateway.initialize()  # python-telegram-bot does, at every Bot.initialize()
    assert dispatchers() == 1
    await gateway.shutdown()
    assert dispatchers() == 0


class FailingSleep:
    """The gateway's sleep, failing its first `failures` waits: a bug inside the dispatcher.
    Each failure can first move the held clock on by `apart` seconds."""

    def __init__(self, pacing: PacingTime, failures: int, apart: float = 0.0) -> None:
        self.pacing, self.failures, self.apart = pacing, failures, apart

    async def __call__(self, seconds: float) -> None:
        if seconds > 0 and self.failures:
            self.failures -= 1
            self.pacing.now += self.apart
            raise RuntimeError("the pacing clock broke")
        await self.pacing.sleep(seconds)


async def gateway_failing(pacing, failures: int, apart: float = 0.0):
    fatal: list[BaseException] = []
    sleep = FailingSleep(pacing, failures, apart)
    gateway = Gateway(LIMITS, clock=pacing.clock, sleep=sleep, on_fatal=fatal.append)
    await gateway.initialize()
    return gateway, fatal


def dispatcher_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_failing_dispatcher_is_restarted_and_no_one_waiting_is_lost(
    pacing, telegram, caplog
):
    gateway, fatal = await gateway_failing(pacing, failures=5)
    try:
        tips = [send(gateway, telegram, 5, f"tip {n}", TIP) for n in range(3)]
        await asyncio.wait_for(asyncio.gather(*tips), 5)
    finally:
        await gateway.shutdown()
    assert telegram.texts() == ["tip 0", "tip 1", "tip 2"]
    assert [round(at, 3) for at, _, _ in telegram.sent] == [0, 1, 2]
    assert (
        dispatcher_lines(caplog)
        == ["The gateway task failed (RuntimeError: the pacing clock broke); restarting it"] * 5
    )
    assert fatal == []


async def test_failures_far_apart_are_only_restarted(pacing, telegram):
    gateway, fatal = await gateway_failing(pacing, failures=8, apart=20)
    try:
        tips = [send(gateway, telegram, 5, f"tip {n}", TIP) for n in range(3)]
        await asyncio.wait_for(asyncio.gather(*tips), 5)
    finally:
        await gateway.shutdown()
    assert telegram.texts() == ["tip 0", "tip 1", "tip 2"]
    assert fatal == []


async def test_a_dispatcher_that_keeps_failing_stops_the_bot_and_nobody_hangs(
    pacing, telegram, caplog
):
    gateway, fatal = await gateway_failing(pacing, failures=1000)
    try:
        results = await asyncio.wait_for(
            asyncio.gather(
                *(send(gateway, telegram, 5, f"n{n}") for n in range(3)), return_exceptions=True
            ),
            5,
        )
        with pytest.raises(GatewayClosed):  # and whoever asks later is told at once
            await asyncio.wait_for(send(gateway, telegram, 6, "later"), 1)
    finally:
        await gateway.shutdown()
    assert results[0] == {"message_id": 1}
    assert [type(r) for r in results[1:]] == [GatewayClosed, GatewayClosed]
    [error] = fatal
    assert str(error) == "the pacing clock broke"
    lines = dispatcher_lines(caplog)
    assert len(lines) == 6
    assert lines[-1] == (
        "The gateway task failed (RuntimeError: the pacing clock broke)"
        " 6 times within 60 s; giving up"
    )
