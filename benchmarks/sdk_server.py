"""A fresh ``openswf server`` on SQLite in a subprocess, for the SDK benchmarks.

    with OpenSwfServer() as server:   # server.endpoint, server.pid, server.cpu_seconds()
        ...

Optional ``profile_to``: run the server under cProfile and write its stats there on stop.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import TracebackType


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (Linux), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class OpenSwfServer:
    def __init__(
        self, *, profile_to: str | None = None, poll_timeout: float = 60.0, db_query: str = ""
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="openswf-bench-")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        db = f"sqlite:///{self._tmp.name}/bench.db{db_query}"
        head = [sys.executable]
        if profile_to:
            head += ["-m", "cProfile", "-o", profile_to]
        self.command = head + [
            "-m", "openswf.cli.main", "server", "--host", "127.0.0.1", "--port", str(self.port),
            "--db", db, "--poll-timeout", str(poll_timeout), "--log-level", "warning",
        ]  # fmt: skip
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.pid)

    def __enter__(self) -> OpenSwfServer:
        self.proc = subprocess.Popen(self.command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.endpoint + "/healthz", timeout=1) as answer:
                    if answer.status == 200:
                        return self
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("openswf server exited during start-up")
            time.sleep(0.05)
        raise RuntimeError("openswf server did not come up in 30 s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._tmp.cleanup()
