"""Every message the bot writes, as pure functions returning Telegram HTML."""

from __future__ import annotations

from datetime import date, datetime
from html import escape as html_escape

from habits.streaks import FREEZE_EVERY, Streak
from scheduler.due import Schedule
from storage.heartbeat import Heartbeat
from storage.stats import Stats, TipVotes
from tips import Reference, Topic, is_chosen, render_citation
from tips.plants import GOAL, MAX_INPUT, MAX_ITEMS

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Subscribe to one gut–bone tip a day"),
    ("tip", "A tip right now (or a topic: /tip fiber)"),
    ("avoid", "What to cut down on, and why"),
    ("time", "Set your daily time: /time 07:30"),
    ("timezone", "Set your timezone: /timezone Europe/Berlin"),
    ("source", "Full sources of your last tip"),
    ("streak", "Your run of days with a ✅ Did it"),
    ("plants", "Count different plants this week: /plants oats, kale"),
    ("topics", "Choose the topics of your daily tips"),
    ("pause", "No daily tips for a while: /pause 7"),
    ("resume", "End a pause now"),
    ("settings", "Your subscription, with buttons to change it"),
    ("stop", "Stop the daily tip (settings are kept)"),
    ("channel", "Daily tips in your channel: /channel @name"),
    ("export", "Everything stored about this chat, as a file"),
    ("delete_me", "Erase everything stored about this chat"),
    ("help", "All commands and topics"),
    ("about", "What this bot is, what it stores, disclaimer"),
)

# For `ADMIN_USER_IDS` only: not in the menu or /help (everyone else gets the unknown-command
# answer), documented in the README's "Operating it".
ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (("stats", "Figures for operators"),)

DISCLAIMER = "<i>General information, not medical advice.</i>"
TIME_EXAMPLE = "Example: <code>/time 07:30</code> (24-hour clock, your local time)."
TIMEZONE_LIST = "All names: en.wikipedia.org/wiki/List_of_tz_database_time_zones"
TIMEZONE_EXAMPLE = "Example: <code>/timezone Europe/Berlin</code> or <code>/timezone berlin</code>."


def escape(text: str) -> str:
    """Text for the body of a Telegram HTML message (quotes need no escaping there)."""
    return html_escape(text, quote=False)


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


def render_schedule(schedule: Schedule, next_tip: datetime | None) -> str:
    lines = [
        f"🕗 Daily at <b>{schedule.at:%H:%M}</b> ({escape(schedule.timezone.key)})",
    ]
    if next_tip is not None:
        lines.append(f"Next tip: {render_local(next_tip, schedule)}")
    return "\n".join(lines)


def render_local(moment: datetime, schedule: Schedule) -> str:
    return moment.astimezone(schedule.timezone).strftime("%a %d %b, %H:%M")


def render_stopped(was_active: bool) -> str:
    if not was_active:
        return "You're not subscribed, so there's nothing to stop. /start to get a daily tip."
    return "⏸ Daily tips stopped. Your settings are kept: /start brings them back."


def render_settings(
    schedule: Schedule,
    next_tip: datetime | None,
    *,
    unreadable: bool = False,
    paused_until: datetime | None = None,
    topics: tuple[Topic, ...] = (),
    chosen: frozenset[str] | None = None,
) -> str:
    """`next_tip` is None while the chat is not subscribed (or its stored row is unreadable);
    `paused_until` is given while a pause runs; `chosen` topics of `topics` (None: all)."""
    state = "on ✅" if next_tip else "off ⏸ (/start to turn it on)"
    if next_tip and paused_until:
        state = f"paused ⏸ until {render_local(paused_until, schedule)} (/resume)"
    problem = (
        "\n\nYour saved time or timezone could not be read, so daily tips are paused. "
        "/start turns them back on with the defaults shown above."
        if unreadable
        else ""
    )
    return (
        f"⚙️ <b>Your settings</b>\nDaily tip: {state}\n"
        f"{render_schedule(schedule, next_tip)}\n{render_chosen(topics, chosen)}\n\n"
        f"Change with the buttons below, /time 07:30 and /timezone Europe/Berlin.{problem}"
    )


def render_chosen(topics: tuple[Topic, ...], chosen: frozenset[str] | None) -> str:
    """One line: the topics daily tips come from (or, when shorter, those left out)."""
    on = [topic for topic in topics if is_chosen(chosen, topic.id)]
    off = [topic for topic in topics if not is_chosen(chosen, topic.id)]
    if not on or not off:
        return "🗂 Topics: all"
    if len(off) < len(on):
        return f"🗂 Topics: all but {_titles(off)}"
    return f"🗂 Topics: {_titles(on)}"


def _titles(topics: list[Topic]) -> str:
    return ", ".join(f"{topic.emoji} {escape(topic.title)}" for topic in topics)


def render_topic_choice() -> str:
    return (
        "🗂 <b>Your topics</b>\nDaily tips and /tip come from the topics ticked below: tap one "
        "to switch it on or off.\n/tip with a topic (/tip fiber) still gives any topic, "
        "and /avoid always has its own."
    )


