"""Running the bot as a service: configuration, the one wiring, the runner, the delivery
lease's process identity, the sweep's heartbeat and chores, logs, metrics, and the operator's
commands (`check`, `stats`, `backup`, `health`, `sandbox`).
"""

__all__ = [
    "checking",
    "config",
    "config_values",
    "context",
    "faults",
    "lease",
    "logs",
    "metrics",
    "operate",
    "runner",
    "sweeping",
    "wiring",
    "zone_rules",
]
