"""The weekly recap: Sunday's picture of the week, sent after the daily tip, and its switch
in /settings.

`WeeklyRecaps` is the thin adapter between the delivery and Telegram: told each daily tip
recorded as sent (`scheduler.delivery.Delivery.sent_listeners`), it only queues Sunday's, so
the sweep never waits for a picture. A sender task asks the pure rule (`habits.recap.recap_due`),
claims the week in the store *before* sending (a crash then loses that week's picture, and
nothing sends a week twice), draws it (`texts.draw_recap`) and sends it at the gateway's
lowest priority, behind every daily tip still waiting. Whatever goes wrong is one log line:
the tip is already recorded, and the picture is a best effort.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date, datetime

from telegram import Update
from telegram.ext import ExtBot

from bot.commands import choices, texts
from bot.commands.buttons.recap_toggle import parse_recap_press
from bot.commands.replying import allowed_message, answer_query, edit_in_place
from bot.service.context import Context
from bot.transport.gateway import Send
from habits.recap import SUNDAY, Recap, recap_due
from habits.weeks import week_start
from scheduler.due import local_date
from scheduler.pacing import Priority
from storage import Store
from tips import Library

logger = logging.getLogger(__name__)

PICTURE_NAME = "week.png"
# Pictures in flight at once: about 40 a second at Telegram's ~0.1 s, above the free rate.
SENDERS = 4


class WeeklyRecaps:
    """Sends Sunday's recap after the daily tip, best effort (see the module's docstring).

    Sunday's tips queue their chats here, and `SENDERS` tasks take them one at a time: a
    picture is drawn only when a sender is free, so at most `SENDERS` wait in the gateway
    behind the tips, and drawing 20,000 pictures never competes with the tips still going.
    """

    def __init__(
        self, bot: ExtBot[Send], store: Store, library: Library, clock: Callable[[], datetime]
    ) -> None:
        self._bot = bot
        self._store = store
        self._library = library
        self._clock = clock
        self._waiting: asyncio.Queue[tuple[int, date]] | None = None  # made in the event loop
        self._senders: list[asyncio.Task[None]] = []
        self._closed = False

    def after_tip(self, chat_id: int, day: date) -> None:
        """The chat's daily tip for local `day` is recorded as sent: look into a recap (only
        a Sunday's tip can bring one, `recap_due`: the other days cost nothing)."""
        if day.weekday() == SUNDAY and not self._closed:
            self._queue().put_nowait((chat_id, day))

    async def settled(self) -> None:
        """Wait until every recap queued so far has been sent or given up (tests)."""
        if self._waiting is not None:
            await self._waiting.join()

    async def close(self, timeout: float) -> None:
        """A stop, once the gateway is closed: the recaps queued get `timeout` seconds (those
        not on the wire are refused by the closed gateway at once), then the senders are
        cancelled. A week claimed stays claimed: at most once, never twice."""
        self._closed = True
        if self._waiting is None:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._waiting.join(), timeout)
        for sender in self._senders:
            sender.cancel()
        await asyncio.gather(*self._senders, return_exceptions=True)

    def _queue(self) -> asyncio.Queue[tuple[int, date]]:
        if self._waiting is None:
            self._waiting = asyncio.Queue()
            loop = asyncio.get_running_loop()
            self._senders = [loop.create_task(self._sender()) for _ in range(SENDERS)]
        return self._waiting

    async def _sender(self) -> None:
        assert self._waiting is not None
        while True:
            chat_id, day = await self._waiting.get()
            try:
                await self._send(chat_id, day)
            finally:
                self._waiting.task_done()

    async def _send(self, chat_id: int, day: date) -> None:
        try:
            recap = self._take(chat_id, day)
            if recap is None:
                return
            liked = self._library.tip(recap.liked) if recap.liked else None
            title = liked.title if liked else None
            how = Send(Priority.EXTRA, still_wanted=lambda: self._store.is_active(chat_id))
            await self._bot.send_photo(
                chat_id,
                texts.draw_recap(recap, title),
                caption=texts.render_recap_caption(recap, title),
                filename=PICTURE_NAME,
                rate_limit_args=how,
            )
        except Exception as exc:  # best effort: the tip went out and is recorded
            logger.warning(
                "Weekly recap for chat %s not sent (%s: %s)",
                chat_id,
                type(exc).__name__,
                exc,
                extra={"chat_id": chat_id},
            )

    def _take(self, chat_id: int, day: date) -> Recap | None:
        """The recap owed after this tip, its week claimed in the store; None if none is."""
        subscriber = self._store.subscriber(chat_id)
        if subscriber is None or not subscriber.active:
            return None
        now = self._clock()
        week = week_start(local_date(subscriber.schedule, now))
        record = self._store.week_record(chat_id, week)
        recap = recap_due(record, day, now, subscriber.schedule.timezone) if record else None
        if recap is None or not self._store.claim_recap_week(chat_id, recap.week):
            return None
        return recap


async def switched(update: Update, context: Context) -> None:
    """The /settings switch: the Sunday picture on or off, then the settings shown again."""
    query, s = update.callback_query, context.services
    if query is None:
        return
    wanted = parse_recap_press(query.data)
    message = await allowed_message(query, context, readable=wanted is not None)
    if message is None or wanted is None:
        return
    if not s.store.set_weekly_recap(message.chat.id, wanted, s.clock()):
        await answer_query(query, texts.render_recap_needs_subscription())
        return
    await answer_query(query, texts.render_recap_switched(wanted))
    await edit_in_place(query, s, *choices.settings_view(s, message.chat.id, message.chat.type))
