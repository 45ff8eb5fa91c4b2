"""Presses on the timezone and time pickers (under the welcome, `/timezone` and `/time`).

Paging through a region or a country edits the picker in place; picking a city or a time saves
it and turns the picker into the same confirmation `/timezone` and `/time` give. Under a new
subscriber's welcome, which offers both, the other choice stays (with ✓ Done) until it is made
too (`rhythm_buttons.still_open`: read from the keyboard pressed under).
`bot.commands.choices.press` has already checked the press and, in a group, that the presser is
an admin.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Message

from bot.commands import texts
from bot.commands.buttons import pickers, rhythm_buttons
from bot.commands.buttons.rhythm_buttons import Choice
from bot.commands.buttons.settings_buttons import (
    CountryPage,
    PickTime,
    PickZone,
    Press,
    RegionPage,
)
from bot.commands.handlers import save_schedule
from bot.commands.places.naming import country_name
from bot.commands.replying import answer_query, edit_in_place
from bot.service.context import Context
from scheduler.zones import zone_index


async def region_page(
    query: CallbackQuery, message: Message, press: Press, context: Context
) -> None:
    """‹ Prev, Next ›, a region, or « Regions: show that page in place."""
    assert isinstance(press, RegionPage)
    s = context.services
    under = message.reply_markup
    if press.region is None:
        await answer_query(query, None)
        regions = rhythm_buttons.keep_times(pickers.regions_keyboard(), under)
        await edit_in_place(query, s, texts.render_timezone_picker(), regions)
        return
    if not pickers.page_of(press.region, press.page):
        await answer_query(query, texts.render_picker_gone())
        return
    await answer_query(query, None)
    pages = pickers.page_count(press.region)
    text = texts.render_region_page(pickers.region_name(press.region), press.page, pages)
    cities = pickers.region_keyboard(press.region, press.page)
    await edit_in_place(query, s, text, rhythm_buttons.keep_times(cities, under))


async def country_page(
    query: CallbackQuery, message: Message, press: Press, context: Context
) -> None:
    """‹ Prev, More › or Next › under a country's zones: show that page in place."""
    assert isinstance(press, CountryPage)
    if not pickers.country_page(press.code, press.page):
        await answer_query(query, texts.render_picker_gone())
        return
    await answer_query(query, None)
    pages = len(pickers.country_pages(press.code))
    text = texts.render_country_page(country_name(press.code), press.page, pages)
    markup = pickers.country_keyboard(press.code, press.page)
    markup = rhythm_buttons.keep_times(markup, message.reply_markup)
    await edit_in_place(query, context.services, text, markup)


async def pick_zone(query: CallbackQuery, message: Message, press: Press, context: Context) -> None:
    """A city (or UTC): save its zone; the picker becomes the confirmation."""
    assert isinstance(press, PickZone)
    if zone_index().resolve(press.key) != press.key:  # only canonical keys are offered
        await answer_query(query, texts.render_picker_gone())
        return
    saved = save_schedule(context.services, message.chat, timezone=ZoneInfo(press.key))
    await answer_query(query, None)
    await _confirm(query, message, context, saved, Choice.ZONE)


async def pick_time(query: CallbackQuery, message: Message, press: Press, context: Context) -> None:
    """A common time: save it; the picker becomes the confirmation."""
    assert isinstance(press, PickTime)
    saved = save_schedule(context.services, message.chat, at=press.at)
    await answer_query(query, None)
    await _confirm(query, message, context, saved, Choice.TIME)


async def _confirm(
    query: CallbackQuery, message: Message, context: Context, saved: str, chosen: Choice
) -> None:
    """The confirmation in place of the picker; under a welcome, with the choice still open."""
    left = rhythm_buttons.still_open(message.reply_markup, chosen)
    if left is None:
        await edit_in_place(query, context.services, saved)
        return
    text = texts.render_other_choice(saved, time_left=left is Choice.TIME)
    keyboard = rhythm_buttons.other_choice_keyboard(left, message.chat.type)
    await edit_in_place(query, context.services, text, keyboard)
