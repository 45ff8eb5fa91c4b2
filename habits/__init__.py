"""Calendar rules for the habits a chat keeps: check-in streaks, the plant count's
Monday-to-Sunday weeks and the Sunday recap of a week. Pure functions of local dates; no I/O.
"""

__all__ = [
    "recap",
    "streaks",
    "weeks",
]
