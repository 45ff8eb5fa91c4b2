"""A loopback Telegram Bot API emulator for end-to-end tests, benchmarks and a sandbox.

Usage::

    async with BotAPIEmulator() as telegram:
        app = ApplicationBuilder().token(TOKEN).base_url(telegram.base_url).build()
        ...
        telegram.user_sends(42, "/start")
        [welcome] = await telegram.wait_for_messages(42)
"""

from emulator.chat import LOCATION_COMMAND, TerminalChat, is_press, stdin_lines
from emulator.core import BotAPI
from emulator.rules.errors import ApiError
from emulator.server import TEST_TOKEN, BotAPIEmulator
from emulator.state import SentDocument, SentMessage
from emulator.users import GROUP_USER_ID
from emulator.webhook import SECRET_HEADER

__all__ = [
    "GROUP_USER_ID",
    "LOCATION_COMMAND",
    "SECRET_HEADER",
    "TEST_TOKEN",
    "ApiError",
    "BotAPI",
    "BotAPIEmulator",
    "SentDocument",
    "SentMessage",
    "TerminalChat",
    "is_press",
    "stdin_lines",
]
