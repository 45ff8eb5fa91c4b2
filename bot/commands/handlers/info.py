"""/help, /about and /stats, and the hint for anything else."""

from __future__ import annotations

from telegram import Chat, Update

from bot.commands import texts
from bot.commands.replying import chat_of, reply
from bot.service.context import Context


async def help_command(update: Update, context: Context) -> None:
    """Commands and topics."""
    await reply(update, context, texts.render_help(context.services.library.topics))


async def about(update: Update, context: Context) -> None:
    """What the bot is, where the tips come from, and the disclaimer."""
    library = context.services.library
    await reply(update, context, texts.render_about(len(library.tips), len(library.references)))


async def stats(update: Update, context: Context) -> None:
    """Figures for operators, in a private chat with one of `ADMIN_USER_IDS`; anyone else
    gets what an unknown command gets."""
    s, chat, user = context.services, chat_of(update), update.effective_user
    if chat.type != Chat.PRIVATE or user is None or user.id not in s.settings.admin_user_ids:
        await (hint if chat.type == Chat.PRIVATE else addressed_hint)(update, context)
        return
    await reply(update, context, texts.render_stats(s.store.stats(s.clock())))


async def hint(update: Update, context: Context) -> None:
    """Plain text or an unknown command in a private chat: point to /help."""
    await reply(update, context, texts.render_hint())


async def addressed_hint(update: Update, context: Context) -> None:
    """An unknown command in a group: answer only if it names this bot (`/foo@ThisBot`)."""
    message = update.effective_message
    text = (message.text if message else None) or ""
    command = text.split(maxsplit=1)[0] if text else ""
    if command.casefold().endswith(f"@{context.bot.username}".casefold()):
        await reply(update, context, texts.render_hint())
