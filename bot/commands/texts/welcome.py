"""/start, /stop, /help and /about: what the bot is and how it begins or ends."""

from __future__ import annotations

from datetime import datetime

from bot.commands.texts.common import escape, render_schedule
from bot.commands.texts.menu import COMMANDS
from bot.commands.texts.privacy import render_what_is_stored
from bot.commands.texts.tips import render_topics
from scheduler.due import Schedule
from tips import Topic

DISCLAIMER = "<i>General information, not medical advice.</i>"


def render_welcome(schedule: Schedule, next_tip: datetime) -> str:
    """A new subscriber's welcome; someone who was here is welcomed back instead
    (`texts.rhythm.render_welcome_back`)."""
    return (
        "🦴 <b>Welcome to GutBone Daily!</b>\n\nOnce a day you'll get one short tip on how your "
        "gut and its microbes can help your bones, each with the study it rests on.\n\n"
        f"{render_schedule(schedule, next_tip)}\n\n"
        "🌍 Tap your region below to set your timezone, and 🕗 one of the times. Tap nothing and "
        "your tips come at the time shown above; /time and /timezone change it any day. "
        f"Want one now? /tip\n\n{DISCLAIMER}"
    )


def render_stopped(was_active: bool) -> str:
    if not was_active:
        return "You're not subscribed, so there's nothing to stop. /start to get a daily tip."
    return "⏸ Daily tips stopped. Your settings are kept: /start brings them back."


def render_help(topics: tuple[Topic, ...]) -> str:
    commands = "\n".join(f"/{name} — {escape(description)}" for name, description in COMMANDS)
    groups = (
        "In a group, only its admins can /start, /stop, change /time, /timezone and /topics, "
        "/pause, /resume, /export or /delete_me."
    )
    return f"<b>Commands</b>\n{commands}\n{groups}\n\n<b>Topics</b>\n{render_topics(topics)}"


def render_about(tip_count: int, reference_count: int) -> str:
    return (
        "🦴 <b>GutBone Daily</b> sends one short tip a day on the gut–bone axis: how the "
        "microbes in your gut, and what you feed them, relate to bone strength.\n\n"
        f"Each of the {tip_count} tips cites one of {reference_count} published sources, "
        "shown under the tip. Much of this research is early: many findings come from mice "
        "or rats, or measure bone density or calcium absorption rather than fractures, and the "
        "tips say so.\n\n"
        f"{render_what_is_stored()}\n\n"
        "⚕️ <b>Not medical advice.</b> The tips are general information and no substitute for "
        "your doctor's care. If you have osteoporosis, take bone medication or blood thinners "
        "such as warfarin, or are thinking about supplements, talk to your clinician first."
    )
