"""The curated tip library and how to pick from it (learning from a chat's votes). Pure: no
Telegram, no database."""

from tips.choice import NO_TASTE, LastTopic, Taste, is_chosen, taste_of, toggle_topic, topic_weight
from tips.choosing import Chat, SeenHistories, SeenHistory, daily_chooser, daily_tips, next_tip
from tips.loader import LIBRARY_DIR, LibraryError, Problem, load_library, read_library
from tips.model import Kind, Library, Reference, Tip, Topic
from tips.plants import GOAL, MAX_INPUT, MAX_ITEMS, SOURCE_REF, parse_plants, plant_list
from tips.render import (
    WHY,
    render_citation,
    render_evidence,
    render_reference,
    render_sources,
    render_tip,
    render_tip_with_evidence,
)
from tips.rotation import Pick, pick_tip
from tips.stats import FeedbackUnreadable

__all__ = [
    "GOAL",
    "LIBRARY_DIR",
    "MAX_INPUT",
    "MAX_ITEMS",
    "NO_TASTE",
    "SOURCE_REF",
    "WHY",
    "Chat",
    "FeedbackUnreadable",
    "Kind",
    "LastTopic",
    "Library",
    "LibraryError",
    "Pick",
    "Problem",
    "Reference",
    "SeenHistories",
    "SeenHistory",
    "Taste",
    "Tip",
    "Topic",
    "daily_chooser",
    "daily_tips",
    "is_chosen",
    "load_library",
    "next_tip",
    "parse_plants",
    "pick_tip",
    "plant_list",
    "read_library",
    "render_citation",
    "render_evidence",
    "render_reference",
    "render_sources",
    "render_tip",
    "render_tip_with_evidence",
    "taste_of",
    "toggle_topic",
    "topic_weight",
]
