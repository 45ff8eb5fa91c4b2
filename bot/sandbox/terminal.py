"""The sandbox's terminal: an input prompt (`you › `) while it waits for a line, and printing
that keeps the prompt last when the bot speaks in between (a daily tip that comes by itself).
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator
from typing import TextIO

__all__ = ["PROMPT", "Terminal"]

PROMPT = "you › "  # also how a piped line is echoed, so a transcript reads the same
_CLEAR_LINE = "\r\x1b[2K"


class Terminal:
    """Lines written to `out`; with `prompt`, the prompt is shown while a line is awaited, and
    output that arrives meanwhile is printed above it."""

    def __init__(self, out: TextIO, *, prompt: bool) -> None:
        self._out = out
        self._prompt = prompt
        self._prompting = False  # the prompt is the last thing on the screen

    def write(self, text: str) -> None:
        if self._prompting:
            self._out.write(_CLEAR_LINE)
        self._out.write(text + "\n")
        if self._prompting:
            self._out.write(PROMPT)
        self._out.flush()

    async def lines(self, typed: AsyncIterable[str]) -> AsyncIterator[str]:
        """The lines of `typed`, each one asked for with the prompt."""
        iterator = aiter(typed)
        while True:
            if self._prompt:
                self._out.write(PROMPT)
                self._out.flush()
                self._prompting = True
            try:
                line = await anext(iterator)
            except StopAsyncIteration:
                if self._prompting:  # Ctrl-D: the shell's prompt starts on a line of its own
                    self._prompting = False
                    self._out.write("\n")
                    self._out.flush()
                return
            self._prompting = False  # the typed line ended with Enter: a new line
            yield line
