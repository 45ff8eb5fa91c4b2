"""The command menus: what Telegram shows under "/" (set at start-up) and /help lists.

`MAIN_COMMANDS` are the few a subscriber uses most: everyone's menu, and /help's first page.
`MORE_COMMANDS` are the rest: /help's "More" page, and the fuller menu group admins and the
bot's operators see in their chats (command scopes, set by `bot.service.runner`).
"""

from __future__ import annotations

MAIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("tip", "A tip right now (or a topic: /tip fiber)"),
    ("settings", "Your time, timezone and topics, with buttons"),
    ("time", "Set your daily time: /time 7pm"),
    ("timezone", "Set your timezone: /timezone berlin"),
    ("topics", "Choose the topics of your daily tips"),
    ("streak", "Your run of days with a ✅ Did it"),
    ("plants", "Count different plants this week: /plants oats, kale"),
    ("help", "The main commands, and More for the rest"),
)

MORE_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Subscribe to one gut–bone tip a day"),
    ("stop", "Stop the daily tip (settings are kept)"),
    ("pause", "No daily tips for a while: /pause 7"),
    ("resume", "End a pause now"),
    ("avoid", "What to cut down on, and why"),
    ("source", "Full sources of your last tip"),
    ("channel", "Daily tips in your channel: /channel @name"),
    ("about", "What this bot is, and the disclaimer"),
    ("privacy", "What is stored, why, and for how long"),
    ("export", "Everything stored about this chat, as a file"),
    ("delete_me", "Erase everything stored about this chat"),
)

COMMANDS: tuple[tuple[str, str], ...] = MAIN_COMMANDS + MORE_COMMANDS

# For `ADMIN_USER_IDS` only: not in /help (everyone else gets the unknown-command answer), in
# the operators' own menu, and documented in the README's "Operating it".
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (("stats", "Figures for operators"),)

# The commands that change a group's daily tip: in a group, for its admins only.
GROUP_ADMIN_ONLY = (
    "start", "stop", "time", "timezone", "topics", "pause", "resume", "export", "delete_me"
)  # fmt: skip
