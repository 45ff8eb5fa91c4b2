"""Each table's SQL, in a module named for what it stores: plain functions over the database,
composed by the `storage.Store` facade (which holds the writes that span tables in one
transaction)."""

__all__ = [
    "channels",
    "deliveries",
    "events",
    "feedback",
    "heartbeat",
    "lease",
    "plants",
    "recaps",
    "rotation",
    "streaks",
    "subscribers",
    "subscriptions",
    "tip_numbers",
]
