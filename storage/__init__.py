"""SQLite storage: subscribers, the per-day delivery record, rotation history, the lease."""

from storage.errors import (
    DatabaseDamaged,
    DatabaseReplaced,
    DatabaseTooNew,
    MigrationRefused,
    StoreError,
)
from storage.store import Store

__all__ = [
    "DatabaseDamaged",
    "DatabaseReplaced",
    "DatabaseTooNew",
    "MigrationRefused",
    "Store",
    "StoreError",
]
