"""Who may change a group's subscription: its administrators, as Telegram says, cached briefly.

In a private chat the person is the whole audience, so anything goes. In a group the daily tip
reaches everyone, so its settings commands and buttons are for the group's admins: a member is
told to ask one, and messages from other bots or sent as a channel are ignored (a bot loop or a
linked channel must not switch the group's tips on and off). A message sent as the group itself
comes from an anonymous admin, who is an admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from telegram import Bot, Chat, ChatMember, ChatMemberAdministrator, Message, User
from telegram.error import BadRequest

__all__ = [
    "ADMIN_TTL",
    "AdminCache",
    "ChannelProblem",
    "Sender",
    "Verdict",
    "channel_problem",
    "is_channel_admin",
    "press_verdict",
    "sender_of",
    "verdict",
]

ADMIN_TTL = timedelta(seconds=60)
_GROUPS = frozenset({Chat.GROUP, Chat.SUPERGROUP})
_ADMINS = frozenset({ChatMember.OWNER, ChatMember.ADMINISTRATOR})


class Sender(StrEnum):
    """Who wrote a message in a group, as far as permissions go."""

    PERSON = "person"  # ask Telegram whether they are an admin
    GROUP = "group"  # sent as the group itself: an anonymous admin
    OTHER = "other"  # another bot, a channel, or no sender at all


class Verdict(StrEnum):
    """What a settings command does with a message."""

    ALLOW = "allow"
    REFUSE = "refuse"  # a member: tell them to ask an admin
    IGNORE = "ignore"  # not a person: say nothing


_BY_SENDER = {Sender.GROUP: Verdict.ALLOW, Sender.OTHER: Verdict.IGNORE}


def sender_of(message: Message) -> Sender:
    """Classify the sender; `sender_chat` comes first, as such messages carry a bot `from`."""
    if message.sender_chat is not None:
        return Sender.GROUP if message.sender_chat.id == message.chat.id else Sender.OTHER
    if message.from_user is None or message.from_user.is_bot:
        return Sender.OTHER
    return Sender.PERSON


@dataclass(frozen=True)
class _Known:
    is_admin: bool
    checked: datetime


class AdminCache:
    """Whether a user is an admin of a chat, remembered for `ttl`: one getChatMember per user
    and chat per minute, however fast they type. A demoted admin keeps the right for at most
    `ttl`; that is the price of not asking Telegram on every command."""

    def __init__(self, ttl: timedelta = ADMIN_TTL, size: int = 10_000) -> None:
        self._ttl = ttl
        self._size = size
        self._known: dict[tuple[int, int], _Known] = {}

    def get(self, chat_id: int, user_id: int, now: datetime) -> bool | None:
        """The remembered answer, or None when unknown or older than `ttl`."""
        known = self._known.get((chat_id, user_id))
        if known is None or now - known.checked >= self._ttl:
            return None
        return known.is_admin

    def put(self, chat_id: int, user_id: int, is_admin: bool, now: datetime) -> None:
        if len(self._known) >= self._size:
            self._forget_expired(now)
        self._known[chat_id, user_id] = _Known(is_admin, now)

    def __len__(self) -> int:
        return len(self._known)

    def _forget_expired(self, now: datetime) -> None:
        """Keep memory bounded: drop stale answers, or everything if all are fresh."""
        fresh = {key: k for key, k in self._known.items() if now - k.checked < self._ttl}
        self._known = fresh if len(fresh) < self._size else {}


async def verdict(message: Message, bot: Bot, cache: AdminCache, now: datetime) -> Verdict:
    """May the sender of `message` change its chat's settings?"""
    if message.chat.type not in _GROUPS:
        return Verdict.ALLOW
    sender = sender_of(message)
    if sender is not Sender.PERSON or message.from_user is None:
        return _BY_SENDER.get(sender, Verdict.IGNORE)
    return await _admin_verdict(message.chat.id, message.from_user.id, bot, cache, now)


async def press_verdict(
    chat: Chat, presser: User, bot: Bot, cache: AdminCache, now: datetime
) -> Verdict:
    """May the user who pressed a button under a message in `chat` change its settings?"""
    if chat.type not in _GROUPS:
        return Verdict.ALLOW
    if presser.is_bot:
        return Verdict.IGNORE
    return await _admin_verdict(chat.id, presser.id, bot, cache, now)


async def _admin_verdict(
    chat_id: int, user_id: int, bot: Bot, cache: AdminCache, now: datetime
) -> Verdict:
    is_admin = cache.get(chat_id, user_id, now)
    if is_admin is None:
        member = await bot.get_chat_member(chat_id, user_id)
        is_admin = member.status in _ADMINS
        cache.put(chat_id, user_id, is_admin, now)
    return Verdict.ALLOW if is_admin else Verdict.REFUSE


class ChannelProblem(StrEnum):
    """Which admin right is missing for a channel's daily tip."""

    BOT = "bot"  # the bot is not an admin allowed to post messages
    USER = "user"  # the person is not the channel's creator or an admin


async def channel_problem(bot: Bot, channel_id: int, user_id: int) -> ChannelProblem | None:
    """Ask Telegram, now, whether both rights are there: the bot's first, since a channel's
    members can only be looked up by one of its admins."""
    try:
        me = await bot.get_chat_member(channel_id, bot.id)
    except BadRequest:  # not in the channel at all
        return ChannelProblem.BOT
    if not isinstance(me, ChatMemberAdministrator) or not me.can_post_messages:
        return ChannelProblem.BOT
    member = await bot.get_chat_member(channel_id, user_id)
    return None if member.status in _ADMINS else ChannelProblem.USER


async def is_channel_admin(
    bot: Bot, channel_id: int, user_id: int, cache: AdminCache, now: datetime
) -> bool:
    """Is the person still an admin of the channel? True too when the bot can no longer look
    (it was removed), as the channel then gets nothing from it anyway."""
    try:
        return await _admin_verdict(channel_id, user_id, bot, cache, now) is Verdict.ALLOW
    except BadRequest:
        return True
