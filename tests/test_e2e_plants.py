"""End to end: /plants adds to this week's different plants and starts again each Monday."""

from __future__ import annotations

from datetime import UTC, date, datetime

CHAT = 8080
MONDAY = date(2026, 3, 2)  # the clock fixture starts on Monday 2 March 2026, 06:00 UTC


async def test_plants_count_toward_30_once_each_and_restart_next_monday(bot, store, clock):
    first = await bot.ask(CHAT, "/plants oats, lentils")
    assert first.startswith("🌱 <b>2/30 plants</b> this week (since Mon 02 Mar)")
    assert "Added: oats, lentils" in first and "This week: oats, lentils" in first
    assert "McDonald D et al., 2018</a>, <i>mSystems</i>" in first
    second = await bot.ask(CHAT, "/plants Oat and\nKALE")
    assert second == "🌱 <b>3/30 plants</b> this week (since Mon 02 Mar)\nAdded: kale"
    assert (await bot.ask(CHAT, "/plants")).splitlines()[1] == "This week: oats, lentils, kale"
    again = await bot.ask(CHAT, "/plants red lentils")
    assert "3/30" in again and "Nothing new" in again
    clock.set(datetime(2026, 3, 8, 23, 59, tzinfo=UTC))  # Sunday night, still this week
    assert "3/30" in await bot.ask(CHAT, "/plants")
    clock.set(datetime(2026, 3, 9, 0, 0, tzinfo=UTC))  # Monday: a new week
    shown = await bot.ask(CHAT, "/plants")
    assert shown.startswith("🌱 <b>0/30 plants</b> this week (since Mon 09 Mar)")
    assert "/plants oats, lentils and kale" in shown
    new_week = await bot.ask(CHAT, "/plants oats")  # the week's first plant: the why again
    assert "1/30" in new_week and "McDonald D et al., 2018" in new_week
    assert "Each different plant counts once a week" in new_week
    assert len((await bot.ask(CHAT, "/plants kale")).splitlines()) == 2
    assert store.plants_of(CHAT, MONDAY) == ["oats", "lentils", "kale"]


async def test_the_week_follows_the_subscribers_timezone(bot, store, clock):
    await bot.ask(CHAT, "/start")
    await bot.ask(CHAT, "/timezone Asia/Tokyo")
    clock.set(datetime(2026, 3, 8, 15, 30, tzinfo=UTC))  # Monday 00:30 in Tokyo, Sunday in UTC
    assert "(since Mon 09 Mar)" in await bot.ask(CHAT, "/plants kale")
    assert store.plants_of(CHAT, date(2026, 3, 9)) == ["kale"]


async def test_unknown_names_are_listed_back_and_known_ones_kept(bot, store):
    text = await bot.ask(CHAT, "/plants kale, moonberries")
    assert "1/30" in text
    assert 'I don\'t know "moonberries" — try its plain name.' in text
    assert store.plants_of(CHAT, MONDAY) == ["kale"]


async def test_bad_input_changes_nothing(bot, store):
    nothing = await bot.ask(CHAT, "/plants moonberries and pizza")
    assert 'I don\'t know "moonberries"' in nothing and 'I don\'t know "pizza"' in nothing
    assert "Nothing was added." in nothing
    too_long = await bot.ask(CHAT, "/plants " + "kale, " * 100)
    assert too_long.startswith("That's a long list") and "Nothing was added." in too_long
    too_many = await bot.ask(CHAT, "/plants " + ", ".join(f"p{n}" for n in range(41)))
    assert too_many.startswith("That's a long list")
    assert store.plants_of(CHAT, MONDAY) == []


async def test_in_a_group_members_share_one_tally(bot, store):
    group, first, second = -1001234000077, 2002, 2003
    said = await bot.ask(group, "/plants oats", chat_type="supergroup", user_id=first)
    assert "1/30" in said
    said = await bot.ask(
        group, "/plants@GutBoneDailyBot oats, kale", chat_type="supergroup", user_id=second
    )
    assert "2/30" in said and "Added: kale" in said
    assert store.plants_of(group, MONDAY) == ["oats", "kale"]
