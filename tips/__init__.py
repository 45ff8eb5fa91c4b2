"""The curated tip library and how to pick from it. Pure: no Telegram, no database."""

from tips.choice import LastTopic, is_chosen, toggle_topic
from tips.choosing import SeenHistories, SeenHistory, daily_tips, next_tip
from tips.loader import LIBRARY_DIR, LibraryError, Problem, load_library, read_library
from tips.model import Library, Reference, Tip, Topic
from tips.render import render_citation, render_reference, render_sources, render_tip
from tips.rotation import Pick, pick_tip

__all__ = [
    "LIBRARY_DIR",
    "LastTopic",
    "Library",
    "LibraryError",
    "Pick",
    "Problem",
    "Reference",
    "SeenHistories",
    "SeenHistory",
    "Tip",
    "Topic",
    "daily_tips",
    "is_chosen",
    "load_library",
    "next_tip",
    "pick_tip",
    "read_library",
    "render_citation",
    "render_reference",
    "render_sources",
    "render_tip",
    "toggle_topic",
]
