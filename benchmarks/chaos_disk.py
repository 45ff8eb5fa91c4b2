"""A small disk for the database that the benchmark can fill: a tmpfs, when running as root
and `mount -t tmpfs` works; otherwise a plain folder, and the full-disk phase is skipped."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

_CHUNK = 1 << 20


class SmallDisk:
    """`folder` holds the database; `fill()` takes every free byte, `free()` gives them back."""

    def __init__(self, folder: Path, size_mb: int = 64) -> None:
        self.folder = folder
        self.size_mb = size_mb
        self.mounted = False
        self.skipped = ""  # why the full disk is not played, if it is not
        self._filler = folder / "filler"

    def __enter__(self) -> SmallDisk:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            self.skipped = "not running as root, so no tmpfs to fill"
            return self
        command = ["mount", "-t", "tmpfs", "-o", f"size={self.size_mb}m,mode=0700"]
        done = subprocess.run(
            [*command, "tmpfs", str(self.folder)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            self.skipped = f"mount -t tmpfs failed: {done.stderr.strip() or done.returncode}"
        else:
            self.mounted = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.free()
        if self.mounted:
            subprocess.run(["umount", "-l", str(self.folder)], capture_output=True, check=False)
            self.mounted = False

    def fill(self) -> int:
        """Write zeros until the disk is full; the bytes written."""
        if not self.mounted:
            return 0
        written = 0
        with self._filler.open("ab") as filler:
            for size in (_CHUNK, 4096, 1):
                written += _write_until_full(filler.fileno(), size)
        return written

    def free(self) -> None:
        self._filler.unlink(missing_ok=True)

    def keep_copy(self, name: str, destination: Path) -> None:
        """Copy the database (and its WAL) out before the tmpfs goes, for a look afterwards."""
        for suffix in ("", "-wal", "-shm"):
            found = self.folder / f"{name}{suffix}"
            if found.exists():
                shutil.copy2(found, destination / found.name)


def _write_until_full(descriptor: int, size: int) -> int:
    written, block = 0, b"\0" * size
    while True:
        try:
            written += os.write(descriptor, block)
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                return written
            raise
