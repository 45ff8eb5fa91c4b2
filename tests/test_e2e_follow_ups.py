"""End to end: presses are answered at once while their edits wait for the gateway, which keeps
its real limits on a clock the test holds still (so "at once" is an order, not a duration)."""

from __future__ import annotations

import asyncio
import logging

from bot.commands.buttons.keyboards import Action, press_data, tip_keyboard
from tests.conftest import PacingTime
from tests.e2e import running_bot

PRESSERS = range(8001, 8301)  # more than python-telegram-bot's 256 concurrent updates


class HeldTime(PacingTime):
    """The gateway's clock, which the test can hold: while held, no wait of the gateway ends,
    so it grants only what its budgets allow at this instant (an overall burst of 10)."""

    def __init__(self) -> None:
        super().__init__()
        self._free = asyncio.Event()
        self._free.set()

    def hold(self) -> None:
        self._free.clear()

    def release(self) -> None:
        self._free.set()

    async def sleep(self, seconds: float) -> None:
        if seconds > 0:
            await self._free.wait()
        await super().sleep(seconds)


async def tips_in(telegram, chats, tip_id: str) -> dict[int, int]:
    """A tip message with its buttons in each chat, as yesterday's daily tips left them (sent
    straight to the emulator, so the gateway's budget is untouched); chat -> message id."""
    markup = tip_keyboard(tip_id).to_dict()
    sent = {}
    for chat in chats:
        status, body = await telegram.call(
            "sendMessage", {"chat_id": chat, "text": "A tip", "reply_markup": markup}
        )
        assert status == 200, body
        sent[chat] = body["result"]["message_id"]
    return sent


def shown(telegram, chat: int, message_id: int) -> str:
    """The vote a tip message shows, as its buttons say."""
    buttons = telegram.message(chat, message_id).reply_markup["inline_keyboard"][0][:2]
    return next((b["text"] for b in buttons if "✓" in b["text"]), "no vote")


def answered(telegram) -> set[str]:
    return {p["callback_query_id"] for name, p in telegram.calls if name == "answerCallbackQuery"}


async def test_presses_are_answered_while_their_edits_wait_for_the_gateway(
    telegram, store, library, clock, sleep, caplog
):
    time, tip_id = HeldTime(), library.tips[0].id
    async with running_bot(telegram, store, library, clock, sleep, time):
        messages = await tips_in(telegram, PRESSERS, tip_id)
        time.hold()  # from now on the gateway is saturated: ~10 edits may go, no more
        queries = {
            telegram.user_presses(chat, message_id, press_data(Action.UP, tip_id))[
                "callback_query"
            ]["id"]: chat
            for chat, message_id in messages.items()
        }
        assert await telegram.wait_until(lambda: answered(telegram) >= set(queries), 30)
        assert len(telegram.edits) <= 10  # every press answered, its edit still waiting
        time.release()
        assert await telegram.wait_until(lambda: len(telegram.edits) == len(messages), 30)
    assert {(edit.chat_id, edit.message_id) for edit in telegram.edits} == set(messages.items())
    assert all(store.vote_of(chat, tip_id) == 1 for chat in PRESSERS)
    calls = [(name, p) for name, p in telegram.calls if name != "getUpdates"]
    answer_at = {p["callback_query_id"]: i for i, (name, p) in enumerate(calls) if "answer" in name}
    edit_at = {p["chat_id"]: i for i, (name, p) in enumerate(calls) if name.startswith("edit")}
    assert all(answer_at[query] < edit_at[chat] for query, chat in queries.items())
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_two_presses_on_one_message_end_showing_the_latest(
    telegram, store, library, clock, sleep
):
    """Each edit shows the chat's state when it was handed in, and one message's edits are
    made in that order: whatever interleaves, the message ends showing the last press."""
    time, tip_id, chat = HeldTime(), library.tips[0].id, 8401
    async with running_bot(telegram, store, library, clock, sleep, time):
        [message_id] = (await tips_in(telegram, [chat], tip_id)).values()
        time.hold()
        for action in (Action.UP, Action.DOWN):  # the second before the first's edit is made
            telegram.user_presses(chat, message_id, press_data(action, tip_id))
        assert await telegram.wait_until(lambda: len(answered(telegram)) == 2)
        time.release()
        assert await telegram.wait_until(lambda: shown(telegram, chat, message_id) == "👎 ✓")
    assert shown(telegram, chat, message_id) == "👎 ✓"  # and stays so: the last edit shows it
    assert store.vote_of(chat, tip_id) == -1


async def test_stopping_with_edits_waiting_is_quick_and_says_so_once(
    telegram, store, library, clock, sleep, caplog
):
    time, tip_id = HeldTime(), library.tips[0].id
    caplog.set_level(logging.INFO)
    async with running_bot(telegram, store, library, clock, sleep, time):
        messages = await tips_in(telegram, range(8501, 8541), tip_id)
        time.hold()
        for chat, message_id in messages.items():
            telegram.user_presses(chat, message_id, press_data(Action.UP, tip_id))
        assert await telegram.wait_until(lambda: len(answered(telegram)) == len(messages))
    assert len(telegram.edits) < len(messages)  # the rest were never made: the bot stopped
    said = [r.getMessage() for r in caplog.records if "not made" in r.getMessage()]
    not_made = len(messages) - len(telegram.edits)
    assert said == [f"Stopping: {not_made} follow-ups of presses not made"]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info] == []
