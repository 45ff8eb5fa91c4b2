"""Every message the bot writes, as pure functions returning Telegram HTML, one module a feature
(and the one picture, the weekly recap's PNG: `picture`).

`menu` holds the command menus (MAIN_COMMANDS, then MORE_COMMANDS), `help` /help's two pages,
`about` /about and /privacy; `common` what the features share (escaping, the schedule line, the
answers any command may get). Callers use the package: `texts.render_x(...)`.
"""

from __future__ import annotations

from bot.commands.texts.about import (
    LEARNING,
    render_about,
    render_delete_cancelled,
    render_delete_confirm,
    render_delete_expired,
    render_deleted,
    render_export_caption,
    render_privacy,
)
from bot.commands.texts.channels import (
    CHANNEL_HOW,
    render_channel_added,
    render_channel_bot_missing,
    render_channel_not_admin,
    render_channel_private_only,
    render_channel_remove_refused,
    render_channel_usage,
    render_channels,
)
from bot.commands.texts.common import (
    escape,
    render_ask_an_admin,
    render_hint,
    render_local,
    render_schedule,
    render_sorry,
    render_stale_button,
    render_unknown_command,
)
from bot.commands.texts.habits import (
    PLANTS_EXAMPLE,
    PLANTS_RULE,
    render_checked_in,
    render_no_plants_known,
    render_plants,
    render_plants_too_long,
    render_streak,
)
from bot.commands.texts.help import (
    HELP_LINES,
    render_help,
    render_help_more,
)
from bot.commands.texts.menu import (
    ADMIN_COMMANDS,
    COMMANDS,
    GROUP_ADMIN_ONLY,
    MAIN_COMMANDS,
    MORE_COMMANDS,
)
from bot.commands.texts.operator import (
    render_stats,
    render_sweep,
    render_tip_feedback,
)
from bot.commands.texts.recap import (
    render_recap_caption,
    render_recap_needs_subscription,
    render_recap_switched,
    render_recap_toggle,
)
from bot.commands.texts.settings import (
    TIME_EXAMPLE,
    TIMEZONE_EXAMPLE,
    WEEKEND_EXAMPLE,
    render_chosen,
    render_last_topic,
    render_nothing_to_pause,
    render_pause_usage,
    render_paused,
    render_picker_gone,
    render_quiet,
    render_quiet_changed,
    render_region_page,
    render_resumed,
    render_schedule_changed,
    render_settings,
    render_time_picker,
    render_time_usage,
    render_timezone_picker,
    render_timezone_usage,
    render_topic_choice,
    render_topic_gone,
    render_weekend_picker,
    render_weekend_usage,
    timezone_example,
)
from bot.commands.texts.tips import (
    render_button_retired,
    render_no_tip_yet,
    render_tip_retired,
    render_topics,
    render_unknown_topic,
    render_vote_noted,
)
from bot.commands.texts.welcome import (
    CHANGES,
    DISCLAIMER,
    news_since,
    render_other_choice,
    render_stopped,
    render_welcome,
    render_welcome_back,
)
from bot.commands.texts.zones import (
    TIMEZONE_TRY,
    render_clock_gone,
    render_clock_picker,
    render_clock_zones,
    render_country_page,
    render_location_offer,
    render_location_private_only,
    render_location_unknown,
    render_utc_offset,
    render_zone_choice,
)
from habits.recap import Recap


def draw_recap(recap: Recap, liked_title: str | None) -> bytes:
    """The week as a PNG (`bot.commands.texts.picture`). Pillow is imported with the first
    Sunday picture, not at every start-up, where it cost 20-30 ms of a million-subscriber
    start."""
    from bot.commands.texts.picture import draw_recap as draw

    return draw(recap, liked_title)


__all__ = [
    "ADMIN_COMMANDS",
    "CHANGES",
    "CHANNEL_HOW",
    "COMMANDS",
    "DISCLAIMER",
    "GROUP_ADMIN_ONLY",
    "HELP_LINES",
    "LEARNING",
    "MAIN_COMMANDS",
    "MORE_COMMANDS",
    "PLANTS_EXAMPLE",
    "PLANTS_RULE",
    "TIMEZONE_EXAMPLE",
    "TIMEZONE_TRY",
    "TIME_EXAMPLE",
    "WEEKEND_EXAMPLE",
    "draw_recap",
    "escape",
    "news_since",
    "render_about",
    "render_ask_an_admin",
    "render_button_retired",
    "render_channel_added",
    "render_channel_bot_missing",
    "render_channel_not_admin",
    "render_channel_private_only",
    "render_channel_remove_refused",
    "render_channel_usage",
    "render_channels",
    "render_checked_in",
    "render_chosen",
    "render_clock_gone",
    "render_clock_picker",
    "render_clock_zones",
    "render_country_page",
    "render_delete_cancelled",
    "render_delete_confirm",
    "render_delete_expired",
    "render_deleted",
    "render_export_caption",
    "render_help",
    "render_help_more",
    "render_hint",
    "render_last_topic",
    "render_local",
    "render_location_offer",
    "render_location_private_only",
    "render_location_unknown",
    "render_no_plants_known",
    "render_no_tip_yet",
    "render_nothing_to_pause",
    "render_other_choice",
    "render_pause_usage",
    "render_paused",
    "render_picker_gone",
    "render_plants",
    "render_plants_too_long",
    "render_privacy",
    "render_quiet",
    "render_quiet_changed",
    "render_recap_caption",
    "render_recap_needs_subscription",
    "render_recap_switched",
    "render_recap_toggle",
    "render_region_page",
    "render_resumed",
    "render_schedule",
    "render_schedule_changed",
    "render_settings",
    "render_sorry",
    "render_stale_button",
    "render_stats",
    "render_stopped",
    "render_streak",
    "render_sweep",
    "render_time_picker",
    "render_time_usage",
    "render_timezone_picker",
    "render_timezone_usage",
    "render_tip_feedback",
    "render_tip_retired",
    "render_topic_choice",
    "render_topic_gone",
    "render_topics",
    "render_unknown_command",
    "render_unknown_topic",
    "render_utc_offset",
    "render_vote_noted",
    "render_weekend_picker",
    "render_weekend_usage",
    "render_welcome",
    "render_welcome_back",
    "render_zone_choice",
    "timezone_example",
]
