"""GutBone Daily's Telegram side: what subscribers do (`commands`), talking to Telegram
(`transport`), running the process (`service`), trying it in a terminal (`sandbox`); the
command line is `bot/__main__.py`."""

__all__ = ["commands", "sandbox", "service", "transport"]
