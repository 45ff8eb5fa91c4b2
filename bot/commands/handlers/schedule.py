"""/time and /timezone, and when a chat's days and daily tips fall."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from telegram import Chat, InlineKeyboardMarkup, Update

from bot.commands import texts
from bot.commands.buttons import pickers, zone_buttons
from bot.commands.handlers.weekends import asks_for_weekends, set_weekend_time
from bot.commands.parsing import ArgumentError, parse_time
from bot.commands.places.finding import CountryZones, OneZone, SeveralZones, find_zone
from bot.commands.places.naming import country_name
from bot.commands.replying import admins_only, chat_of, reply
from bot.service.context import Context, Services
from scheduler.due import local_date, next_due
from scheduler.records import Subscriber


def local_today(context: Context, chat_id: int) -> date:
    """The chat's date now, in its timezone (the default one if it has none)."""
    s = context.services
    subscriber = s.store.subscriber(chat_id, s.settings.default_schedule)
    schedule = subscriber.schedule if subscriber else s.settings.default_schedule
    return local_date(schedule, s.clock())


@admins_only
async def set_time(update: Update, context: Context) -> None:
    """`/time HH:MM`: the local time of the daily tip; without one, common times to tap;
    `/time weekends HH:MM` (or `off`): another time on Saturdays and Sundays."""
    if not context.args:
        await reply(update, context, texts.render_time_picker(), pickers.times_keyboard())
        return
    if asks_for_weekends(context.args):
        await set_weekend_time(update, context, context.args[1:])
        return
    try:
        at = parse_time(" ".join(context.args or ()))
    except ArgumentError as problem:
        await reply(update, context, texts.render_time_usage(str(problem)))
        return
    await _change_schedule(update, context, at=at)


@admins_only
async def set_timezone(update: Update, context: Context) -> None:
    """`/timezone` with a city, a country, an abbreviation or an IANA name; a choice of several
    is asked with buttons; without any, regions to tap."""
    if not context.args:
        markup = zone_buttons.with_shortcuts(pickers.regions_keyboard(), chat_of(update).type)
        await reply(update, context, texts.render_timezone_picker(), markup)
        return
    try:
        found = find_zone(" ".join(context.args), context.services.clock())
    except ArgumentError as problem:
        await reply(update, context, texts.render_timezone_usage(str(problem)))
        return
    if isinstance(found, OneZone):
        await _change_schedule(update, context, timezone=ZoneInfo(found.key))
    else:
        await reply(update, context, *zone_question(found))


def zone_question(found: SeveralZones | CountryZones) -> tuple[str, InlineKeyboardMarkup]:
    """The question and its buttons when what was typed names several zones."""
    if isinstance(found, SeveralZones):
        return texts.render_zone_choice(found.said), pickers.choice_keyboard(found.keys)
    pages = len(pickers.country_pages(found.code))
    text = texts.render_country_page(country_name(found.code), 0, pages)
    return text, pickers.country_keyboard(found.code, 0)


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


def upcoming_tip(subscriber: Subscriber, now: datetime) -> datetime | None:
    """When the next daily tip goes out; None while not subscribed."""
    if not subscriber.active:
        return None
    return next_due(subscriber.schedule, subscriber.last_delivery, now)
