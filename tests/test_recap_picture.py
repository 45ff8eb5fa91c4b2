"""The weekly recap's picture and caption: pure functions of a `Recap`. The picture is a
PNG of the fixed size, small, and drawn without any font installed on the machine."""

from __future__ import annotations

import io
from datetime import date

import pytest
from PIL import Image, ImageFont

from bot.commands import texts
from bot.commands.texts import picture
from emulator.rules.entities import parse_html
from habits.recap import Recap

WEEK = Recap(date(2026, 3, 2), (True, True, False, True, False, True, True), 5, 12, "tea-a")
LONG_TITLE = "Fermented “foods” 🥬: a spoonful of kimchi a day, <and> a title far too long to fit"


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


@pytest.mark.parametrize("title", [None, "Tea", LONG_TITLE])
def test_the_picture_is_a_small_png_of_the_fixed_size(title):
    png = texts.draw_recap(WEEK, title)
    image = decoded(png)
    assert (image.format, image.size) == ("PNG", (picture.WIDTH, picture.HEIGHT))
    assert len(png) <= 30 * 1024


def test_each_day_of_the_strip_shows_whether_it_had_a_check_in():
    image = decoded(texts.draw_recap(WEEK, None)).convert("RGB")
    top = 44 + 4  # inside a box, above its letter
    colours = [
        image.getpixel((picture._LEFT + n * (picture._BOX + picture._GAP) + 4, top))
        for n in range(7)
    ]
    done, empty = picture._COLOURS["done"], picture._COLOURS["empty"]
    assert colours == [done if checked else empty for checked in WEEK.checked]


def test_the_plants_bar_fills_toward_30_and_stops_there():
    def plant_pixels(plants: int) -> int:
        image = decoded(texts.draw_recap(Recap(WEEK.week, WEEK.checked, 1, plants, None), None))
        row = [image.convert("RGB").getpixel((x, 128 + 9)) for x in range(picture.WIDTH)]
        return row.count(picture._COLOURS["plant"])

    assert plant_pixels(0) == 0
    assert 0 < plant_pixels(10) < plant_pixels(20) < plant_pixels(30) == plant_pixels(45)


def test_it_draws_with_pillows_bitmap_font_where_freetype_is_missing(monkeypatch):
    bitmap = ImageFont.load_default_imagefont()

    def no_freetype(size=None):
        if size is not None:
            raise ImportError("The _imagingft C module is not installed")
        return bitmap

    picture._font.cache_clear()
    monkeypatch.setattr(picture.ImageFont, "load_default", no_freetype)
    try:
        image = decoded(texts.draw_recap(WEEK, LONG_TITLE))
    finally:
        picture._font.cache_clear()
    assert image.size == (picture.WIDTH, picture.HEIGHT)


def test_the_caption_is_one_line_of_valid_html_within_telegrams_limit():
    caption = texts.render_recap_caption(WEEK, LONG_TITLE)
    assert "\n" not in caption and len(caption) <= 1024
    visible, _ = parse_html(caption)  # the emulator's reading of Telegram's HTML rules
    assert visible.startswith("🗓 Your week: ✅ 5/7 days · 🔥 streak 5 · 🌱 12/30 plants · 👍 ")
    assert "<and>" in visible and visible.endswith("…")
    assert "👍" not in texts.render_recap_caption(WEEK, None)


@pytest.mark.parametrize(
    "render",
    [
        lambda: texts.render_recap_switched(True),
        lambda: texts.render_recap_switched(False),
        texts.render_recap_needs_subscription,
    ],
)
def test_the_switchs_answers_are_plain_text_within_200_characters(render):
    text = render()
    assert "<" not in text and 0 < len(text) <= 200
