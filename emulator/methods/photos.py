"""sendPhoto, checked as Telegram checks it: a photo is required (an upload, or the file_id of
one sent before), must be a PNG or JPEG image within Telegram's limits, and its caption at
most 1024 characters. The bytes are kept with the caption, as sent."""

from __future__ import annotations

import time
from typing import Any

from emulator.methods.messages import captioned, check_can_post, check_flood
from emulator.rules import validation
from emulator.rules.errors import ApiError, bad_request
from emulator.state import SentPhoto, State

__all__ = ["MAX_PHOTO_BYTES", "image_size", "send_photo"]

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # Telegram's limit for a photo upload
_MAX_SIDES = 10_000  # width + height
_MAX_RATIO = 20
_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG_SIZES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # start-of-frame markers


async def send_photo(state: State, params: dict[str, Any]) -> dict[str, Any]:
    """Keep an uploaded (or re-sent) photo with its caption; answer with its PhotoSize."""
    chat_id = validation.chat_id(params)
    photo = params.get("photo")
    if not photo:
        raise bad_request("there is no photo in the request")
    content, width, height = _photo(state, photo)
    caption = params.get("caption") or None
    message = captioned(caption, params.get("parse_mode")) if caption is not None else {}
    markup = validation.reply_markup(params)
    check_can_post(state, chat_id)
    check_flood(state, chat_id)
    message_id = state.chats.next_message_id(chat_id)
    unique = f"photo{abs(chat_id)}m{message_id}"
    file_id = f"AgAC{unique}"
    state.photo_files[file_id] = (content, width, height)
    size = {"file_id": file_id, "file_unique_id": unique, "width": width, "height": height}
    size["file_size"] = len(content)
    message |= {
        "message_id": message_id,
        "from": state.bot,
        "chat": state.chats.get(chat_id),
        "date": int(time.time()),
        "photo": [size],
    }
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    sent = SentPhoto(chat_id, message_id, content, width, height, caption, time.monotonic())
    state.photos.append(sent)
    return message


def _photo(state: State, photo: object) -> tuple[bytes, int, int]:
    """The photo's bytes and size: uploaded, or a file_id this emulator gave out."""
    if isinstance(photo, str):
        known = state.photo_files.get(photo)
        if known is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return known
    content = photo.get("content", b"") if isinstance(photo, dict) else b""
    if not content:
        raise bad_request("file must be non-empty")
    if len(content) > MAX_PHOTO_BYTES:
        raise ApiError(413, "Request Entity Too Large")
    found = image_size(content)
    if found is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = found
    if width + height > _MAX_SIDES or max(width, height) > _MAX_RATIO * min(width, height):
        raise bad_request("PHOTO_INVALID_DIMENSIONS")
    return content, width, height


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG or JPEG image, read from its header; None for anything else."""
    if content.startswith(_PNG) and content[12:16] == b"IHDR" and len(content) >= 24:
        width, height = int.from_bytes(content[16:20]), int.from_bytes(content[20:24])
        return (width, height) if width and height else None
    if not content.startswith(b"\xff\xd8"):
        return None
    at = 2
    while at + 9 <= len(content) and content[at] == 0xFF:
        marker, length = content[at + 1], int.from_bytes(content[at + 2 : at + 4])
        if marker in _JPEG_SIZES:
            height, width = (int.from_bytes(content[at + n : at + n + 2]) for n in (5, 7))
            return (width, height) if width and height else None
        at += 2 + length
    return None
