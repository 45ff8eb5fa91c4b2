"""SQLite storage: subscribers, the per-day delivery record, rotation history, the lease.

`Store` is the facade the bot and the delivery engine use; each table's SQL lives in a module
named for what it stores. The names below are everything code outside `storage` needs: the
store and its errors, the values its reports are made of, and the modules operators' tools
call by name (`gauges`, `heartbeat`, `offline`, `stats`), and the file's upkeep in short steps
(`upkeep`, its space given back by `space`).
"""

from storage import space, upkeep
from storage.errors import (
    DatabaseDamaged,
    DatabaseReplaced,
    DatabaseTooNew,
    MigrationRefused,
    StoreError,
)
from storage.privacy import chat_tables
from storage.reports import gauges, offline, stats
from storage.reports.gauges import Gauges
from storage.reports.offline import BackupRefused, NoDatabase, NotUpgraded
from storage.reports.stats import Stats, TipVotes
from storage.schema import LATEST, MIGRATIONS, schema_version
from storage.store import Store
from storage.tables import heartbeat
from storage.tables.events import KEEP_EVENTS, EventKind
from storage.tables.feedback import Votes
from storage.tables.heartbeat import Heartbeat, LeaseHolder, health_problem
from storage.tables.plants import KEEP_PLANTS

__all__ = [
    "KEEP_EVENTS",
    "KEEP_PLANTS",
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
    "space",
    "stats",
    "upkeep",
]
