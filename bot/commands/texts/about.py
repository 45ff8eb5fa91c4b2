"""/about, /privacy, /export and /delete_me: what the bot is, where its tips come from, what
it keeps, and handing it back or erasing it."""

from __future__ import annotations

from collections.abc import Sequence

from habits.streaks import WINDOW
from scheduler.delivery import KEEP_DELIVERIES

_WORDS = ("no", "one", "two", "three", "four", "five")

LEARNING = (
    "A 👎 takes that tip out of your rotation; your 👍/👎 shift how often each topic comes up."
)


def render_about(sources_per_tip: Sequence[int], reference_count: int) -> str:
    """Short lines; `sources_per_tip` holds how many sources each tip cites."""
    return "\n".join(
        [
            "🦴 <b>GutBone Daily</b>: one short tip a day on the gut–bone axis.",
            "How the microbes in your gut, and what you feed them, relate to your bones.",
            "",
            f"📚 {len(sources_per_tip)} tips from {reference_count} published sources.",
            _citing(sources_per_tip),
            "🐭 Much of this research is early: many findings come from mice or rats.",
            "Many measure bone density or calcium absorption, not fractures. The tips say so.",
            "",
            LEARNING,
            "🔒 What is stored, for how long, and how to erase it: /privacy",
            "",
            "⚕️ <b>Not medical advice.</b> The tips are general information.",
            "They are no substitute for your doctor's care.",
            "Osteoporosis, bone medication, blood thinners such as warfarin, or supplements?",
            "Talk to your clinician first.",
        ]
    )


def _citing(sources_per_tip: Sequence[int]) -> str:
    """How many sources a tip cites: `Each tip cites one or two of them, shown under it.`"""
    fewest, most = min(sources_per_tip, default=0), max(sources_per_tip, default=0)
    if fewest == most:
        return f"Each tip cites {_count(most)} of them, shown under it."
    several = sum(1 for count in sources_per_tip if count > 1)
    joint = "or" if most == fewest + 1 else "to"
    return (
        f"Each tip cites {_count(fewest)} {joint} {_count(most)} of them, shown under it "
        f"({several} cite more than one)."
    )


def _count(number: int) -> str:
    return _WORDS[number] if number < len(_WORDS) else str(number)


def render_privacy() -> str:
    """What is stored about a chat, why, for how long (docs/storage.md's retention rules; the
    windows read from the constants that apply them), and how to get or erase it."""
    return "\n".join(
        [
            "🔒 <b>Your privacy</b>",
            "Stored for each chat, and why:",
            "• Its id and type: to send you tips.",
            "• Your settings (what /settings shows): to send them as you asked.",
            "• The tips you've had this round and your last one: no repeats, and /source.",
            f"• The days a daily tip went out: one tip a day. Kept {KEEP_DELIVERIES.days} days.",
            "• Your 👍/👎 on tips, and your latest 👍: to choose tips, and for the Sunday picture.",
            f"• Your streak's figures and the last {WINDOW} days' check-ins: for /streak.",
            "• This week's and last week's plants: for /plants. Older weeks are dropped.",
            "• The last week Sunday's picture went out: so it comes once a week.",
            "• The channels you added: for /channel, until you remove them.",
            "Not your name, nor anything else you type.",
            "The rest is kept until /delete_me (/stop keeps your settings, and when you "
            "stopped, for a later /start to welcome you back).",
            "",
            "📦 /export sends you all of it as a file. 🗑 /delete_me erases it for good.",
        ]
    )


def render_delete_confirm() -> str:
    return (
        "🗑 <b>Delete everything stored about this chat?</b>\n"
        "Your subscription, settings, tip history and anything else saved for this chat will "
        "be erased, and can't be brought back. /export first if you want a copy."
    )


def render_deleted(anything: bool) -> str:
    if not anything:
        return "There was nothing stored about this chat, so nothing to delete."
    return (
        "🗑 Deleted: nothing about this chat is stored any more. "
        "/start whenever you'd like tips again."
    )


def render_delete_cancelled() -> str:
    return "Nothing was deleted."


def render_delete_expired() -> str:
    """A button answer (plain text): an old confirmation, or one from before a new /start."""
    return "This confirmation is out of date and nothing was deleted. Send /delete_me again."


def render_export_caption() -> str:
    return "📦 Everything stored about this chat, as JSON. /delete_me erases it."
