"""Talking to Telegram: the one outbound gateway (flood limits, 429s), the HTTP client,
sending with Telegram's answers mapped to outcomes, a press's edit made after its answer
(follow-ups), and receiving updates (webhook or polling).
"""

__all__ = [
    "follow_ups",
    "gateway",
    "http",
    "polling",
    "proxy",
    "sender",
    "startup",
    "supervisor",
    "turns",
    "webhook",
    "webhook_requests",
    "webhook_watch",
]
