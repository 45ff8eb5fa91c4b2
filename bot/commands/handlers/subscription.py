"""/start and /stop, and the chat changes Telegram tells of: a group become a supergroup, the
bot blocked or removed."""

from __future__ import annotations

from telegram import ChatMember, Update

from bot.commands import texts
from bot.commands.buttons import pickers, zone_buttons
from bot.commands.replying import admins_only, chat_of, reply
from bot.service.context import Context
from scheduler.due import next_due


@admins_only
async def start(update: Update, context: Context) -> None:
    """Subscribe (or re-activate) the chat and say what to expect."""
    s, chat = context.services, chat_of(update)
    now = s.clock()
    subscriber, newly = s.store.subscribe(chat.id, chat.type, s.settings.default_schedule, now)
    upcoming = next_due(subscriber.schedule, subscriber.last_delivery, now)
    s.wake_at(upcoming)
    pickers_now = zone_buttons.with_shortcuts(pickers.welcome_keyboard(), chat.type)
    markup = pickers_now if newly else None
    await reply(update, context, texts.render_welcome(subscriber.schedule, upcoming, newly), markup)


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
