"""Presses on the rhythm buttons: quiet delivery and the weekend time under /settings (the
settings message edited in place), and ✓ Done under a welcome. Checked as the settings
buttons are (`bot.commands.replying.allowed_message`): in a group, for its admins.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import CallbackQuery, Message, Update
from telegram.error import BadRequest

from bot.commands import choices, texts
from bot.commands.buttons.rhythm_buttons import (
    DoneChoosing,
    PickWeekend,
    SetQuiet,
    ShowWeekends,
    parse_rhythm_press,
    weekend_keyboard,
)
from bot.commands.replying import (
    OnPress,
    answer_query,
    dispatch_press,
    edit_in_place,
    follow_up,
)
from bot.service.context import Context
from bot.transport.sender import reply_patiently
from scheduler.due import next_due

logger = logging.getLogger(__name__)


async def press(update: Update, context: Context) -> None:
    """A quiet, weekend or Done button: checked, answered, then acted on."""
    await dispatch_press(update, context, parse_rhythm_press, _ON_PRESS)


async def _quiet(query: CallbackQuery, message: Message, press: SetQuiet, context: Context) -> None:
    """Quiet delivery on or off; the settings view shows it."""
    s, chat = context.services, message.chat
    default = s.settings.default_schedule
    s.store.set_quiet(chat.id, press.quiet, s.clock(), chat_type=chat.type, default=default)
    await answer_query(query, texts.render_quiet_changed(press.quiet))
    await edit_in_place(query, s, *choices.settings_view(s, chat.id, chat.type))


async def _weekends(
    query: CallbackQuery, message: Message, press: ShowWeekends, context: Context
) -> None:
    """The weekend times, in place of the settings view (⚙️ Settings goes back)."""
    s, chat = context.services, message.chat
    subscriber = s.store.subscriber(chat.id, s.settings.default_schedule)
    schedule = subscriber.schedule if subscriber else s.settings.default_schedule
    await answer_query(query, None)
    await edit_in_place(query, s, texts.render_weekend_picker(schedule), weekend_keyboard())


async def _pick_weekend(
    query: CallbackQuery, message: Message, press: PickWeekend, context: Context
) -> None:
    """A weekend time (or the weekday one): saved, and the settings view shows it."""
    s, chat = context.services, message.chat
    now, default = s.clock(), s.settings.default_schedule
    saved = s.store.set_weekend_time(chat.id, press.at, now, chat_type=chat.type, default=default)
    if saved.active:
        s.wake_at(next_due(saved.schedule, saved.last_delivery, now))
    await answer_query(query, None)
    await edit_in_place(query, s, *choices.settings_view(s, chat.id, chat.type))


async def _done(
    query: CallbackQuery, message: Message, press: DoneChoosing, context: Context
) -> None:
    """A welcome's other choice dismissed: its buttons go, its text stays."""
    await answer_query(query, None)

    async def drop_buttons() -> None:
        try:
            await reply_patiently(lambda: query.edit_message_reply_markup(None))
        except BadRequest as exc:  # pressed twice: nothing left to remove
            if "not modified" not in exc.message.lower():
                raise
            logger.debug("Buttons already gone: %s", exc)

    follow_up(query, context.services, drop_buttons)


_ON_PRESS: dict[type[Any], OnPress] = {
    SetQuiet: _quiet,
    ShowWeekends: _weekends,
    PickWeekend: _pick_weekend,
    DoneChoosing: _done,
}
