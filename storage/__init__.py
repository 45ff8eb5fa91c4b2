"""SQLite storage: subscribers, the per-day delivery record, and rotation history."""

from storage.store import Store

__all__ = ["Store"]
