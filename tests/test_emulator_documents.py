"""sendDocument in the emulator: an uploaded file is kept with its name, bytes and caption."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden

from emulator import BotAPIEmulator, SentDocument


async def test_an_uploaded_document_is_kept_and_returned_as_telegram_does(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    await client.send_message(42, "before")
    message = await client.send_document(
        42, b'{"a": 1}', filename="data.json", caption="<b>Your</b> data", parse_mode="HTML"
    )
    assert message.message_id == 2  # one counter with text messages
    assert message.document is not None and message.document.file_name == "data.json"
    assert message.document.file_size == 8
    assert message.caption == "Your data" and message.caption_html == "<b>Your</b> data"
    [sent] = await telegram.wait_for_documents(42)
    assert sent == SentDocument(42, 2, "data.json", b'{"a": 1}', "<b>Your</b> data", sent.at)
    assert [m.text for m in telegram.messages_to(42)] == ["before"]  # texts stay apart


async def test_an_empty_file_or_a_bad_caption_is_refused(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    with pytest.raises(BadRequest, match="File must be non-empty"):
        await client.send_document(42, b"", filename="empty.json")
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await client.send_document(42, b"x", filename="x.txt", caption="<b>open", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await client.send_document(42, b"x", filename="x.txt", caption="x" * 1025)
    assert telegram.documents == []


async def test_waiting_for_a_document_that_never_comes_says_so(telegram: BotAPIEmulator) -> None:
    with pytest.raises(TimeoutError, match="expected 1 document"):
        await telegram.wait_for_documents(42, timeout=0.05)


async def test_a_blocked_chat_gets_no_document(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.block(42)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await client.send_document(42, b"{}", filename="data.json")
    assert telegram.documents == []
