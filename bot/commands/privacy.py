"""A chat's control over its data: /export sends it, /delete_me erases it after a button.

The confirmation button carries the instant /delete_me was asked. A press is refused when it
is older than `CONFIRM_FOR`, or when the chat's data was made after it (deleted, then a new
/start): an old button must never erase a subscription its owner has just started again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from telegram import CallbackQuery, Message, Update

from bot.commands import texts
from bot.commands.buttons.settings_buttons import ConfirmDelete, Press, delete_keyboard
from bot.commands.replying import admins_only, answer_query, chat_of, edit_in_place, reply
from bot.service.context import Context
from bot.transport.sender import reply_patiently

CONFIRM_FOR = timedelta(minutes=10)
_CLOCK_SKEW = timedelta(minutes=1)


@admins_only
async def delete_me(update: Update, context: Context) -> None:
    """Ask, with a button, before erasing everything stored about the chat."""
    issued = int(context.services.clock().timestamp())
    await reply(update, context, texts.render_delete_confirm(), delete_keyboard(issued))


@admins_only  # a group's rows may name its members (feedback, check-ins)
async def export(update: Update, context: Context) -> None:
    """Everything stored about the chat, as a JSON document sent in the chat."""
    s, chat, message = context.services, chat_of(update), update.effective_message
    if message is None:
        return
    document = export_json(s.store.export_chat(chat.id, s.clock()))
    caption = texts.render_export_caption()
    name = f"gutbone-daily-{chat.id}.json"
    sent = await reply_patiently(
        lambda: message.reply_document(document, filename=name, caption=caption)
    )
    if sent is not None:
        s.metrics.replied()


def export_json(document: dict[str, object]) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def is_out_of_date(issued: datetime, now: datetime, stored_since: datetime | None) -> bool:
    """True for a confirmation that must not erase anything any more."""
    too_old = now - issued > CONFIRM_FOR or issued - now > _CLOCK_SKEW
    return too_old or (stored_since is not None and stored_since > issued)


async def confirmed(query: CallbackQuery, message: Message, press: Press, context: Context) -> None:
    """The "Yes, delete everything" button."""
    assert isinstance(press, ConfirmDelete)
    s, chat_id, now = context.services, message.chat.id, context.services.clock()
    issued = datetime.fromtimestamp(press.issued, UTC)
    if is_out_of_date(issued, now, s.store.stored_since(chat_id)):
        await answer_query(query, texts.render_delete_expired())
        await edit_in_place(query, s, texts.render_delete_expired())
        return
    erased = s.store.erase_chat(chat_id, now)
    await answer_query(query, None)
    await edit_in_place(query, s, texts.render_deleted(any(erased.values())))


async def cancelled(query: CallbackQuery, message: Message, press: Press, context: Context) -> None:
    """The "Cancel" button."""
    await answer_query(query, None)
    await edit_in_place(query, context.services, texts.render_delete_cancelled())
