"""The numbered schema migrations, oldest first; `storage.schema` applies them in order.

Each is a function of the database, run inside its version's transaction. A migration, once
released, never changes; what it froze (a CHECK's values) is kept beside it under its version.
"""

__all__ = [
    "deliveries_compact",
    "early",
    "later",
    "quiet_weekends",
    "rotation_votes",
    "streaks_plants",
    "tip_numbers",
    "votes_by_chat",
    "weekly_recap",
]
