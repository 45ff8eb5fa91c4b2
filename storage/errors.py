"""What can be wrong with the database itself; the CLI turns each into one line and exit 2."""

from __future__ import annotations


class StoreError(Exception):
    """The database file cannot be used as it is; the message says what to do."""


class DatabaseDamaged(StoreError):
    """SQLite's own integrity check found damage: restore a backup rather than write on."""


class DatabaseTooNew(StoreError):
    """Written by a newer version of the bot: running older code on it could lose data."""


class MigrationRefused(StoreError):
    """An upgrade found data it cannot carry over safely; nothing was changed."""


class DatabaseReplaced(StoreError):
    """The file at the database path is no longer the one this process opened.

    Deleted, or replaced by another file: writes would go to a file nobody will read again.
    """
