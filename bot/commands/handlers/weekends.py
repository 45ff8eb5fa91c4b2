"""`/time weekends HH:MM` and `/time weekends off`: a different local time on Saturdays and
Sundays, reached through /time's argument dispatch (`bot.commands.handlers.schedule`)."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update

from bot.commands import texts
from bot.commands.buttons.rhythm_buttons import weekend_keyboard
from bot.commands.parsing import ArgumentError, parse_weekend_time
from bot.commands.replying import chat_of, reply
from bot.service.context import Context
from scheduler.due import next_due

#: The words that ask for the weekend time: `/time weekends 09:30` (or weekend, we).
WEEKEND_WORDS = ("weekends", "weekend", "we")


def asks_for_weekends(args: Sequence[str]) -> bool:
    """Whether /time's arguments are about the weekend time."""
    return bool(args) and args[0].lower() in WEEKEND_WORDS


async def set_weekend_time(update: Update, context: Context, args: Sequence[str]) -> None:
    """The weekend time (or `off`); without one, the weekend times to tap."""
    s, chat = context.services, chat_of(update)
    if not args:
        subscriber = s.store.subscriber(chat.id, s.settings.default_schedule)
        schedule = subscriber.schedule if subscriber else s.settings.default_schedule
        await reply(update, context, texts.render_weekend_picker(schedule), weekend_keyboard())
        return
    try:
        at = parse_weekend_time(" ".join(args))
    except ArgumentError as problem:
        await reply(update, context, texts.render_weekend_usage(str(problem)))
        return
    now, default = s.clock(), s.settings.default_schedule
    saved = s.store.set_weekend_time(chat.id, at, now, chat_type=chat.type, default=default)
    upcoming = next_due(saved.schedule, saved.last_delivery, now) if saved.active else None
    s.wake_at(upcoming)
    await reply(update, context, texts.render_schedule_changed(saved.schedule, upcoming))
