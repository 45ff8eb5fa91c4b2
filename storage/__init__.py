"""SQLite storage: subscribers, the per-day delivery record, and rotation history."""

from storage.store import PendingDelivery, Store, Subscriber

__all__ = ["PendingDelivery", "Store", "Subscriber"]
