"""The command menu: what Telegram shows under "/" (set at start-up) and /help lists."""

from __future__ import annotations

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Subscribe to one gut–bone tip a day"),
    ("tip", "A tip right now (or a topic: /tip fiber)"),
    ("avoid", "What to cut down on, and why"),
    ("time", "Set your daily time: /time 07:30"),
    ("timezone", "Set your timezone: /timezone Europe/Berlin"),
    ("source", "Full sources of your last tip"),
    ("streak", "Your run of days with a ✅ Did it"),
    ("plants", "Count different plants this week: /plants oats, kale"),
    ("topics", "Choose the topics of your daily tips"),
    ("pause", "No daily tips for a while: /pause 7"),
    ("resume", "End a pause now"),
    ("settings", "Your subscription, with buttons to change it"),
    ("stop", "Stop the daily tip (settings are kept)"),
    ("channel", "Daily tips in your channel: /channel @name"),
    ("export", "Everything stored about this chat, as a file"),
    ("delete_me", "Erase everything stored about this chat"),
    ("help", "All commands and topics"),
    ("about", "What this bot is, what it stores, disclaimer"),
)

# For `ADMIN_USER_IDS` only: not in the menu or /help (everyone else gets the unknown-command
# answer), documented in the README's "Operating it".
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (("stats", "Figures for operators"),)
