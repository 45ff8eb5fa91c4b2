"""Around every update rather than one command: when it arrived, and what a failure gets."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Update
from telegram.error import InvalidToken

from bot.commands import texts
from bot.service import metrics
from bot.service.context import Context

logger = logging.getLogger(__name__)


async def received(update: Update, context: Context) -> None:
    """Before any other handler: note when this update's processing started."""
    metrics.mark_received()


async def on_error(update: object, context: Context) -> None:
    """Log the failure with its traceback; tell the user something short and kind.

    A token Telegram no longer accepts is no bug here: the runner is told (in webhook mode
    nothing else would notice), and nobody can be answered anyway."""
    if isinstance(context.error, InvalidToken):
        context.services.token_rejected()
        return
    if isinstance(context.error, sqlite3.OperationalError):  # a full disk, a busy database:
        logger.error("Could not handle an update: the database said %s", context.error)
    else:  # the world, not a bug: one line; anything else is a bug, with its traceback
        logger.error("Error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(texts.render_sorry())
        except Exception:  # the apology is best-effort: the original error is already logged
            logger.debug("Could not send the apology", exc_info=True)
