"""The database seen by operators: the figures of `/stats` (`stats`), the metrics' gauges read
at scrapes (`gauges`), and the file opened read-only or copied from outside the bot
(`offline`)."""

__all__ = ["gauges", "offline", "stats"]
