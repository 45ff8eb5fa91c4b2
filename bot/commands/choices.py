"""Shaping what arrives: /topics, /pause, /resume and /settings, typed or tapped.

A press on a preferences button edits the message it sits under (the settings or the topics
view), so one message stays current instead of a new one per change. Every press is answered,
a stale, forged or refused one with a short line.
"""

from __future__ import annotations

from typing import Any

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, Update

from bot.commands import channels, onboarding, privacy, texts
from bot.commands.buttons import pickers, zone_buttons
from bot.commands.buttons.recap_toggle import with_recap_toggle
from bot.commands.buttons.rhythm_buttons import with_rhythm_rows
from bot.commands.buttons.settings_buttons import (
    MAX_PAUSE_DAYS,
    SETTINGS_PAUSE_DAYS,
    CancelDelete,
    ConfirmDelete,
    CountryPage,
    Pause,
    PickTime,
    PickZone,
    Press,
    RegionPage,
    RemoveChannel,
    Resume,
    Show,
    ToggleTopic,
    parse_press,
    settings_keyboard,
    topics_keyboard,
)
from bot.commands.handlers import upcoming_tip
from bot.commands.parsing import ArgumentError, parse_days
from bot.commands.replying import (
    OnPress,
    admins_only,
    answer_query,
    chat_of,
    dispatch_press,
    edit_in_place,
    reply,
)
from bot.service.context import Context, Services
from bot.transport.sender import reply_patiently
from scheduler.due import is_paused, next_due
from scheduler.records import Subscriber
from tips import LastTopic, toggle_topic

View = tuple[str, InlineKeyboardMarkup]


async def settings(update: Update, context: Context) -> None:
    """Subscription, time, timezone, topics and a pause, with buttons to change them."""
    chat = chat_of(update)
    await reply(update, context, *settings_view(context.services, chat.id, chat.type))


@admins_only
async def topics(update: Update, context: Context) -> None:
    """The library's topics with ✅ toggles."""
    await reply(update, context, *topics_view(context.services, chat_of(update).id))


@admins_only
async def pause(update: Update, context: Context) -> None:
    """`/pause [days]`: no daily tips for a while (7 days unless told, at most 90)."""
    try:
        days = parse_days(" ".join(context.args or ()), SETTINGS_PAUSE_DAYS, MAX_PAUSE_DAYS)
    except ArgumentError as problem:
        await reply(update, context, texts.render_pause_usage(str(problem)))
        return
    s = context.services
    paused = s.store.pause(chat_of(update).id, days, s.clock())
    if paused is None or paused.schedule.paused_until is None:
        await reply(update, context, texts.render_nothing_to_pause())
        return
    upcoming = next_due(paused.schedule, paused.last_delivery, s.clock())
    s.wake_at(upcoming)
    until = paused.schedule.paused_until
    await reply(update, context, texts.render_paused(until, upcoming, paused.schedule))


@admins_only
async def resume(update: Update, context: Context) -> None:
    """End a pause now."""
    s = context.services
    resumed, was_paused = s.store.resume(chat_of(update).id, s.clock())
    if resumed is None:
        await reply(update, context, texts.render_nothing_to_pause())
        return
    upcoming = next_due(resumed.schedule, resumed.last_delivery, s.clock())
    s.wake_at(upcoming)
    await reply(update, context, texts.render_resumed(was_paused, upcoming, resumed.schedule))


def settings_view(s: Services, chat_id: int, chat_type: str) -> View:
    default, now = s.settings.default_schedule, s.clock()
    subscriber = s.store.subscriber(chat_id, default) or Subscriber(
        chat_id, chat_type, False, default, None
    )
    paused = subscriber.active and is_paused(subscriber.schedule, now)
    text = texts.render_settings(
        subscriber.schedule,
        upcoming_tip(subscriber, now),
        unreadable=bool(subscriber.problem),
        paused_until=subscriber.schedule.paused_until if paused else None,
        topics=s.library.topics,
        chosen=subscriber.topics,
        quiet=subscriber.quiet,
    )
    keyboard = settings_keyboard(subscribed=subscriber.active, paused=paused)
    weekend_at = subscriber.schedule.weekend_at
    keyboard = with_rhythm_rows(keyboard, quiet=subscriber.quiet, weekend_at=weekend_at)
    recap = s.store.recap_state(chat_id) if subscriber.active else None
    return text, with_recap_toggle(keyboard, recap.wanted) if recap else keyboard


