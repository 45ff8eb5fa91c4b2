"""How every handler answers: a reply, a message edited in place, a press's short answer;
the chat of an update; and the guard that keeps a group's settings for its admins.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from telegram import (
    CallbackQuery,
    Chat,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest

from bot.commands import permissions, texts
from bot.service.context import Context, Services
from bot.transport.follow_ups import FollowUp
from bot.transport.sender import reply_patiently

logger = logging.getLogger(__name__)

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]
# What a reply may carry: buttons under it, or (private chats) a keyboard in place of the user's
ReplyMarkup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


async def reply(
    update: Update, context: Context, text: str, markup: ReplyMarkup | None = None
) -> bool:
    """Answer in the chat the update came from, through the gateway; False if not sent."""
    message = update.effective_message
    if message is None:
        return False
    sent = await reply_patiently(lambda: message.reply_text(text, reply_markup=markup))
    if sent is not None:
        context.services.metrics.replied()
    return sent is not None


async def edit_in_place(
    query: CallbackQuery, s: Services, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Show `text` (and `markup`) in place of the message a pressed button was under, once the
    gateway allows: the handler returns at once (`follow_up`)."""

    async def edit() -> None:
        try:
            await reply_patiently(lambda: query.edit_message_text(text, reply_markup=markup))
        except BadRequest as exc:  # a second press on the same state: nothing to change
            if "not modified" not in exc.message.lower():
                raise
            logger.debug("Edit skipped: %s", exc)

    follow_up(query, s, edit)


def follow_up(query: CallbackQuery, s: Services, then: FollowUp) -> None:
    """After a press is answered, what it changes in its message (`then`) is made in the
    background, in order with the message's other presses: waiting for the gateway must not
    hold one of python-telegram-bot's update slots (`bot.transport.follow_ups`)."""
    message = query.message
    if message is None:  # an inline message's press: the bot offers no inline mode
        raise ValueError(f"callback query {query.id} has no message")
    s.follow_ups.submit((message.chat.id, message.message_id), then)


def admins_only(handler: Handler) -> Handler:
    """In groups, a settings change is for the group's admins: members are told to ask one,
    other bots and channels are ignored. Private chats are not affected."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        message, s = update.effective_message, context.services
        if message is None:
            return
        verdict = await permissions.verdict(message, context.bot, s.admins, s.clock())
        if verdict is permissions.Verdict.ALLOW:
            await handler(update, context)
        elif verdict is permissions.Verdict.REFUSE:
            await reply(update, context, texts.render_ask_an_admin())

    return guarded


def chat_of(update: Update) -> Chat:
    """The chat of a command; every handler that asks is registered for messages only."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError(f"update {update.update_id} has no chat")
    return chat


async def answer_query(query: CallbackQuery, text: str | None) -> None:
    """Stop the client's spinner, with a short text shown for a moment (or none)."""
    try:
        await query.answer(text)
    except BadRequest as exc:  # "query is too old": the spinner has stopped by itself
        logger.debug("Could not answer a callback query: %s", exc)


async def allowed_message(
    query: CallbackQuery, context: Context, *, readable: bool
) -> Message | None:
    """The message a settings press sits under, if the press may act on it: `readable`, and in
    a group pressed by an admin. Otherwise None, the press answered (stale; ask an admin)."""
    s, message = context.services, query.message
    if not readable or not isinstance(message, Message):
        await answer_query(query, texts.render_stale_button())
        return None
    verdict = await permissions.press_verdict(
        message.chat, query.from_user, context.bot, s.admins, s.clock()
    )
    if verdict is not permissions.Verdict.ALLOW:
        refused = verdict is permissions.Verdict.REFUSE
        await answer_query(query, texts.render_ask_an_admin() if refused else None)
        return None
    return message


#: What a settings-like press does once allowed: (query, message, the parsed press, context).
OnPress = Callable[[CallbackQuery, Message, Any, Context], Awaitable[None]]


async def dispatch_press(
    update: Update,
    context: Context,
    parse: Callable[[str | None], object | None],
    on_press: Mapping[type[Any], OnPress],
) -> None:
    """A settings-like button: parsed, checked (`allowed_message`, which answers a refused
    press), then handed to what its kind of press does."""
    query = update.callback_query
    if query is None:
        return
    pressed = parse(query.data)
    message = await allowed_message(query, context, readable=pressed is not None)
    if pressed is not None and message is not None:
        await on_press[type(pressed)](query, message, pressed, context)
