"""sendPhoto in the emulator: an uploaded image is kept with its bytes, size and caption, and
checked as Telegram checks it (a photo required, an image, its caption at most 1024)."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from telegram import Bot
from telegram.error import BadRequest, Forbidden

from emulator import BotAPIEmulator, SentPhoto


def image(width: int, height: int, kind: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 100, 50)).save(out, format=kind)
    return out.getvalue()


async def test_an_uploaded_photo_is_kept_and_returned_as_telegram_does(
    client: Bot, telegram: BotAPIEmulator
) -> None:
    png = image(120, 80)
    await client.send_message(42, "before")
    message = await client.send_photo(42, png, caption="<b>Your</b> week", parse_mode="HTML")
    assert message.message_id == 2  # one counter with text messages
    [size] = message.photo
    assert (size.width, size.height, size.file_size) == (120, 80, len(png))
    assert message.caption == "Your week" and message.caption_html == "<b>Your</b> week"
    [sent] = await telegram.wait_for_photos(42)
    assert sent == SentPhoto(42, 2, png, 120, 80, "<b>Your</b> week", sent.at)
    assert sent.size == len(png)
    assert [m.text for m in telegram.messages_to(42)] == ["before"]  # texts stay apart
    again = await client.send_photo(43, size.file_id)  # by file_id: the same picture
    assert again.photo[0].width == 120 and telegram.photos[-1].content == png


async def test_a_jpeg_is_read_too(client: Bot, telegram: BotAPIEmulator) -> None:
    message = await client.send_photo(42, image(64, 48, "JPEG"))
    assert (message.photo[0].width, message.photo[0].height) == (64, 48)


@pytest.mark.parametrize(
    ("photo", "caption", "error"),
    [
        (b"", None, "File must be non-empty"),
        (b"not an image at all", None, "Image_process_failed"),
        (image(400, 10), None, "Photo_invalid_dimensions"),
        (image(20, 20), "x" * 1025, "Message caption is too long"),
        (image(20, 20), "<b>open", "Can't parse entities"),
        ("AgACnothing", None, "Wrong file identifier"),
    ],
)
async def test_what_telegram_refuses_is_refused(
    client: Bot, telegram: BotAPIEmulator, photo, caption, error
) -> None:
    with pytest.raises(BadRequest, match=error):
        await client.send_photo(42, photo, caption=caption, parse_mode="HTML")
    assert telegram.photos == []


async def test_a_photo_is_required(telegram: BotAPIEmulator) -> None:
    status, body = await telegram.call("sendPhoto", {"chat_id": 42, "caption": "no photo"})
    assert (status, body["description"]) == (400, "Bad Request: there is no photo in the request")


async def test_a_blocked_chat_gets_no_photo(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.block(42)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await client.send_photo(42, image(20, 20))
    assert telegram.photos == []


async def test_an_injected_failure_meets_send_photo(client: Bot, telegram: BotAPIEmulator) -> None:
    telegram.fail_next("sendPhoto", error_code=400, description="Bad Request: boom", chat_id=42)
    with pytest.raises(BadRequest, match="Boom"):
        await client.send_photo(42, image(20, 20))
    await client.send_photo(42, image(20, 20))
    assert len(await telegram.wait_for_photos(42)) == 1


async def test_waiting_for_a_photo_that_never_comes_says_so(telegram: BotAPIEmulator) -> None:
    with pytest.raises(TimeoutError, match="expected 1 photo"):
        await telegram.wait_for_photos(42, timeout=0.05)


async def test_a_terminal_chat_shows_a_photo_as_it_comes_by_its_size_and_caption(
    telegram: BotAPIEmulator,
) -> None:
    from emulator import TerminalChat

    shown: list[str] = []
    chat = TerminalChat(telegram, 42, shown.append)
    since = chat.mark()
    png = image(30, 20)
    photo = {"filename": "week.png", "content_type": "image/png", "content": png}
    await telegram.call("sendPhoto", {"chat_id": 42, "photo": photo, "caption": "<b>Week</b>"})
    assert await chat.wait_for_answer(since, timeout=1)  # a picture answers, as a file does
    assert chat.show_new() == 1
    assert shown == [f"bot › 🖼 a picture, 30×20 ({len(png):,} bytes)\n      Week"]
