"""Curators' per-tip 👍/👎: a pure table in tips/, fed from the bot's database by the bot CLI."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import tips.__main__ as tips_cli
from bot.__main__ import main as bot_main
from bot.commands.texts import render_stats
from storage import Store
from tests.conftest import TEST_LIBRARY
from tips.stats import feedback_table

NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def test_the_most_disliked_tips_come_first(library):
    a, b, c = (tip.id for tip in library.tips[:3])
    table = feedback_table(library, {a: (5, 0), b: (1, 4), c: (2, 2), "k2-gone": (0, 1)})
    lines = table.splitlines()
    assert re.fullmatch(r"tip +👍 +👎", lines[0])
    assert [line.split()[0] for line in lines[1:5]] == [b, "k2-gone", c, a]
    assert re.fullmatch(rf"{b} +1 +4", lines[1])
    assert lines[2].endswith("not in the library")
    assert lines[-1] == f"{len(library.tips) - 3} tip(s) without votes"


def test_python_m_tips_stats_leaves_the_database_to_the_bot(capsys, tmp_path):
    assert tips_cli.main(["stats", "--database", str(tmp_path / "x.db")]) == 1
    assert "run `gutbone-bot tips stats`" in capsys.readouterr().err


def test_gutbone_bot_tips_stats_reads_votes_from_the_database(capsys, tmp_path, library):
    path = tmp_path / "gutbone.db"
    store = Store.open(path)
    tip_id = library.tips[0].id
    for chat_id, vote in [(1, 1), (2, -1), (3, -1)]:
        store.vote(chat_id, tip_id, vote, NOW)
    store.close()
    assert bot_main(["tips", "stats", "--library", str(TEST_LIBRARY), "--database", str(path)]) == 0
    out = capsys.readouterr().out
    assert re.search(rf"^{tip_id} +1 +2$", out, re.MULTILINE)
    assert re.search(r"^topic +tips +minimum", out, re.MULTILINE)  # the other tables stay


def test_a_missing_database_is_one_line_and_not_created(capsys, tmp_path):
    path = tmp_path / "nowhere.db"
    assert bot_main(["tips", "stats", "--database", str(path)]) == 1
    assert capsys.readouterr().err.strip() == f"error: no database at {path}"
    assert not path.exists()


def test_the_operators_figures_name_the_best_and_worst_tips(store):
    votes = {"a": [1, 1, 1], "b": [1, 1], "c": [1], "d": [1, -1], "e": [-1], "f": [-1, -1]}
    votes |= {"g": [-1, -1, -1]}
    for tip_id, given in votes.items():
        for chat_id, vote in enumerate(given):
            store.vote(chat_id, tip_id, vote, NOW)
    figures = store.stats(NOW)
    assert [(v.tip_id, v.up, v.down) for v in figures.tip_feedback] == [
        ("a", 3, 0),
        ("b", 2, 0),
        ("c", 1, 0),
        ("e", 0, 1),
        ("f", 0, 2),
        ("g", 0, 3),
    ]
    assert render_stats(figures).splitlines()[-1] == (
        "Top and bottom tips by 👍/👎: a 3/0, b 2/0, c 1/0, e 0/1, f 0/2, g 0/3"
    )


def test_few_votes_show_each_tip_once(store):
    store.vote(1, "a", 1, NOW)
    store.vote(1, "b", -1, NOW)
    assert [v.tip_id for v in store.stats(NOW).tip_feedback] == ["a", "b"]
