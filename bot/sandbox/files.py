"""Files the bot sends in the sandbox (`/export`), saved where the person can open them.

Saved under the folder `--downloads` names (the current one by default), never over a file
that is already there: `name.json`, then `name-2.json`, … The name is the file's own, less
any folder in it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path, PurePath

__all__ = ["free_path", "save_file", "shown_path"]


def free_path(folder: Path, name: str | None, exists: Callable[[Path], bool]) -> Path:
    """Where a file called `name` goes in `folder`: the first of `name`, `name-2`, … not taken."""
    safe = PurePath(name or "").name.strip().lstrip(".") or "file"
    stem, suffix = PurePath(safe).stem, PurePath(safe).suffix
    path, number = folder / safe, 1
    while exists(path):
        number += 1
        path = folder / f"{stem}-{number}{suffix}"
    return path


def shown_path(path: Path, here: Path) -> str:
    """`path` as printed: relative to the current folder `here` when inside it (short enough
    for a line of the chat), absolute otherwise."""
    try:
        return f"./{path.relative_to(here).as_posix()}"
    except ValueError:
        return str(path)


def save_file(folder: Path, name: str | None, content: bytes) -> Path:
    """Write `content` to a free path in `folder` (made if missing); return the path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = free_path(folder.resolve(), name, Path.exists)
    with path.open("xb") as file:  # never over a file that appeared meanwhile
        file.write(content)
    return path
