"""Command handlers: parse → core → render → reply. Each one short, none builds text inline."""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Callable, Coroutine
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Chat, ChatMember, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, InvalidToken

from bot.commands import permissions, pickers, texts
from bot.commands.keyboards import tip_keyboard
from bot.commands.parsing import AmbiguousTimezone, ArgumentError, parse_time, parse_timezone
from bot.service import metrics
from bot.service.context import Context, Services
from bot.transport.follow_ups import FollowUp
from bot.transport.sender import reply_patiently
from habits import streaks
from scheduler.due import local_date, next_due
from scheduler.records import Subscriber
from tips import Kind, Tip, next_tip, render_sources, render_tip

logger = logging.getLogger(__name__)

Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


async def reply(
    update: Update, context: Context, text: str, markup: InlineKeyboardMarkup | None = None
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


async def received(update: Update, context: Context) -> None:
    """Before any other handler: note when this update's processing started."""
    metrics.mark_received()


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


@admins_only
async def start(update: Update, context: Context) -> None:
    """Subscribe (or re-activate) the chat and say what to expect."""
    s, chat = context.services, chat_of(update)
    now = s.clock()
    subscriber, newly = s.store.subscribe(chat.id, chat.type, s.settings.default_schedule, now)
    upcoming = next_due(subscriber.schedule, subscriber.last_delivery, now)
    s.wake_at(upcoming)
    markup = pickers.welcome_keyboard() if newly else None
    await reply(update, context, texts.render_welcome(subscriber.schedule, upcoming, newly), markup)


@admins_only
async def stop(update: Update, context: Context) -> None:
    """Unsubscribe, keeping the chat's settings for a later /start."""
    s = context.services
    was_active = s.store.unsubscribe(chat_of(update).id, s.clock())
    await reply(update, context, texts.render_stopped(was_active))


async def tip(update: Update, context: Context) -> None:
    """A tip now, from the chat's chosen topics or from the topic named after the command."""
    s = context.services
    library = s.library
    if not context.args:
        subscriber = s.store.subscriber(chat_of(update).id)
        chosen = subscriber.topics if subscriber else None
        await send_tip_from(update, context, library.tips_for(chosen))
        return
    topic = library.topic("".join(context.args))
    if topic is None:
        shown = " ".join(context.args)
        await reply(update, context, texts.render_unknown_topic(shown, library.topics))
        return
    await send_tip_from(update, context, library.tips_in([topic.id]))


async def avoid(update: Update, context: Context) -> None:
    """A tip from the "what to avoid" part of the library."""
    await send_tip_from(update, context, context.services.library.avoid_tips)


async def send_tip_from(update: Update, context: Context, pool: tuple[Tip, ...]) -> None:
    """The chat's next tip from `pool` (the rotation of /tip), with its buttons."""
    s, chat_id = context.services, chat_of(update).id
    chosen = next_tip(s.store, pool, chat_id, s.rng, s.clock())
    markup = tip_markup(context, chat_id, chosen)
    if not await reply(update, context, render_tip(chosen, s.library), markup):
        s.store.forget_seen(chat_id, [chosen.id])  # seen only when it was delivered


def tip_markup(
    context: Context, chat_id: int, tip: Tip, *, why: bool = True
) -> InlineKeyboardMarkup:
    """The buttons under a tip, showing the chat's vote on it and, under a tip to act on,
    today's check-in; `why` False once the message shows the evidence."""
    s = context.services
    action = tip.kind is Kind.ACTION
    done = action and s.store.checked_in(chat_id, local_today(context, chat_id))
    vote = s.store.vote_of(chat_id, tip.id)
    return tip_keyboard(tip.id, vote=vote, done=done, did=action, why=why)


def local_today(context: Context, chat_id: int) -> date:
    """The chat's date now, in its timezone (the default one if it has none)."""
    s = context.services
    subscriber = s.store.subscriber(chat_id, s.settings.default_schedule)
    schedule = subscriber.schedule if subscriber else s.settings.default_schedule
    return local_date(schedule, s.clock())


async def streak(update: Update, context: Context) -> None:
    """Current and longest run of days with a ✅ check-in."""
    s, chat_id = context.services, chat_of(update).id
    shown = streaks.streak(s.store.check_in_days(chat_id), local_today(context, chat_id))
    await reply(update, context, texts.render_streak(shown))


async def source(update: Update, context: Context) -> None:
    """The full sources of the last tip this chat received."""
    s = context.services
    last_id = s.store.last_seen_tip(chat_of(update).id)
    last = s.library.tip(last_id) if last_id else None
    if last is not None:
        await reply(update, context, render_sources(last, s.library))
    elif last_id:
        await reply(update, context, texts.render_tip_retired())
    else:
        await reply(update, context, texts.render_no_tip_yet())


@admins_only
async def set_time(update: Update, context: Context) -> None:
    """`/time HH:MM`: the local time of the daily tip; without one, common times to tap."""
    if not context.args:
        await reply(update, context, texts.render_time_picker(), pickers.times_keyboard())
        return
    try:
        at = parse_time(" ".join(context.args or ()))
    except ArgumentError as problem:
        await reply(update, context, texts.render_time_usage(str(problem)))
        return
    await _change_schedule(update, context, at=at)


@admins_only
async def set_timezone(update: Update, context: Context) -> None:
    """`/timezone Area/City` or an unambiguous city; without one, regions to tap."""
    if not context.args:
        await reply(update, context, texts.render_timezone_picker(), pickers.regions_keyboard())
        return
    try:
        zone = parse_timezone(" ".join(context.args or ()))
    except AmbiguousTimezone as problem:
        usage = texts.render_timezone_usage(str(problem), problem.candidates)
        await reply(update, context, usage)
        return
    except ArgumentError as problem:
        await reply(update, context, texts.render_timezone_usage(str(problem)))
        return
    await _change_schedule(update, context, timezone=zone)


async def _change_schedule(
    update: Update, context: Context, *, at: time | None = None, timezone: ZoneInfo | None = None
) -> None:
    chat = chat_of(update)
    await reply(update, context, save_schedule(context.services, chat, at=at, timezone=timezone))


def save_schedule(
    s: Services, chat: Chat, *, at: time | None = None, timezone: ZoneInfo | None = None
) -> str:
    """Store a new time or timezone for `chat`, wake the sweep for it; the confirmation."""
    now, default = s.clock(), s.settings.default_schedule
    subscriber = s.store.set_schedule(
        chat.id, now, chat_type=chat.type, default=default, at=at, timezone=timezone
    )
    upcoming = upcoming_tip(subscriber, now)
    s.wake_at(upcoming)
    return texts.render_schedule_changed(subscriber.schedule, upcoming)


async def help_command(update: Update, context: Context) -> None:
    """Commands and topics."""
    await reply(update, context, texts.render_help(context.services.library.topics))


async def about(update: Update, context: Context) -> None:
    """What the bot is, where the tips come from, and the disclaimer."""
    library = context.services.library
    await reply(update, context, texts.render_about(len(library.tips), len(library.references)))


async def stats(update: Update, context: Context) -> None:
    """Figures for operators, in a private chat with one of `ADMIN_USER_IDS`; anyone else
    gets what an unknown command gets."""
    s, chat, user = context.services, chat_of(update), update.effective_user
    if chat.type != Chat.PRIVATE or user is None or user.id not in s.settings.admin_user_ids:
        await (hint if chat.type == Chat.PRIVATE else addressed_hint)(update, context)
        return
    await reply(update, context, texts.render_stats(s.store.stats(s.clock())))


async def hint(update: Update, context: Context) -> None:
    """Plain text or an unknown command in a private chat: point to /help."""
    await reply(update, context, texts.render_hint())


async def addressed_hint(update: Update, context: Context) -> None:
    """An unknown command in a group: answer only if it names this bot (`/foo@ThisBot`)."""
    message = update.effective_message
    text = (message.text if message else None) or ""
    command = text.split(maxsplit=1)[0] if text else ""
    if command.casefold().endswith(f"@{context.bot.username}".casefold()):
        await reply(update, context, texts.render_hint())


async def chat_migrated(update: Update, context: Context) -> None:
    """A group became a supergroup: move its subscription to the new chat id."""
    message, s = update.effective_message, context.services
    if message is None:
        return
    if message.migrate_to_chat_id:  # sent in the old group
        s.store.migrate(message.chat.id, message.migrate_to_chat_id, s.clock())
    elif message.migrate_from_chat_id:  # sent in the new supergroup; the move is idempotent
        s.store.migrate(message.migrate_from_chat_id, message.chat.id, s.clock())


async def membership_changed(update: Update, context: Context) -> None:
    """The user blocked the bot (or removed it from a group): stop deliveries at once."""
    change = update.my_chat_member
    if change and change.new_chat_member.status in (ChatMember.BANNED, ChatMember.LEFT):
        s = context.services
        s.store.deactivate(change.chat.id, s.clock())


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its traceback; tell the user something short and kind.

    A token Telegram no longer accepts is no bug here: the runner is told (in webhook mode
    nothing else would notice), and nobody can be answered anyway."""
    if isinstance(context.error, InvalidToken):
        context.services.token_rejected()
        return
    if isinstance(context.error, sqlite3.OperationalError):  # a full disk, a busy database:
        logger.error("Could not handle an update: the database said %s", context.error)
    else:  # the world, not a bug: one line; anything else is a bug, with its traceback
        logger.error("Error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(texts.render_sorry())
        except Exception:  # the apology is best-effort: the original error is already logged
            logger.debug("Could not send the apology", exc_info=True)


def chat_of(update: Update) -> Chat:
    """The chat of a command; every handler that asks is registered for messages only."""
    chat = update.effective_chat
    if chat is None:
        raise ValueError(f"update {update.update_id} has no chat")
    return chat


def upcoming_tip(subscriber: Subscriber, now: datetime) -> datetime | None:
    """When the next daily tip goes out; None while not subscribed."""
    if not subscriber.active:
        return None
    return next_due(subscriber.schedule, subscriber.last_delivery, now)


async def answer_query(query: CallbackQuery, text: str | None) -> None:
    """Stop the client's spinner, with a short text shown for a moment (or none)."""
    try:
        await query.answer(text)
    except BadRequest as exc:  # "query is too old": the spinner has stopped by itself
        logger.debug("Could not answer a callback query: %s", exc)
