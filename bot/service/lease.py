"""Who this process is, for the delivery lease: a readable holder id, and a process identity
that another process on the same host can check to see that the holder has died.

The identity is the boot, the PID namespace, the PID and the process's start time, read from
/proc. A process started on the same host and namespace after the holder died (a crash, a
`kill -9`, then systemd's restart) sees that the PID is gone or belongs to a younger process,
and takes the lease at once instead of waiting for it to lapse. Anywhere else (another host,
another container, no /proc) the answer is "cannot tell", and the lease lapses as before.
"""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

_PROC = Path("/proc")


def holder_id() -> str:
    """Who holds the lease, as an operator reading the table would want to know."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def process_identity(pid: int | None = None, proc: Path = _PROC) -> str | None:
    """`boot/pid-namespace/pid/start-time` of a process (this one by default), or None."""
    pid = os.getpid() if pid is None else pid
    started = _start_time(pid, proc)
    space = _namespace(proc)
    boot = _read(proc / "sys/kernel/random/boot_id")
    if started is None or space is None or boot is None:
        return None
    return f"{boot}/{space}/{pid}/{started}"


def process_alive(identity: str | None, proc: Path = _PROC) -> bool | None:
    """Is the process with this identity still running? None: it is not ours to judge."""
    mine = process_identity(proc=proc)
    if identity is None or mine is None:
        return None
    boot, space, pid, started = identity.rsplit("/", 3)
    my_boot, my_space, _, _ = mine.rsplit("/", 3)
    if (boot, space) != (my_boot, my_space) or not pid.isdigit():
        return None
    return _start_time(int(pid), proc) == started


def _start_time(pid: int, proc: Path) -> str | None:
    """Field 22 of /proc/PID/stat: when the process started, in clock ticks after boot
    (None for a process that is gone, or dead and not yet reaped: a zombie)."""
    stat = _read(proc / str(pid) / "stat")
    if stat is None:
        return None
    fields = stat.rpartition(")")[2].split()  # the command name may hold spaces
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]


def _namespace(proc: Path) -> str | None:
    try:
        return os.readlink(proc / "self/ns/pid")
    except OSError:
        return None


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None
