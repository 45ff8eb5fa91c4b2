"""The sandbox: the real bot and the Bot API emulator in one process, a chat in the terminal
(`gutbone-bot sandbox`, see `bot.sandbox.cli`). The one part of the product that imports the
emulator."""

from bot.sandbox.cli import main
from bot.sandbox.clock import FAST_CLOCK_SPEED, SandboxClock
from bot.sandbox.commands import CHAT_ID, HELP
from bot.sandbox.session import converse

__all__ = ["CHAT_ID", "FAST_CLOCK_SPEED", "HELP", "SandboxClock", "converse", "main"]