def render_last_topic() -> str:
    """A button answer (plain text, at most 200 characters)."""
    return "At least one topic stays on: tick another one before switching this one off."


def render_topic_gone() -> str:
    """A button answer (plain text)."""
    return "That topic is no longer in the library. Send /topics for the current list."


def render_pause_usage(problem: str) -> str:
    return f"{escape(problem)}\nExample: <code>/pause 7</code> (no daily tips for a week)."


def render_paused(paused_until: datetime, next_tip: datetime, schedule: Schedule) -> str:
    return (
        f"⏸ Paused: no daily tips until {render_local(paused_until, schedule)}.\n"
        f"They come back by themselves; the next one is on {render_local(next_tip, schedule)}.\n"
        "/resume ends the pause sooner."
    )


def render_resumed(was_paused: bool, next_tip: datetime, schedule: Schedule) -> str:
    if not was_paused:
        return f"You're not paused. Next tip: {render_local(next_tip, schedule)}"
    return f"▶️ Welcome back! Next tip: {render_local(next_tip, schedule)}"


def render_nothing_to_pause() -> str:
    return (
        "You're not subscribed, so there's nothing to pause or resume. /start to get a daily tip."
    )


def render_timezone_picker() -> str:
    return (
        "🌍 <b>Your timezone</b>\nTap your region, then your city (or the nearest one in the "
        f"same timezone).\n{TIMEZONE_EXAMPLE}"
    )


def render_region_page(region: str, page: int, pages: int) -> str:
    """`page` counts from 0."""
    return (
        f"🌍 <b>{escape(region)}</b> — page {page + 1} of {pages}\n"
        "Tap your city, or the nearest one in the same timezone."
    )


def render_time_picker() -> str:
    return (
        "🕗 <b>Your daily time</b>\nTap a time (your local time), or send "
        "<code>/time 07:45</code> to set any other."
    )


def render_picker_gone() -> str:
    """A button answer (plain text): a page or zone this picker no longer has."""
    return "That choice is no longer on offer. Send /timezone for the current list."


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


def render_schedule_changed(schedule: Schedule, next_tip: datetime | None) -> str:
    """`next_tip` is None while the chat is not subscribed."""
    reminder = "" if next_tip else "\n\nYou're not subscribed yet: /start to get the daily tip."
    return f"👍 Saved.\n{render_schedule(schedule, next_tip)}{reminder}"


def render_time_usage(problem: str) -> str:
    return f"{escape(problem)}\n{TIME_EXAMPLE}"


def render_timezone_usage(problem: str, candidates: list[str] | None = None) -> str:
    if candidates:
        listed = "\n".join(f"<code>/timezone {escape(name)}</code>" for name in candidates[:8])
        return f"{escape(problem)}. Which one?\n{listed}"
    return f"{escape(problem)}\n{TIMEZONE_EXAMPLE}\n{TIMEZONE_LIST}"


def render_unknown_topic(name: str, topics: tuple[Topic, ...]) -> str:
    shown = escape(name[:40])
    return f"I don't have a topic called “{shown}”. Try one of these:\n{render_topics(topics)}"


def render_topics(topics: tuple[Topic, ...]) -> str:
    return "\n".join(f"{topic.emoji} /tip {topic.id} — {escape(topic.title)}" for topic in topics)


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


def render_what_is_stored() -> str:
    return (
        "🔒 <b>What is stored, and why.</b> For each chat: its id and type, whether it is "
        "subscribed, its delivery time, timezone, topics and any pause (to send your tip when "
        "you asked for it), and which tips it had and when (so a day gets one tip and tips "
        "don't repeat), plus anything you record with the buttons, and the plants /plants "
        "recognised in what you sent, and the channels you added with /channel (to list them "
        "for you). Not your name, nor anything else you type. "
        "/export sends you all of it; /delete_me erases it."
    )


def render_hint() -> str:
    return "I answer commands: /tip for a tip right now, or /help for everything I can do."


def render_ask_an_admin() -> str:
    return "Only this group's admins can change its daily tip: please ask one of them."


CHANNEL_HOW = (
    "Make me an admin of your channel who can post messages, then send "
    "<code>/channel @name</code> here (or forward me one of its posts)."
)


def render_channel_usage() -> str:
    return f"That isn't a channel I can find. {CHANNEL_HOW}"


def render_channel_private_only() -> str:
    return "/channel works in a private chat with me: send <code>/channel @name</code> there."


def render_channel_bot_missing(name: str) -> str:
    return f"Add me to {escape(name)} as an admin who can post messages, then try again."


def render_channel_not_admin() -> str:
    return "Only the channel's admins can subscribe it."


def render_channel_added(
    name: str, schedule: Schedule, next_tip: datetime | None, newly: bool
) -> str:
    opening = (
        f"✅ {escape(name)} now gets the daily tip."
        if newly
        else f"✅ {escape(name)} already gets the daily tip."
    )
    return f"{opening}\n\n{render_schedule(schedule, next_tip)}\n\n/channel lists your channels."


