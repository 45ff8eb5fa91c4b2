"""Sending through Telegram, with Telegram's answers mapped to outcomes once, at the edge.

`TipSender` sends a daily tip for the delivery loop; `reply_patiently` answers a person. Both
go through the gateway (`bot.transport.gateway`), which keeps Telegram's flood limits, waits out its
429s and retries a reply's 5xx.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.ext import ExtBot
from telegram.warnings import PTBUserWarning

from bot.commands.buttons.keyboards import tip_keyboard
from bot.transport.gateway import Dropped, GatewayClosed, Send
from bot.transport.http import AnswerLost
from scheduler.outcomes import (
    Gone,
    Migrated,
    NotSent,
    Outcome,
    Rejected,
    Sent,
    Transient,
    Uncertain,
)
from scheduler.pacing import Priority
from scheduler.records import Claim
from tips import Kind, Library, render_tip

logger = logging.getLogger(__name__)

T = TypeVar("T")

_CHAT_GONE = ("chat not found", "user is deactivated", "bot was kicked", "have no rights")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # every message: the Application's default too
# PTB suggests `send_message` over the raw call below; here the raw call is the point.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning, module=__name__
)


class TipSender:
    """`send(chat_id, claim, still_wanted)` for the delivery loop: one attempt, one outcome.

    What a tip looks like comes with the claim (its tip, its day, quiet or not); the store is
    asked only whether the chat checked in that day, and only for a tip to act on."""

    def __init__(
        self,
        bot: ExtBot[Send],
        library: Library,
        *,
        paid: bool = False,
        checked_in: Callable[[int, date], bool] = lambda chat_id, day: False,
    ) -> None:
        self._bot = bot
        self._library = library
        self._paid = paid
        self._checked_in = checked_in  # on the tip's day: "✅ Done today", not "Did it"
        self._encoded: dict[tuple[str, bool], dict[str, object]] = {}

    async def send(self, chat_id: int, claim: Claim, still_wanted: Callable[[], bool]) -> Outcome:
        fields = self._fields(claim.tip_id, chat_id, claim.day)
        if fields is None:
            # a library upgrade removed it: handed back, so the chat is claimed again at once
            return NotSent(f"tip {claim.tip_id!r} is no longer in the library")
        how = Send(Priority.TIP, paid=self._paid, still_wanted=still_wanted)
        message = {"chat_id": chat_id, **fields}
        if claim.quiet:
            message["disable_notification"] = True
        try:
            # The raw call, so the answer (a whole Message) is not parsed: nothing reads it,
            # and parsing it was a sixth of a daily tip's CPU. Defaults are not applied here,
            # hence parse mode and link previews given above, as the Application sets them.
            await self._bot.do_api_request("sendMessage", message, rate_limit_args=how)
        except (Dropped, GatewayClosed) as exc:
            return NotSent(str(exc))
        except TelegramError as exc:
            return outcome_of(exc)
        return Sent()

    def _fields(self, tip_id: str, chat_id: int, day: date) -> dict[str, object] | None:
        """A tip's message fields, encoded once per tip (and check-in state): the same text and
        buttons go to everyone, and encoding them was a tenth of a daily tip's CPU at a
        thousand a second. Only a tip to act on asks whether the chat checked in today."""
        tip = self._library.tip(tip_id)
        if tip is None:
            return None
        action = tip.kind is Kind.ACTION
        done = action and self._checked_in(chat_id, day)
        if (tip_id, done) not in self._encoded:
            self._encoded[tip_id, done] = {
                "text": render_tip(tip, self._library),
                "parse_mode": ParseMode.HTML,
                "link_preview_options": NO_PREVIEW.to_json(),
                "reply_markup": tip_keyboard(tip.id, done=done, did=action).to_json(),
                **({"allow_paid_broadcast": True} if self._paid else {}),
            }
        return self._encoded[tip_id, done]


def outcome_of(exc: TelegramError) -> Outcome:
    """What Telegram's answer, or the transport's failure, means for a daily tip: the one table.

    | answer or failure                                   | outcome    | the loop then         |
    |-----------------------------------------------------|------------|-----------------------|
    | `migrate_to_chat_id` (group became a supergroup)    | Migrated   | claims the new chat   |
    | 403; 400 chat not found, deactivated, kicked        | Gone       | blocked: unsubscribes |
    | 401/404 (token revoked while running)               | NotSent    | released: stops       |
    | other 400 (a bad request)                           | Rejected   | failed: later, again  |
    | no connection (refused, DNS, connect timeout)       | Transient  | retries, 5 at most    |
    | 5xx answer (Telegram says it did not take it)       | Transient  | retries, 5 at most    |
    | read timeout, disconnect after writing, reset       | Uncertain  | one retry, then final |

    429s never reach here: the gateway waits them out and sends the same request again
    (https://core.telegram.org/bots/api#responseparameters).
    """
    match exc:
        case ChatMigrated():
            return Migrated(exc.new_chat_id)
        case Forbidden():
            return Gone(exc.message)
        case BadRequest() if any(words in exc.message.lower() for words in _CHAT_GONE):
            return Gone(exc.message)
        case InvalidToken():  # revoked while running: the process stops; the claim waits
            return NotSent(exc.message)
        case BadRequest():  # a subclass of NetworkError: must come before it
            return Rejected(exc.message)
        case TimedOut() | AnswerLost():  # it went out: Telegram may have the message already
            return Uncertain(exc.message)
        case NetworkError():  # RequestNotSent, or a 5xx answer
            return Transient(exc.message)
        case _:
            return Rejected(exc.message)


async def reply_patiently(send: Callable[[], Awaitable[T]]) -> T | None:
    """Send a reply through the gateway, which retries 5xx and network errors a few times in
    the reply's place in its chat's queue (`bot.transport.gateway`); a final failure is raised.

    Returns None when the gateway dropped it (it waited too long, or its chat is flooding us)
    or the bot is stopping; those are logged once, never raised to the handler.
    """
    try:
        return await send()
    except (Dropped, GatewayClosed) as exc:
        logger.info("Reply not sent: %s", exc)
        return None
