"""/plants: the "30 different plants a week" tally, in the chat's local Monday-to-Sunday week.

The rule and its study come once a week: with the week's first plants (and while the week has
none, when the example is what helps); after that, two lines. Read from the week's stored
tally, so no column remembers it."""

from __future__ import annotations

from telegram import Update

from bot.commands import texts
from bot.commands.handlers import local_today
from bot.commands.replying import chat_of, reply
from bot.service.context import Context
from habits.weeks import week_start
from tips import MAX_INPUT, MAX_ITEMS, SOURCE_REF, parse_plants, plant_list


async def plants(update: Update, context: Context) -> None:
    """`/plants oats, kale` adds to this week's plants; `/plants` alone shows them."""
    s, chat_id = context.services, chat_of(update).id
    typed = text_after_command(update)
    if len(typed) > MAX_INPUT:
        await reply(update, context, texts.render_plants_too_long())
        return
    known, unknown = parse_plants(plant_list(), typed)
    if len(known) + len(unknown) > MAX_ITEMS:
        await reply(update, context, texts.render_plants_too_long())
        return
    if unknown and not known:  # nothing changes on a message with no plant in it
        await reply(update, context, texts.render_no_plants_known(unknown))
        return
    week = week_start(local_today(context, chat_id))
    explain = not s.store.plants_of(chat_id, week)  # the week's first plants: say why, once
    added = s.store.add_plants(chat_id, week, known) if known else None
    shown = s.store.plants_of(chat_id, week)
    source = s.library.references.get(SOURCE_REF)
    text = texts.render_plants(
        week, shown, added=added, unknown=unknown, source=source, explain=explain
    )
    await reply(update, context, text)


def text_after_command(update: Update) -> str:
    """What follows `/plants`, new lines kept (they separate names too)."""
    message = update.effective_message
    parts = ((message.text if message else None) or "").split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""
