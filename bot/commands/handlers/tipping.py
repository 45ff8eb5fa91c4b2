"""/tip, /avoid, /source and /streak: a tip now, its sources, the run of ✅ days."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.commands import texts
from bot.commands.buttons.keyboards import tip_keyboard
from bot.commands.handlers.schedule import local_today
from bot.commands.replying import chat_of, reply
from bot.service.context import Context
from tips import Kind, Tip, next_tip, render_sources, render_tip


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


async def streak(update: Update, context: Context) -> None:
    """Current and longest run of days with a ✅ check-in."""
    s, chat_id = context.services, chat_of(update).id
    shown = s.store.streak_of(chat_id, local_today(context, chat_id))
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
