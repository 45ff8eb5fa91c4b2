"""/start and /stop: how the bot begins or ends (/help, /about and /privacy have their own)."""

from __future__ import annotations

from datetime import datetime

from bot.commands.texts.common import render_schedule
from scheduler.due import Schedule

DISCLAIMER = "<i>General information, not medical advice.</i>"


def render_welcome(schedule: Schedule, next_tip: datetime, newly_subscribed: bool) -> str:
    opening = (
        "🦴 <b>Welcome to GutBone Daily!</b>\n\nOnce a day you'll get one short tip on how your "
        "gut and its microbes can help your bones, each with the study it rests on."
        if newly_subscribed
        else "✅ You're already subscribed."
    )
    change = (
        "🌍 Tap your region below to set your timezone, or 🕗 one of the times. Tap nothing and "
        "your tips come at the time shown above; /time and /timezone change it any day."
        if newly_subscribed
        else "Change it with /time and /timezone."
    )
    return (
        f"{opening}\n\n{render_schedule(schedule, next_tip)}\n\n"
        f"{change} Want one now? /tip\n\n"
        f"{DISCLAIMER}"
    )


def render_stopped(was_active: bool) -> str:
    if not was_active:
        return "You're not subscribed, so there's nothing to stop. /start to get a daily tip."
    return "⏸ Daily tips stopped. Your settings are kept: /start brings them back."
