"""Habits: the ✅ check-in and /streak, and the /plants week."""

from __future__ import annotations

from datetime import date

from bot.commands.texts.common import escape
from habits.streaks import FREEZE_EVERY, Streak
from tips import GOAL, MAX_INPUT, MAX_ITEMS, Reference, render_citation


def render_checked_in(new: bool) -> str:
    """The short answer to ✅ Did it."""
    return "✅ Done for today — see /streak" if new else "Already checked in today ✅"


def render_streak(streak: Streak) -> str:
    if streak.longest == 0:
        return (
            "🔥 No check-ins yet. Press ✅ Did it under a tip on a day you tried it, "
            "and /streak counts the days in a row."
        )
    today = (
        "Today is done ✅" if streak.today else "Not checked in today yet: ✅ Did it under a tip."
    )
    return (
        f"🔥 <b>Current streak: {_days(streak.current)}</b>\n"
        f"🏆 Longest: {_days(streak.longest)}\n{today}\n\n"
        f"One missed day in any {FREEZE_EVERY} days is forgiven (a freeze); "
        "two in a row end the streak."
    )


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


PLANTS_EXAMPLE = "Example: <code>/plants oats, lentils and kale</code>"
PLANTS_RULE = (
    "Each different plant counts once a week (Monday to Sunday, your time): vegetables, fruit, "
    "grains, beans, nuts, seeds, herbs and spices."
)


def render_plants(
    week: date,
    plants: list[str],
    *,
    added: list[str] | None = None,
    unknown: list[str] | None = None,
    source: Reference | None = None,
    explain: bool = True,
) -> str:
    """This week's tally: what was just added, the names not recognised, and the whole list.

    `added` is None for a bare `/plants`; `source` is the American Gut study, when the
    library has it verified. With `explain` (once a week) the rule and its study follow;
    without, two lines: the count, and what was added (or this week's plants)."""
    celebrate = " 🎉" if len(plants) >= GOAL else ""
    lines = [f"🌱 <b>{len(plants)}/{GOAL} plants</b> this week (since Mon {week:%d %b}){celebrate}"]
    if added is not None:
        lines.append(_plants_added(added))
    lines.extend(_unknown_plant(name) for name in (unknown or [])[:10])
    listed = f"This week: {escape(', '.join(plants))}" if plants else PLANTS_EXAMPLE
    if not explain:
        return "\n".join(lines if added is not None else [*lines, listed])
    if len(plants) >= GOAL:
        lines.append("🎉 30 reached: that's a lot of variety!")
    lines.extend(("", listed, "", PLANTS_RULE))
    if source is not None:
        lines.append(
            "In the American Gut Project, people who ate 30 or more different plants a week had "
            f"more diverse gut microbes. 📚 {render_citation(source)}"
        )
    return "\n".join(lines)


def _plants_added(added: list[str]) -> str:
    if not added:
        return "Nothing new: those are already counted this week."
    return f"Added: {escape(', '.join(added))}"


def _unknown_plant(name: str) -> str:
    return f'I don\'t know "{escape(name[:40])}" — try its plain name.'


def render_plants_too_long() -> str:
    return (
        f"That's a long list: send at most {MAX_ITEMS} plants ({MAX_INPUT} characters) at a "
        f"time. Nothing was added.\n{PLANTS_EXAMPLE}"
    )


def render_no_plants_known(unknown: list[str]) -> str:
    lines = [_unknown_plant(name) for name in unknown[:10]]
    return "\n".join([*lines, "Nothing was added.", PLANTS_EXAMPLE])
