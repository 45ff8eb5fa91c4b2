"""/channel: the daily tip in a channel, subscribed by one of its admins from a private chat.

Both rights are checked with Telegram each time: the bot must be an admin allowed to post,
and the person an admin (or the creator) of the channel. The channel is then an ordinary
subscriber (chat type "channel"), swept and paced like a group; who added it is remembered
against their private chat, so `/channel` can list it and their /delete_me forgets it.
"""

from __future__ import annotations

import re

from telegram import CallbackQuery, Chat, ChatFullInfo, Message, MessageOriginChannel, Update
from telegram.error import BadRequest, Forbidden

from bot.commands import permissions, texts
from bot.commands.buttons.settings_buttons import Press, RemoveChannel, channels_keyboard
from bot.commands.handlers import upcoming_tip
from bot.commands.replying import answer_query, chat_of, edit_in_place, reply
from bot.service.context import Context, Services

# A public channel's username, as Telegram allows them (5-32 characters).
_USERNAME = re.compile(r"@[A-Za-z][A-Za-z0-9_]{4,31}", re.ASCII)
_PROBLEMS = {
    permissions.ChannelProblem.BOT: texts.render_channel_bot_missing,
    permissions.ChannelProblem.USER: lambda _name: texts.render_channel_not_admin(),
}


async def channel(update: Update, context: Context) -> None:
    """`/channel @name` subscribes a channel; `/channel` alone lists yours to remove."""
    if chat_of(update).type != Chat.PRIVATE:
        await reply(update, context, texts.render_channel_private_only())
        return
    if not context.args:
        await show_channels(update, context)
        return
    name = " ".join(context.args)
    if not _USERNAME.fullmatch(name):
        await reply(update, context, texts.render_channel_usage())
        return
    try:
        found = await context.bot.get_chat(name)
    except (BadRequest, Forbidden):  # no such chat, or one the bot may not look at
        await reply(update, context, texts.render_channel_usage())
        return
    await add_channel(update, context, found)


async def forwarded(update: Update, context: Context) -> None:
    """A post forwarded from a channel subscribes that channel, as `/channel @name` does."""
    message = update.effective_message
    origin = message.forward_origin if message else None
    if not isinstance(origin, MessageOriginChannel):
        await reply(update, context, texts.render_hint())
        return
    await add_channel(update, context, origin.chat)


async def add_channel(update: Update, context: Context, found: Chat | ChatFullInfo) -> None:
    """Check both rights with Telegram, then subscribe the channel and remember who did."""
    s, user = context.services, update.effective_user
    if found.type != Chat.CHANNEL or user is None:
        await reply(update, context, texts.render_channel_usage())
        return
    name = channel_name(found)
    problem = await permissions.channel_problem(context.bot, found.id, user.id)
    if problem is not None:
        await reply(update, context, _PROBLEMS[problem](name))
        return
    now, default = s.clock(), s.settings.default_schedule
    subscriber, newly = s.store.add_channel(chat_of(update).id, found.id, name, default, now)
    upcoming = upcoming_tip(subscriber, now)
    s.wake_at(upcoming)
    text = texts.render_channel_added(name, subscriber.schedule, upcoming, newly)
    await reply(update, context, text)


async def show_channels(update: Update, context: Context) -> None:
    """The person's channels, a remove button under each."""
    s = context.services
    mine = s.store.channels_of(chat_of(update).id)
    await reply(update, context, texts.render_channels(listed(s, mine)), channels_keyboard(mine))


async def remove_pressed(
    query: CallbackQuery, message: Message, press: Press, context: Context
) -> None:
    """A channel's remove button: its presser must still be one of the channel's admins."""
    assert isinstance(press, RemoveChannel)
    s, owner = context.services, message.chat.id
    mine = dict(s.store.channels_of(owner))
    if press.channel_id not in mine:
        await answer_query(query, texts.render_stale_button())
        return
    admin = await permissions.is_channel_admin(
        context.bot, press.channel_id, query.from_user.id, s.admins, s.clock()
    )
    if not admin:
        await answer_query(query, texts.render_channel_remove_refused())
        return
    s.store.remove_channel(press.channel_id, s.clock())
    await answer_query(query, None)
    left = s.store.channels_of(owner)
    text = texts.render_channels(listed(s, left), removed=mine[press.channel_id])
    await edit_in_place(query, s, text, channels_keyboard(left))


def listed(s: Services, channels: list[tuple[int, str]]) -> list[tuple[str, bool]]:
    """Each channel's name, and whether it still gets the daily tip (the bot may have been
    removed from it since)."""
    active = {cid: bool((sub := s.store.subscriber(cid)) and sub.active) for cid, _ in channels}
    return [(name, active[cid]) for cid, name in channels]


def channel_name(chat: Chat | ChatFullInfo) -> str:
    """How a channel is shown: its @username, else its title."""
    return f"@{chat.username}" if chat.username else chat.title or str(chat.id)
