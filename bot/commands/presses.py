"""The buttons under a tip: 👍 / 👎, ✅ Did it, 🔎 Why?, Another tip, 📚 Source.

Every press is answered (`answerCallbackQuery`) at once with a short text. A press is acted on
only if its data parses (`bot.commands.buttons.keyboards.parse_press`), its tip is in the
library, and the message it came from carries buttons for that tip; anything else is answered
with one line and changes nothing. Votes and check-ins belong to the chat the message is in, so
in a group every member's press counts for the group (the latest vote wins), as the daily tip
does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from bot.commands import texts
from bot.commands.buttons.keyboards import VOTES, Action, Press, keyboard_tip_ids, parse_press
from bot.commands.handlers import local_today, send_tip_from, tip_markup
from bot.commands.replying import answer_query, follow_up
from bot.service.context import Context
from bot.transport.sender import reply_patiently
from tips import WHY, Tip, render_evidence, render_sources, render_tip_with_evidence

logger = logging.getLogger(__name__)

Act = Callable[[Update, Context, Message, Tip, Action], Coroutine[Any, Any, None]]


async def pressed(update: Update, context: Context) -> None:
    """Any button press: check it, then do what its action says (see `ACTIONS`)."""
    query = update.callback_query
    if query is None:
        return
    press = parse_press(query.data)
    tip = context.services.library.tip(press.tip_id) if press else None
    message = query.message if isinstance(query.message, Message) else None
    if press is None:
        await answer_query(query, texts.render_stale_button())
    elif tip is None:
        source = press.action is Action.SOURCE
        await answer_query(
            query, texts.render_tip_retired() if source else texts.render_button_retired()
        )
    elif message is None or not _carries(message, press):
        await answer_query(query, texts.render_stale_button())  # forged, or its message is gone
    else:
        await ACTIONS[press.action](update, context, message, tip, press.action)


def _carries(message: Message, press: Press) -> bool:
    """The message the press came from has buttons for the pressed tip."""
    return press.tip_id in keyboard_tip_ids(message.reply_markup)


async def vote(update: Update, context: Context, message: Message, tip: Tip, act: Action) -> None:
    """👍 or 👎: one vote per chat and tip; a second press changes it."""
    s, query = context.services, _query(update)
    before = s.store.vote(message.chat.id, tip.id, VOTES[act], s.clock())
    await answer_query(query, texts.render_vote_noted(VOTES[act], before))
    await _show_state(query, context, message, tip)


async def did_it(update: Update, context: Context, message: Message, tip: Tip, _: Action) -> None:
    """✅ Did it: the chat's check-in for its local today (once a day)."""
    s, query, chat_id = context.services, _query(update), message.chat.id
    new = s.store.check_in(chat_id, local_today(context, chat_id))
    await answer_query(query, texts.render_checked_in(new))
    await _show_state(query, context, message, tip)


async def another(update: Update, context: Context, message: Message, tip: Tip, _: Action) -> None:
    """Another tip: the chat's next one, as /tip would choose it, in a new message."""
    await answer_query(_query(update), None)
    s = context.services
    subscriber = s.store.subscriber(message.chat.id)
    chosen = subscriber.topics if subscriber else None
    await send_tip_from(update, context, s.library.tips_for(chosen))  # the chosen topics


async def source(update: Update, context: Context, message: Message, tip: Tip, _: Action) -> None:
    """📚 Source: the tip's full sources, in a new message."""
    s = context.services
    await answer_query(_query(update), None)
    text, chat_id = render_sources(tip, s.library), message.chat.id
    await reply_patiently(lambda: context.bot.send_message(chat_id, text))


async def why(update: Update, context: Context, message: Message, tip: Tip, _: Action) -> None:
    """🔎 Why?: the tip's evidence, added to its message in place (in a new message if the
    tip cannot be edited); once shown, a press changes nothing."""
    s, query = context.services, _query(update)
    await answer_query(query, None)
    if shows_evidence(message):
        return
    text = render_tip_with_evidence(tip, s.library)
    markup = tip_markup(context, message.chat.id, tip, why=False)

    async def add_evidence() -> None:
        try:
            await reply_patiently(lambda: query.edit_message_text(text, reply_markup=markup))
        except BadRequest as exc:
            if "not modified" in exc.message.lower():
                return
            logger.info("Could not add the evidence to the tip (%s); sending it apart", exc.message)
            evidence, chat_id = render_evidence(tip, s.library), message.chat.id
            await reply_patiently(lambda: context.bot.send_message(chat_id, evidence))

    follow_up(query, s, add_evidence)


def shows_evidence(message: Message) -> bool:
    """The tip's message already shows its evidence (🔎 Why? was pressed under it)."""
    return WHY in (message.text or "")


ACTIONS: dict[Action, Act] = {
    Action.UP: vote,
    Action.DOWN: vote,
    Action.DID: did_it,
    Action.ANOTHER: another,
    Action.SOURCE: source,
    Action.WHY: why,
}


async def _show_state(query: CallbackQuery, context: Context, message: Message, tip: Tip) -> None:
    """Edit the pressed message's buttons to show the vote and check-in, if they changed."""
    why = not shows_evidence(message)
    markup: InlineKeyboardMarkup = tip_markup(context, message.chat.id, tip, why=why)
    if markup == message.reply_markup:
        return

    async def show() -> None:
        try:
            await reply_patiently(lambda: query.edit_message_reply_markup(reply_markup=markup))
        except BadRequest as exc:  # "message is not modified", or too old to edit: keep it
            logger.debug("Could not edit the buttons: %s", exc)

    follow_up(query, context.services, show)


def _query(update: Update) -> CallbackQuery:
    assert update.callback_query is not None, "only callback queries reach the actions"
    return update.callback_query
