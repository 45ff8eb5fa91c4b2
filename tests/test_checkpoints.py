"""The WAL is copied into the database file by a thread of its own, never by the store's
commits (which then only append to the WAL), and the thread stops with the bot."""

from __future__ import annotations

import logging
import threading

from storage import Checkpointer, Store
from storage.files import BACKSTOP_PAGES

MB = 1 << 20


def write_pages(store: Store, rows: int) -> None:
    with store.transaction():
        store.db.execute("CREATE TABLE IF NOT EXISTS filler (n INTEGER, text TEXT)")
        store.db.conn.executemany(
            "INSERT INTO filler VALUES (?, ?)", [(n, "x" * 500) for n in range(rows)]
        )


def test_the_thread_copies_what_the_commits_left_in_the_wal(db_path):
    store = Store.open(db_path)
    checkpointer = Checkpointer(db_path, every=0.01)
    checkpointer.start(store.db)
    assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone() == (BACKSTOP_PAGES,)
    try:
        for batch in range(1, 4):  # several batches of commits, each copied after it
            size = db_path.stat().st_size
            write_pages(store, 3_000)  # ~1.5 MB, ~400 pages: under SQLite's default of 1,000
            for _ in range(2):  # the second began after the commit, whenever the first did
                checkpointer.done.clear()
                assert checkpointer.done.wait(10)
            assert db_path.stat().st_size > size + MB, f"batch {batch} not in the file"
    finally:
        checkpointer.stop(store.db)
    assert store.db.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)
    assert not any(t.name == "wal-checkpoints" for t in threading.enumerate())
    store.close()


def test_without_the_thread_the_commits_leave_the_wal_uncopied(db_path):
    """The same writes with the backstop alone: nothing copies them (the test above fails
    if the thread does nothing)."""
    store = Store.open(db_path)
    store.db.execute(f"PRAGMA wal_autocheckpoint = {BACKSTOP_PAGES}")
    size = db_path.stat().st_size
    write_pages(store, 3_000)
    assert db_path.stat().st_size < size + MB  # in the WAL only
    assert db_path.with_name(db_path.name + "-wal").stat().st_size > MB
    store.close()


def test_a_checkpoint_that_fails_is_one_line_and_the_thread_goes_on(tmp_path, caplog):
    folder = tmp_path / "not-a-database"
    folder.mkdir()  # sqlite cannot open a folder: every checkpoint fails
    checkpointer = Checkpointer(folder / "missing" / "bot.db", every=0.01)
    store = Store.open(tmp_path / "bot.db")
    with caplog.at_level(logging.WARNING):
        checkpointer.start(store.db)
        thread = checkpointer._thread
        assert thread is not None
        thread.join(0.2)  # several attempts' worth
        assert not checkpointer.done.is_set()
        checkpointer.stop(store.db)
    assert not thread.is_alive()
    lines = [r for r in caplog.records if "Could not" in r.getMessage()]
    assert len(lines) == 1  # however many attempts failed
    assert not (folder / "missing").exists()  # and nothing was created
    store.close()
