"""Calendar rules for the habits a chat keeps: check-in streaks and the plant count's
Monday-to-Sunday weeks. Pure functions of local dates; no I/O.
"""

__all__ = [
    "streaks",
    "weeks",
]
