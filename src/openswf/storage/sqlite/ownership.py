"""One server process per SQLite file.

The SQLite store keeps state in memory that only holds while no one else writes the file:
task lists matched in memory, timers armed from what this process committed. A second server
on the same file would hand out tasks twice and miss wakeups. So the store takes an exclusive
``flock`` on a side file (``<db>.lock``) when it opens and keeps it until it closes; a second
process fails at start with a message naming the holder. The lock goes with the process, even
on SIGKILL: the kernel releases it, so a crash never leaves a stale lock behind.

A side file rather than the database itself: SQLite's own POSIX locks on the database are
dropped by the kernel when any descriptor of that file in the process is closed.
"""

from __future__ import annotations

import errno
import fcntl
import os


class DatabaseInUse(RuntimeError):
    """Another process (an openswf server) has this SQLite file open."""


class FileOwnership:
    def __init__(self, db_path: str) -> None:
        self.db_path = db_path
        self.lock_path = db_path + ".lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            holder = _read_holder(fd)
            os.close(fd)
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise DatabaseInUse(
                f"the SQLite database {os.path.abspath(self.db_path)} is in use by another "
                f"openswf server ({holder}; lock file {os.path.abspath(self.lock_path)}). "
                "SQLite serves one server process; "
                "stop the other one, or use PostgreSQL to run several servers"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the flock
            self._fd = None


def _read_holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode(errors="replace").strip()
    except OSError:
        pid = ""
    return f"process {pid}" if pid.isdigit() else "another process"
