"""Which handler answers which update: commands, buttons, membership changes, fallbacks.

One table, in the order python-telegram-bot tries them; the wiring adds it to the Application.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.commands import channels, choices, handlers, plants, presses, privacy, rhythm, weekly
from bot.commands.buttons import (
    help_buttons,
    recap_toggle,
    rhythm_buttons,
    settings_buttons,
    zone_buttons,
)
from bot.commands.replying import Handler
from bot.service.context import App

# The commands, answered for new messages only (an edited "/stop" is not asked twice).
COMMAND_HANDLERS: dict[str, Handler] = {
    "start": handlers.start,
    "stop": handlers.stop,
    "tip": handlers.tip,
    "avoid": handlers.avoid,
    "time": handlers.set_time,
    "timezone": handlers.set_timezone,
    "source": handlers.source,
    "streak": handlers.streak,
    "plants": plants.plants,
    "topics": choices.topics,
    "pause": choices.pause,
    "resume": choices.resume,
    "settings": choices.settings,
    "channel": channels.channel,
    "export": privacy.export,
    "delete_me": privacy.delete_me,
    "help": handlers.help_command,
    "about": handlers.about,
    "privacy": handlers.privacy,
    "stats": handlers.stats,  # hidden from the menu: for the bot's admins
}


def add_handlers(app: App) -> None:
    """Commands, then the fallbacks, then the buttons, then the error handler."""
    new = filters.UpdateType.MESSAGE
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, handlers.received), group=-1)  # reply latency's start
    for name, callback in COMMAND_HANDLERS.items():
        app.add_handler(CommandHandler(name, callback, filters=new))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, handlers.chat_migrated))
    app.add_handler(
        ChatMemberHandler(handlers.membership_changed, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    # Groups: stay quiet unless a command is addressed to this bot by name.
    app.add_handler(
        MessageHandler(new & filters.COMMAND & filters.ChatType.GROUPS, handlers.addressed_hint)
    )
    # Private chats: a post forwarded from a channel subscribes that channel (/channel).
    app.add_handler(MessageHandler(new & private & filters.FORWARDED, channels.forwarded))
    # Private chats: a shared location sets the time zone (📍 under /timezone and the welcome).
    app.add_handler(MessageHandler(new & private & filters.LOCATION, handlers.location_shared))
    # Private chats: anything else (text, unknown commands, stickers, photos) gets a hint.
    app.add_handler(MessageHandler(new & private, handlers.hint))
    # Buttons: settings, topics and /delete_me; quiet, weekends and a welcome's Done; /help's
    # pages; the weekly recap's switch; then the tips' own (old `source:` ones included), where
    # anything else is answered as stale.
    app.add_handler(CallbackQueryHandler(choices.press, pattern=settings_buttons.PRESS_PATTERN))
    app.add_handler(CallbackQueryHandler(rhythm.press, pattern=rhythm_buttons.PRESS_PATTERN))
    pattern = zone_buttons.PRESS_PATTERN  # 📍 and 🕰 above the timezone pickers
    app.add_handler(CallbackQueryHandler(handlers.shortcut_pressed, pattern=pattern))
    app.add_handler(CallbackQueryHandler(handlers.help_pressed, pattern=help_buttons.PRESS_PATTERN))
    app.add_handler(CallbackQueryHandler(weekly.switched, pattern=recap_toggle.RECAP_PATTERN))
    app.add_handler(CallbackQueryHandler(presses.pressed))
    app.add_error_handler(handlers.on_error)
