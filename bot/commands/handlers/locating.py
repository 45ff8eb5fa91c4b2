"""The time zone in one step: a shared 📍 location, or 🕰 the time it is where you are.

A location message is resolved offline (`scheduler.zones.zone_at`) and saved as `/timezone`
saves a zone, with the same confirmation; the location itself is not kept. The 🕰 picker edits
itself in place: the times, then the zones at the tapped one, whose buttons are the region
picker's own (`v1:tz:<zone>`, saved by `bot.commands.onboarding.pick_zone`).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update

from bot.commands import texts
from bot.commands.buttons import rhythm_buttons, zone_buttons
from bot.commands.buttons.zone_buttons import ClockOffset, ClockTimes, ShareLocation
from bot.commands.handlers.schedule import save_schedule
from bot.commands.replying import allowed_message, answer_query, chat_of, edit_in_place, reply
from bot.service.context import Context
from bot.transport.sender import reply_patiently
from scheduler.zones import zone_at, zones_at_offset


async def location_shared(update: Update, context: Context) -> None:
    """A location in a private chat: its time zone saved, the location keyboard gone."""
    message = update.effective_message
    if message is None or message.location is None:
        return
    zone = zone_at(message.location.latitude, message.location.longitude)
    if zone is None:
        clock = zone_buttons.clock_shortcut()
        await reply(update, context, texts.render_location_unknown(), clock)
        return
    saved = save_schedule(context.services, chat_of(update), timezone=ZoneInfo(zone))
    await reply(update, context, saved, ReplyKeyboardRemove())


async def shortcut_pressed(update: Update, context: Context) -> None:
    """📍 or 🕰 under a picker: checked as every settings press is, then acted on."""
    query = update.callback_query
    if query is None:
        return
    pressed = zone_buttons.parse_zone_press(query.data)
    message = await allowed_message(query, context, readable=pressed is not None)
    if message is None or pressed is None:
        return
    if isinstance(pressed, ShareLocation):
        await _offer_location(query, message, context)
    elif isinstance(pressed, ClockTimes):
        await _show_times(query, context, None)
    else:
        await _show_zones(query, context, pressed)


async def _offer_location(query: CallbackQuery, message: Message, context: Context) -> None:
    """A new message whose reply keyboard shares the location (private chats only)."""
    chat_id = message.chat.id
    if message.chat.type != message.chat.PRIVATE:
        await answer_query(query, texts.render_location_private_only())
        return
    await answer_query(query, None)
    text, markup = texts.render_location_offer(), zone_buttons.location_keyboard()
    await reply_patiently(lambda: context.bot.send_message(chat_id, text, reply_markup=markup))


async def _show_times(query: CallbackQuery, context: Context, answer: str | None) -> None:
    s = context.services
    await answer_query(query, answer)
    keyboard = _keep_times(zone_buttons.clock_keyboard(s.clock()), query)
    await edit_in_place(query, s, texts.render_clock_picker(), keyboard)


async def _show_zones(query: CallbackQuery, context: Context, pressed: ClockOffset) -> None:
    s, now = context.services, context.services.clock()
    zones = zones_at_offset(pressed.minutes, now)
    if not zones:  # the clocks changed since the picker was sent (or the data was forged)
        await _show_times(query, context, texts.render_clock_gone())
        return
    await answer_query(query, None)
    local = zone_buttons.local_clock(pressed.minutes, now)
    shown = min(len(zones), zone_buttons.MAX_ZONES)
    text = texts.render_clock_zones(pressed.minutes, local, shown, len(zones))
    await edit_in_place(query, s, text, _keep_times(zone_buttons.offset_keyboard(zones), query))


def _keep_times(keyboard: InlineKeyboardMarkup, query: CallbackQuery) -> InlineKeyboardMarkup:
    """Under a new subscriber's welcome, its times stay below (`rhythm_buttons.keep_times`)."""
    under = query.message.reply_markup if isinstance(query.message, Message) else None
    return rhythm_buttons.keep_times(keyboard, under)
