"""Message texts: valid Telegram HTML, every command documented, user input escaped."""

import re
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import pytest

from bot.commands import texts
from bot.commands.routes import add_handlers
from scheduler.due import Schedule
from tips.markup import telegram_html_problems, visible_text

README = Path(__file__).parent.parent / "README.md"
SCHEDULE = Schedule(time(7, 30), ZoneInfo("Europe/Berlin"))
NEXT = datetime(2026, 3, 3, 6, 30, tzinfo=UTC)


def about_of(library):
    return texts.render_about([len(tip.refs) for tip in library.tips], len(library.references))


def all_renders(library):
    return [
        texts.render_welcome(SCHEDULE, NEXT),
        *(
            texts.render_welcome_back(
                SCHEDULE,
                NEXT,
                returning=returning,
                quiet=returning,
                topics=library.topics,
                chosen=frozenset({"k2"}),
                news=["<new> & more"] if returning else [],
            )
            for returning in (True, False)
        ),
        texts.render_weekend_picker(SCHEDULE),
        texts.render_weekend_usage("Please send <a> time & more"),
        texts.render_other_choice("👍 Saved.", time_left=True),
        texts.render_other_choice("👍 Saved.", time_left=False),
        texts.render_stopped(True),
        texts.render_stopped(False),
        texts.render_settings(SCHEDULE, NEXT),
        texts.render_settings(SCHEDULE, None),
        texts.render_schedule_changed(SCHEDULE, NEXT),
        texts.render_schedule_changed(SCHEDULE, None),
        texts.render_time_usage("bad <time> & more"),
        texts.render_timezone_usage('I don\'t know a place or timezone called "<b>".'),
        texts.render_zone_choice("<b>CST"),
        texts.render_country_page("United States", 0, 4),
        texts.render_country_page("Bosnia & Herzegovina", 2, 3),
        texts.render_unknown_topic("<script>&", library.topics),
        texts.render_help(False),
        texts.render_help(True),
        texts.render_help_more(library.topics, False),
        texts.render_help_more(library.topics, True),
        about_of(library),
        texts.render_privacy(),
        texts.render_unknown_command("/<b>&" + "x" * 100, None),
        texts.render_unknown_command("/tpi", "tip"),
        texts.render_hint(),
        texts.render_sorry(),
        texts.render_settings(
            SCHEDULE, NEXT, paused_until=NEXT, topics=library.topics, chosen=frozenset({"k2"})
        ),
        texts.render_topic_choice(),
        texts.render_pause_usage("Please send a number <of> days & more"),
        texts.render_paused(NEXT, NEXT, SCHEDULE),
        texts.render_resumed(True, NEXT, SCHEDULE),
        texts.render_resumed(False, NEXT, SCHEDULE),
        texts.render_nothing_to_pause(),
        texts.render_time_picker(),
        texts.render_timezone_picker(),
        texts.render_region_page("America", 5, 6),
        texts.render_region_page("Indian Ocean", 0, 2),
        texts.render_picker_gone(),
        texts.render_delete_confirm(),
        texts.render_deleted(True),
        texts.render_deleted(False),
        texts.render_delete_cancelled(),
        texts.render_export_caption(),
        texts.render_channel_usage(),
        texts.render_channel_private_only(),
        texts.render_channel_bot_missing("Gut <&> News"),
        texts.render_channel_not_admin(),
        texts.render_channel_added("@gutnews", SCHEDULE, NEXT, True),
        texts.render_channel_added("Gut <&> News", SCHEDULE, None, False),
        texts.render_channels([]),
        texts.render_channels([("@gutnews", True), ("Gut <&> News", False)], removed="<b>"),
    ]


BUTTON_ANSWERS = [
    texts.render_last_topic,
    texts.render_topic_gone,
    texts.render_delete_expired,
    texts.render_stale_button,
    texts.render_ask_an_admin,
    texts.render_channel_remove_refused,
    lambda: texts.render_quiet_changed(True),
    lambda: texts.render_quiet_changed(False),
]


@pytest.mark.parametrize("render", BUTTON_ANSWERS)
def test_button_answers_are_plain_text_within_telegrams_200_characters(render):
    text = render()
    assert "<" not in text and 0 < len(text) <= 200


def test_settings_show_a_pause_in_local_time_and_the_chosen_topics(library):
    text = texts.render_settings(
        SCHEDULE,
        NEXT,
        paused_until=datetime(2026, 3, 5, 23, 0, tzinfo=UTC),
        topics=library.topics,
        chosen=frozenset({"k2", "fiber"}),
    )
    assert "Daily tip: paused ⏸ until Fri 06 Mar, 00:00 (/resume)" in text
    assert "🗂 Topics: 🌾 Fiber &amp; prebiotics, 🫘 Vitamin K2" in text
    assert "🗂 Topics: all" in texts.render_settings(SCHEDULE, NEXT, topics=library.topics)
    most = frozenset(topic.id for topic in library.topics) - {"avoid"}
    assert "🗂 Topics: all but 🚫 What to avoid" in texts.render_settings(
        SCHEDULE, NEXT, topics=library.topics, chosen=most
    )