def render_channels(channels: list[tuple[str, bool]], removed: str | None = None) -> str:
    """The person's channels (name, still getting tips); after a remove, which one went."""
    opening = f"🗑 {escape(removed)} no longer gets the daily tip.\n\n" if removed else ""
    if not channels:
        return f"{opening}📣 You haven't added a channel yet. {CHANNEL_HOW}"
    stopped = " — stopped: I can't post there any more; /channel @name starts it again"
    listed = "\n".join(f"• {escape(name)}{'' if on else stopped}" for name, on in channels)
    return f"{opening}📣 <b>Your channels</b> (daily tip)\n{listed}\n\nTap one below to remove it."


def render_channel_remove_refused() -> str:
    return "Only the channel's admins can remove it."


def render_sorry() -> str:
    return "Sorry, something went wrong on my side. Please try again in a minute."


def render_stale_button() -> str:
    return "This button no longer works. Try /tip or /help."


def render_button_retired() -> str:
    return "That tip has been retired from the library. Try /tip for a current one."


def render_vote_noted(vote: int, before: int | None) -> str:
    """The short answer to 👍 or 👎 (shown by the client for a moment)."""
    mark = "👍" if vote > 0 else "👎"
    if before == vote:
        return f"Already noted {mark}"
    return f"Changed to {mark}, thanks" if before is not None else f"Thanks — noted {mark}"


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


def render_no_tip_yet() -> str:
    return "You haven't had a tip yet. Try /tip, then /source shows where it comes from."


def render_tip_retired() -> str:
    return "That tip has been retired from the library, so its source is no longer shown."


def render_stats(stats: Stats) -> str:
    """The operator's figures, plain lines (also printed by `gutbone-bot stats`)."""
    paused = "—" if stats.paused is None else str(stats.paused)
    lines = [
        f"📊 GutBone Daily, {stats.at:%Y-%m-%d %H:%M} UTC",
        f"Subscribers: {stats.active} active, paused {paused}, {stats.inactive} inactive",
        f"Last 7 days: {stats.joined_7d} joined, {stats.left_7d} left",
        f"Tips sent (UTC days): {stats.sent_today} today, {stats.sent_yesterday} yesterday",
        f"Due now, not yet claimed: {stats.due_backlog}",
        f"Last sweep: {render_sweep(stats.last_sweep, stats.at)}",
        f"Last 24 h: {stats.rate_limited_24h} × 429, {stats.failed_24h} failed deliveries",
        render_tip_feedback(stats.tip_feedback),
    ]
    if stats.unreadable:
        lines.insert(2, f"Unreadable rows (no tips until fixed): {stats.unreadable}")
    return "\n".join(lines)


def render_tip_feedback(votes: tuple[TipVotes, ...]) -> str:
    """The best and worst tips by 👍 − 👎, on one line (best first)."""
    if not votes:
        return "Top and bottom tips by 👍/👎: no feedback collected yet"
    shown = ", ".join(f"{v.tip_id} {v.up}/{v.down}" for v in votes)
    return f"Top and bottom tips by 👍/👎: {shown}"


def render_sweep(beat: Heartbeat | None, now: datetime) -> str:
    if beat is None:
        return "none yet"
    if beat.running:
        ago = (now - beat.started_at).total_seconds()
        return f"running since {beat.started_at:%H:%M:%S} UTC ({ago:.0f} s)"
    assert beat.finished_at is not None and beat.seconds is not None, "a finished sweep"
    ago = (now - beat.finished_at).total_seconds()
    return f"{beat.finished_at:%H:%M:%S} UTC ({ago:.0f} s ago), took {beat.seconds:.1f} s"


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
) -> str:
    """This week's tally: what was just added, the names not recognised, and the whole list.

    `added` is None for a bare `/plants`; `source` is the American Gut study, when the
    library has it verified."""
    lines = [f"🌱 <b>{len(plants)}/{GOAL} plants</b> this week (since Mon {week:%d %b})"]
    if added is not None:
        lines.append(_plants_added(added))
    lines.extend(_unknown_plant(name) for name in (unknown or [])[:10])
    if len(plants) >= GOAL:
        lines.append("🎉 30 reached: that's a lot of variety!")
    lines.append("")
    lines.append(f"This week: {escape(', '.join(plants))}" if plants else PLANTS_EXAMPLE)
    lines.extend(("", PLANTS_RULE))
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
    return f"I don't know “{escape(name[:40])}” — try its plain name."


def render_plants_too_long() -> str:
    return (
        f"That's a long list: send at most {MAX_ITEMS} plants ({MAX_INPUT} characters) at a "
        f"time. Nothing was added.\n{PLANTS_EXAMPLE}"
    )


def render_no_plants_known(unknown: list[str]) -> str:
    lines = [_unknown_plant(name) for name in unknown[:10]]
    return "\n".join([*lines, "Nothing was added.", PLANTS_EXAMPLE])
