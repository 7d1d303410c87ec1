"""One `openswf server` per SQLite file: a second process on the same file is refused at
start with a clear message; the lock dies with its holder, even on SIGKILL. And an in-memory
SQLite database is refused clearly, by the command and by LocalServer."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest

from openswf.storage.urls import UnsupportedDatabase
from openswf.testing import LocalServer, free_port
from tests.e2e.test_server_process import (
    HOST,
    OPENSWF,
    Spawn,
    client,
    spawn,  # noqa: F401  (the fixture)
    sqlite_url,
)

EXIT_WITHIN_S = 30


def test_a_second_server_on_the_same_sqlite_file_is_refused(
    spawn: Spawn,  # noqa: F811
    tmp_path: Path,
) -> None:
    db = sqlite_url(tmp_path / "shared.db")
    first = spawn(db=db)
    client(first.endpoint).register_domain(name="d", workflowExecutionRetentionPeriodInDays="1")

    second = spawn(db=db, wait=False)
    status = second.proc.wait(timeout=EXIT_WITHIN_S)
    logs = second.logs()
    assert status != 0, logs
    assert "in use by another openswf server" in logs, logs
    assert f"process {first.proc.pid}" in logs, logs
    assert "Traceback" not in logs, logs

    # The first one never noticed.
    swf = client(first.endpoint)
    assert swf.describe_domain(name="d")["domainInfo"]["status"] == "REGISTERED"

    # A killed holder leaves no stale lock: the kernel drops it with the process.
    first.stop(signal.SIGKILL)
    third = spawn(db=db)
    assert client(third.endpoint).describe_domain(name="d")["domainInfo"]["name"] == "d"


def test_the_server_command_refuses_an_in_memory_database(tmp_path: Path) -> None:
    if not OPENSWF.exists():
        pytest.skip(f"the openswf command is not installed next to {OPENSWF.parent}")
    done = subprocess.run(
        [
            str(OPENSWF),
            "server",
            "--host",
            HOST,
            "--port",
            str(free_port()),
            "--db",
            "sqlite:///:memory:",
        ],
        capture_output=True,
        text=True,
        timeout=EXIT_WITHIN_S,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert "in-memory SQLite database is not supported" in done.stderr
    assert "Traceback" not in done.stderr


def test_local_server_refuses_an_in_memory_database() -> None:
    with pytest.raises(UnsupportedDatabase, match="in-memory SQLite database is not supported"):
        LocalServer("sqlite:///:memory:")
