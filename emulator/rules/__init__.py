"""Telegram's rules as the emulator enforces them: the HTML parse mode (`entities`, with its
tag table `html_tags`), parameter checks (`validation`), error answers worded as Telegram's
(`errors`), flood control (`flood`) and command scopes (`scopes`)."""

__all__ = ["entities", "errors", "flood", "html_tags", "scopes", "validation"]
