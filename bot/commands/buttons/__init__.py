"""What the buttons under the bot's messages carry and how they are drawn: the tip buttons
(`keyboards`), the settings, topics and privacy buttons (`settings_buttons`), the weekly
recap's switch (`recap_toggle`) and the timezone and time pickers (`pickers`). Pure: callback
data in and out, no Telegram I/O."""

__all__ = ["keyboards", "pickers", "recap_toggle", "settings_buttons"]