def test_about_points_to_privacy_which_says_what_is_stored_and_how_to_get_or_erase_it(library):
    assert "/privacy" in about_of(library)
    privacy = texts.render_privacy()
    assert "Stored for each chat, and why" in privacy and "Kept 3 days" in privacy
    assert "/export" in privacy and "/delete_me" in privacy


def test_about_is_in_short_lines_and_says_how_votes_count(library):
    about = about_of(library)
    assert texts.LEARNING in about
    assert all(len(visible_text(line)) <= 90 for line in about.splitlines())


@pytest.mark.parametrize(
    ("counts", "line"),
    [
        ([1, 1], "Each tip cites one of them, shown under it."),
        ([1, 2, 2], "Each tip cites one or two of them, shown under it (2 cite more than one)."),
        ([1, 2, 3], "Each tip cites one to three of them, shown under it (2 cite more than one)."),
        ([2, 9], "Each tip cites two to 9 of them, shown under it (2 cite more than one)."),
    ],
)
def test_about_counts_the_sources_each_tip_cites(counts, line):
    assert line in texts.render_about(counts, 40).splitlines()


def test_about_counts_the_shipped_librarys_sources_right(library):
    counts = [len(tip.refs) for tip in library.tips]
    several = sum(count > 1 for count in counts)
    assert several > 0  # many tips cite two: "each cites one" would be wrong
    assert f"({several} cite more than one)" in about_of(library)
    assert f"{len(counts)} tips from {len(library.references)} published sources" in about_of(
        library
    )


def test_every_text_is_valid_telegram_html(library):
    for text in all_renders(library):
        assert telegram_html_problems(text) == [], text
        assert 0 < len(visible_text(text)) <= 4096


def test_welcome_shows_time_zone_next_tip_and_disclaimer():
    text = texts.render_welcome(SCHEDULE, NEXT)
    assert "07:30" in text and "Europe/Berlin" in text
    assert "Tue 03 Mar, 07:30" in text
    assert "not medical advice" in text


def test_about_carries_the_disclaimer(library):
    about = about_of(library)
    assert "Not medical advice" in about
    assert "warfarin" in about


def registered_commands() -> set[str]:
    from telegram.ext import Application, CommandHandler

    app = Application.builder().token("1:" + "x" * 30).build()
    add_handlers(app)
    return {
        command
        for group in app.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


def test_every_registered_command_is_in_the_menu_help_and_readme(library):
    menu = {name for name, _ in texts.COMMANDS}
    hidden = {name for name, _ in texts.ADMIN_COMMANDS}
    assert registered_commands() == menu | hidden
    for in_group in (False, True):
        help_text = texts.render_help(in_group) + texts.render_help_more(library.topics, in_group)
        for command in menu - {"help"}:
            assert f"/{command} " in help_text
    readme_commands = re.findall(r"^\| `/(\w+)", README.read_text(), re.MULTILINE)
    assert sorted(readme_commands) == sorted(menu)


def test_the_main_commands_are_few_and_the_help_fits_a_phone_screen(library):
    assert len(texts.MAIN_COMMANDS) <= 8
    assert not {name for name, _ in texts.MAIN_COMMANDS} & {name for name, _ in texts.MORE_COMMANDS}
    for in_group in (False, True):
        assert len(texts.render_help(in_group).splitlines()) <= texts.HELP_LINES
    for name, _ in texts.MAIN_COMMANDS:
        assert name == "help" or f"/{name} " in texts.render_help(False)


def test_group_only_lines_only_in_groups(library):
    for private, group in [
        (texts.render_help(False), texts.render_help(True)),
        (
            texts.render_help_more(library.topics, False),
            texts.render_help_more(library.topics, True),
        ),
    ]:
        assert "group" not in private and "admins" not in private
        assert "👥 In this group only its admins" in group


def test_admin_commands_are_hidden_and_documented_for_operators(library):
    operating = README.read_text().split("## Operating it", 1)[1].split("\n## ", 1)[0]
    help_text = texts.render_help(False) + texts.render_help_more(library.topics, False)
    for command, _ in texts.ADMIN_COMMANDS:
        assert f"/{command}" not in help_text
        assert f"`/{command}`" in operating


@pytest.mark.parametrize("name,description", texts.COMMANDS)
def test_menu_entries_fit_telegram_limits(name, description):
    assert re.fullmatch(r"[a-z0-9_]{1,32}", name)
    assert 1 <= len(description) <= 256


def test_the_settings_example_is_the_chats_own_city_and_reads_back_as_its_zone():
    from bot.commands.parsing import parse_timezone
    from scheduler.zones import zone_index

    index = zone_index()
    keys = {key for name in available_timezones() if (key := index.resolve(name))}
    for key in keys:
        example = texts.timezone_example(Schedule(time(8), ZoneInfo(key)))
        if key == "UTC" or key.startswith("Etc/"):
            assert example == "/timezone and your city"
        else:
            assert parse_timezone(example.removeprefix("/timezone ")).key == key, example
    sydney = texts.render_settings(Schedule(time(8), ZoneInfo("Australia/Sydney")), NEXT)
    assert sydney.endswith("Change with the buttons below, /time 7pm or /timezone sydney.")
