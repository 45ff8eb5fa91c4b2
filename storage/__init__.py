"""SQLite storage: subscribers, the per-day delivery record, rotation history, the lease.

`Store` is the facade the bot and the delivery engine use; each table's SQL lives in a module
named for what it stores. The names below are everything code outside `storage` needs: the
store and its errors, the values its reports are made of, and the modules operators' tools
call by name (`gauges`, `heartbeat`, `offline`, `stats`).
"""

from storage import gauges, heartbeat, offline, stats
from storage.errors import (
    DatabaseDamaged,
    DatabaseReplaced,
    DatabaseTooNew,
    MigrationRefused,
    StoreError,
)
from storage.events import KEEP_EVENTS, EventKind
from storage.feedback import Votes
from storage.gauges import Gauges
from storage.heartbeat import Heartbeat, LeaseHolder, health_problem
from storage.offline import BackupRefused, NoDatabase, NotUpgraded
from storage.privacy import chat_tables
from storage.schema import LATEST, MIGRATIONS, schema_version
from storage.stats import Stats, TipVotes
from storage.store import Store

__all__ = [
    "KEEP_EVENTS",
    "LATEST",
    "MIGRATIONS",
    "BackupRefused",
    "DatabaseDamaged",
    "DatabaseReplaced",
    "DatabaseTooNew",
    "EventKind",
    "Gauges",
    "Heartbeat",
    "LeaseHolder",
    "MigrationRefused",
    "NoDatabase",
    "NotUpgraded",
    "Stats",
    "Store",
    "StoreError",
    "TipVotes",
    "Votes",
    "chat_tables",
    "gauges",
    "health_problem",
    "heartbeat",
    "offline",
    "schema_version",
    "stats",
]
