"""Child processes of the chaos benchmark: each dies with the benchmark, however it ends.

The bots and the emulator are started with the kernel's parent-death signal set to SIGKILL, so
even a benchmark killed by its time limit (SIGKILL, no `finally`) leaves no process behind.
"""

from __future__ import annotations

import asyncio
import ctypes
import signal
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGKILL when the parent (this benchmark) dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def die_with_parent() -> Callable[[], None] | None:
    """A `preexec_fn` that ties a child's life to ours, where the kernel offers it (Linux)."""
    try:
        ctypes.CDLL(None).prctl  # noqa: B018  (only asks whether it exists)
    except (OSError, AttributeError):
        return None
    return _die_with_parent


async def spawn(*arguments: str, **options: Any) -> asyncio.subprocess.Process:
    """`asyncio.create_subprocess_exec`, the child tied to this process's life."""
    return await asyncio.create_subprocess_exec(*arguments, preexec_fn=die_with_parent(), **options)
