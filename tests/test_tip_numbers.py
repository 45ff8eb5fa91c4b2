"""Tip numbers: stable across library editions and processes, never reused."""

from __future__ import annotations

from datetime import UTC, datetime

from storage import Store
from storage.tip_sets import tip_set
from tests.databases import database_at

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_a_tip_keeps_its_number_and_a_new_tip_takes_the_next(store):
    first = store.tips.number("fiber-onions")
    second = store.tips.number("kefir")
    assert second == first + 1
    assert store.tips.number("fiber-onions") == first
    assert store.tips.tip_id(second) == "kefir"


def test_a_read_never_numbers_a_tip(store):
    assert store.tips.known("never-stored") is None
    assert store.tips.tip_id(99) is None
    assert store.db.execute("SELECT count(*) FROM tip_numbers").fetchone()[0] == 0


def test_numbers_survive_a_restart_and_are_never_reused(db_path):
    store = Store.open(db_path)
    retired = store.tips.number("retired-in-edition-3")
    kept = store.tips.number("kept")
    store.close()
    store = Store.open(db_path)  # the next edition does not have "retired-in-edition-3"
    assert store.tips.number("new-in-edition-3") == kept + 1
    assert store.tips.known("retired-in-edition-3") == retired
    store.close()


def test_another_process_sees_numbers_given_after_it_started(db_path):
    one, two = Store.open(db_path), Store.open(db_path)
    number = two.tips.number("added-by-the-other-process")
    assert one.tips.tip_id(number) == "added-by-the-other-process"
    assert one.tips.known("added-by-the-other-process") == number
    assert one.tips.number("next") == number + 1
    one.close()
    two.close()


def test_the_migration_numbers_every_tip_the_history_names(tmp_path):
    db_path = tmp_path / "old.db"
    db = database_at(db_path, 10)
    db.execute(
        "INSERT INTO deliveries (chat_id, local_date, tip_id, status, delivered_at, updated_at)"
        " VALUES (1, '2026-03-01', 'b-tip', 'sent', 0, '')"
    )
    db.execute("INSERT INTO seen_tips VALUES (1, 'a-tip', '')")
    db.execute("INSERT INTO feedback VALUES (1, 'c-tip', 1, 0)")
    db.execute("INSERT INTO checkins VALUES (1, '2026-03-01', 'b-tip', 0)")
    db.conn.commit()
    db.close()
    store = Store.open(db_path)
    assert [store.tips.known(t) for t in ("a-tip", "b-tip", "c-tip")] == [1, 2, 3]
    store.close()


def test_a_number_given_in_a_transaction_that_rolled_back_is_not_remembered(db_path):
    one, two = Store.open(db_path), Store.open(db_path)
    try:
        with one.transaction():
            one.tips.number("rolled-back")
            raise RuntimeError("the write failed")
    except RuntimeError:
        pass
    number = two.tips.number("committed")  # takes the number the rolled-back tip had
    assert one.tips.known("rolled-back") is None
    assert one.tips.tip_id(number) == "committed"
    one.close()
    two.close()


def test_a_set_is_read_whole_even_with_a_tip_numbered_by_another_process(db_path):
    one, two = Store.open(db_path), Store.open(db_path)
    numbers = [one.tips.number(f"tip-{n}") for n in range(20)]
    newer = two.tips.number("numbered-by-the-other-process")
    encoded = tip_set([*numbers[::3], newer])
    expected = {f"tip-{n}" for n in range(0, 20, 3)} | {"numbered-by-the-other-process"}
    assert one.tips.tip_ids_in(encoded) == expected
    assert one.tips.tip_ids_in(encoded) == expected  # and again, from the table
    assert one.tips.tip_ids_in(b"") == one.tips.tip_ids_in(None) == set()
    one.close()
    two.close()


def test_a_library_numbered_up_front_is_found_in_a_write_without_reading_the_table(store):
    store.number_tips(["a", "b", "c"])
    ran: list[str] = []
    store.db.conn.set_trace_callback(ran.append)
    try:
        with store.transaction():
            numbers = [store.tips.number(tip) for tip in ("c", "a", "b")]
            assert store.tips.tip_ids_in(tip_set(numbers)) == {"a", "b", "c"}
    finally:
        store.db.conn.set_trace_callback(None)
    assert numbers == [3, 1, 2]
    assert not [sql for sql in ran if "tip_numbers" in sql]