def topics_view(s: Services, chat_id: int) -> View:
    subscriber = s.store.subscriber(chat_id)
    chosen = subscriber.topics if subscriber else None
    return texts.render_topic_choice(), topics_keyboard(s.library.topics, chosen)


async def press(update: Update, context: Context) -> None:
    """A preferences or privacy button: checked, answered, then acted on."""
    await dispatch_press(update, context, parse_press, _ON_PRESS)


async def _toggle(query: CallbackQuery, message: Message, press: Press, context: Context) -> None:
    assert isinstance(press, ToggleTopic)
    s, chat = context.services, message.chat
    topic = s.library.topic(press.topic_id)
    if topic is None or topic.id != press.topic_id:
        await answer_query(query, texts.render_topic_gone())
        return
    current = s.store.subscriber(chat.id)
    all_ids = [t.id for t in s.library.topics]
    try:
        chosen = toggle_topic(current.topics if current else None, topic.id, all_ids)
    except LastTopic:
        await answer_query(query, texts.render_last_topic())
        return
    default = s.settings.default_schedule
    s.store.set_topics(chat.id, chosen, s.clock(), chat_type=chat.type, default=default)
    await answer_query(query, None)
    await edit_in_place(query, s, *topics_view(s, chat.id))


async def _pause(query: CallbackQuery, message: Message, press: Press, context: Context) -> None:
    assert isinstance(press, Pause)
    s = context.services
    paused = s.store.pause(message.chat.id, press.days, s.clock())
    await _settings_changed(query, message, context, paused)


async def _resume(query: CallbackQuery, message: Message, press: Press, context: Context) -> None:
    s = context.services
    resumed, _ = s.store.resume(message.chat.id, s.clock())
    await _settings_changed(query, message, context, resumed)


async def _settings_changed(
    query: CallbackQuery, message: Message, context: Context, changed: Subscriber | None
) -> None:
    s = context.services
    if changed is not None:
        s.wake_at(next_due(changed.schedule, changed.last_delivery, s.clock()))
    await answer_query(query, None if changed else texts.render_nothing_to_pause())
    await edit_in_place(query, s, *settings_view(s, message.chat.id, message.chat.type))


async def _show(query: CallbackQuery, message: Message, press: Press, context: Context) -> None:
    assert isinstance(press, Show)
    s, chat = context.services, message.chat
    await answer_query(query, None)
    if press is Show.SETTINGS:
        await edit_in_place(query, s, *settings_view(s, chat.id, chat.type))
    elif press is Show.TOPICS:
        await edit_in_place(query, s, *topics_view(s, chat.id))
    else:  # a picker of its own, so the settings view stays where it is
        text, markup = (
            (texts.render_time_picker(), pickers.times_keyboard())
            if press is Show.TIME
            else (
                texts.render_timezone_picker(),
                zone_buttons.with_shortcuts(pickers.regions_keyboard(), chat.type),
            )
        )
        await reply_patiently(lambda: context.bot.send_message(chat.id, text, reply_markup=markup))


_ON_PRESS: dict[type[Any], OnPress] = {
    ToggleTopic: _toggle,
    Pause: _pause,
    Resume: _resume,
    Show: _show,
    ConfirmDelete: privacy.confirmed,
    CancelDelete: privacy.cancelled,
    RegionPage: onboarding.region_page,
    CountryPage: onboarding.country_page,
    PickZone: onboarding.pick_zone,
    PickTime: onboarding.pick_time,
    RemoveChannel: channels.remove_pressed,
}
