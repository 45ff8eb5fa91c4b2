"""Asking which zone: an abbreviation or a city with several, a country with several clocks."""

from __future__ import annotations

from bot.commands.texts.common import escape

TIMEZONE_TRY = (
    "Try a city, a country or an abbreviation: <code>/timezone Berlin</code>, "
    "<code>/timezone Japan</code>, <code>/timezone EST</code>; or /timezone alone to tap yours."
)


def render_zone_choice(said: str) -> str:
    """Above the zones an abbreviation (`CST`) or a city may mean."""
    return f'🌍 "{escape(said)}" can mean more than one timezone. Tap yours:'


def render_country_page(country: str, page: int, pages: int) -> str:
    """Above a page (from 0) of a country's zones; the first holds the most-used ones."""
    if page == 0:
        more = " (More › for the other places)" if pages > 1 else ""
        return (
            f"🌍 <b>{escape(country)}</b> has more than one timezone. Tap yours, or the nearest "
            f"city in the same one{more}:"
        )
    return f"🌍 <b>{escape(country)}</b>, page {page + 1} of {pages}. Tap yours:"
