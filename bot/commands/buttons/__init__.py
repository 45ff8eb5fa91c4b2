"""What the buttons under the bot's messages carry and how they are drawn: the tip buttons
(`keyboards`), the settings, topics and privacy buttons (`settings_buttons`), /help's pages
(`help_buttons`), the weekly recap's switch (`recap_toggle`), the timezone and time pickers
(`pickers`) with their one-step shortcuts, 📍 a location and 🕰 the time it is there
(`zone_buttons`), and quiet delivery, the weekend time and what stays under a welcome
(`rhythm_buttons`). Pure: callback data in and out, no Telegram I/O."""

__all__ = [
    "help_buttons",
    "keyboards",
    "pickers",
    "recap_toggle",
    "rhythm_buttons",
    "settings_buttons",
    "zone_buttons",
]
