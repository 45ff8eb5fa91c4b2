"""/help (two pages, a button between them), /about, /privacy and /stats, and the hint for
anything else: an unknown command is named, with the closest known one."""

from __future__ import annotations

from telegram import Chat, Message, Update

from bot.commands import texts
from bot.commands.buttons.help_buttons import HelpPage, help_keyboard, help_page
from bot.commands.parsing import closest_command, typed_command
from bot.commands.replying import answer_query, chat_of, edit_in_place, reply
from bot.service.context import Context

_GROUPS = frozenset({Chat.GROUP, Chat.SUPERGROUP})
_KNOWN = tuple(name for name, _ in texts.COMMANDS)


async def help_command(update: Update, context: Context) -> None:
    """The main commands, with a button to the rest."""
    in_group = chat_of(update).type in _GROUPS
    await reply(update, context, texts.render_help(in_group), help_keyboard(HelpPage.MAIN))


async def help_pressed(update: Update, context: Context) -> None:
    """➕ More or ⬅️ Back under /help: the other page, in place."""
    query = update.callback_query
    if query is None:
        return
    page, message = help_page(query.data), query.message
    if page is None or not isinstance(message, Message):
        await answer_query(query, texts.render_stale_button())
        return
    in_group = message.chat.type in _GROUPS
    text = (
        texts.render_help(in_group)
        if page is HelpPage.MAIN
        else texts.render_help_more(context.services.library.topics, in_group)
    )
    await answer_query(query, None)
    await edit_in_place(query, context.services, text, help_keyboard(page))


async def about(update: Update, context: Context) -> None:
    """What the bot is, where the tips come from, and the disclaimer."""
    library = context.services.library
    counts = [len(tip.refs) for tip in library.tips]
    await reply(update, context, texts.render_about(counts, len(library.references)))


async def privacy(update: Update, context: Context) -> None:
    """What is stored, why, for how long, and how to export or erase it."""
    await reply(update, context, texts.render_privacy())


async def stats(update: Update, context: Context) -> None:
    """Figures for operators, in a private chat with one of `ADMIN_USER_IDS`; anyone else
    gets what an unknown command gets."""
    s, chat, user = context.services, chat_of(update), update.effective_user
    if chat.type != Chat.PRIVATE or user is None or user.id not in s.settings.admin_user_ids:
        await (hint if chat.type == Chat.PRIVATE else addressed_hint)(update, context)
        return
    await reply(update, context, texts.render_stats(s.store.stats(s.clock())))


async def hint(update: Update, context: Context) -> None:
    """Plain text or an unknown command in a private chat: name the command, point to /help."""
    message = update.effective_message
    command = typed_command((message.text if message else None) or "")
    if command is None:
        await reply(update, context, texts.render_hint())
        return
    closest = closest_command(command, _KNOWN)
    await reply(update, context, texts.render_unknown_command(command, closest))


async def addressed_hint(update: Update, context: Context) -> None:
    """An unknown command in a group: answer only if it names this bot (`/foo@ThisBot`)."""
    message = update.effective_message
    text = (message.text if message else None) or ""
    command = text.split(maxsplit=1)[0] if text else ""
    if command.casefold().endswith(f"@{context.bot.username}".casefold()):
        await hint(update, context)
