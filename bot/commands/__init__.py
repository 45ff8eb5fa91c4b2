"""What subscribers do: the commands they type and the buttons they press, parsed by
pure functions, decided by the core (`scheduler`, `storage`, `tips`, `habits`), answered
through `bot.transport`, every text rendered by `bot.commands.texts`.
"""

__all__ = [
    "channels",
    "choices",
    "handlers",
    "keyboards",
    "onboarding",
    "parsing",
    "permissions",
    "pickers",
    "plants",
    "presses",
    "privacy",
    "replying",
    "settings_buttons",
    "texts",
]
