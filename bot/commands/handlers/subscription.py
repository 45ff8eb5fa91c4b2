"""/start and /stop, and the chat changes Telegram tells of: a group become a supergroup, the
bot blocked or removed."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from telegram import ChatMember, Update

from bot.commands import texts
from bot.commands.buttons import pickers, zone_buttons
from bot.commands.replying import admins_only, chat_of, reply
from bot.service.context import Context
from scheduler.due import next_due
from scheduler.records import Subscriber


class Arrival(Enum):
    """Who sends /start: someone new, someone back after /stop (or a block), or a subscriber."""

    NEW = "new"
    RETURNING = "returning"
    SUBSCRIBED = "subscribed"


def arrival(before: Subscriber | None, left_at: datetime | None) -> Arrival:
    """Judged from the chat's row before /start: a chat stored only by a setting (/time before
    any /start) never left, so it is new; so is a row whose settings could not be read."""
    if before is not None and before.active:
        return Arrival.SUBSCRIBED
    return Arrival.RETURNING if before is not None and left_at is not None else Arrival.NEW


@admins_only
async def start(update: Update, context: Context) -> None:
    """Subscribe (or re-activate) the chat and say what to expect: the onboarding for someone
    new, their own settings and what is new for someone who was here."""
    s, chat = context.services, chat_of(update)
    now, store = s.clock(), s.store
    left_at = store.left_at(chat.id)
    came = arrival(store.subscriber(chat.id), left_at)
    subscriber, _ = store.subscribe(chat.id, chat.type, s.settings.default_schedule, now)
    upcoming = next_due(subscriber.schedule, subscriber.last_delivery, now)
    s.wake_at(upcoming)
    if came is Arrival.NEW:
        welcome = texts.render_welcome(subscriber.schedule, upcoming)
        pickers_now = zone_buttons.with_shortcuts(pickers.welcome_keyboard(), chat.type)
        await reply(update, context, welcome, pickers_now)
        return
    returning = came is Arrival.RETURNING
    since = left_at if returning else store.stored_since(chat.id)
    back = texts.render_welcome_back(
        subscriber.schedule,
        upcoming,
        returning=returning,
        quiet=subscriber.quiet,
        topics=s.library.topics,
        chosen=subscriber.topics,
        news=texts.news_since(since),
    )
    await reply(update, context, back)


@admins_only
async def stop(update: Update, context: Context) -> None:
    """Unsubscribe, keeping the chat's settings for a later /start."""
    s = context.services
    was_active = s.store.unsubscribe(chat_of(update).id, s.clock())
    await reply(update, context, texts.render_stopped(was_active))


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
