"""What subscribers do: the commands they type and the buttons they press, parsed by
pure functions, decided by the core (`scheduler`, `storage`, `tips`, `habits`), answered
through `bot.transport`, every text rendered by `bot.commands.texts`.
"""

__all__ = [
    "buttons",
    "channels",
    "choices",
    "handlers",
    "onboarding",
    "parsing",
    "permissions",
    "places",
    "plants",
    "presses",
    "privacy",
    "replying",
    "rhythm",
    "routes",
    "texts",
    "weekly",
]
