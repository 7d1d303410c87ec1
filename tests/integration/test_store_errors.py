"""A store that cannot serve now answers 503 ServiceUnavailable, never 500, and the server
keeps answering everything else meanwhile.

SQLite: another connection holds the file with BEGIN EXCLUSIVE. In WAL mode reads go on;
writes wait on the writer thread (never on the event loop) for the bounded busy_timeout, then
answer 503; once the lock goes, writes succeed again.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from openswf.testing import LocalServer

BUSY_TIMEOUT_MS = 5_000
ANSWER_WITHIN_S = 2.0  # far above what a read or /healthz takes, far below the lock wait


def post(endpoint: str, operation: str, body: dict[str, Any], timeout: float = 60) -> Any:
    request = urllib.request.Request(
        endpoint + "/",
        data=json.dumps(body).encode(),
        headers={
            "X-Amz-Target": f"SimpleWorkflowService.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read()
            return response.status, json.loads(data) if data else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def healthz(endpoint: str, timeout: float) -> int:
    with urllib.request.urlopen(endpoint + "/healthz", timeout=timeout) as response:
        return int(response.status)


def register(endpoint: str, name: str) -> Any:
    body = {"name": name, "workflowExecutionRetentionPeriodInDays": "1"}
    return post(endpoint, "RegisterDomain", body)


def test_a_locked_sqlite_file_answers_503_for_writes_and_nothing_else_stalls(
    tmp_path: Path,
) -> None:
    path = tmp_path / "locked.db"
    url = f"sqlite:///{path}?busy_timeout={BUSY_TIMEOUT_MS}"
    with LocalServer(url) as server:
        endpoint = server.endpoint
        assert register(endpoint, "before")[0] == 200

        locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            answers: list[Any] = []
            write = threading.Thread(
                target=lambda: answers.append(register(endpoint, "during")), daemon=True
            )
            started = time.monotonic()
            write.start()

            # While the write waits for the lock, the loop serves everything else at once.
            for _ in range(5):
                assert healthz(endpoint, timeout=ANSWER_WITHIN_S) == 200
                status, body = post(
                    endpoint, "DescribeDomain", {"name": "before"}, timeout=ANSWER_WITHIN_S
                )
                assert status == 200, body
            assert write.is_alive(), "the write should still be waiting for the lock"

            write.join(60)
            assert not write.is_alive()
            waited = time.monotonic() - started
            status, body = answers[0]
            assert status == 503, body
            assert body["__type"] == "ServiceUnavailable"
            assert waited >= BUSY_TIMEOUT_MS / 1000 * 0.9  # it did wait, boundedly
        finally:
            with contextlib.suppress(sqlite3.Error):
                locker.execute("ROLLBACK")
            locker.close()

        # The lock is gone: the write goes through, and the refused one left nothing behind.
        assert register(endpoint, "during")[0] == 200
        status, body = post(endpoint, "DescribeDomain", {"name": "during"})
        assert status == 200, body
        assert healthz(endpoint, timeout=ANSWER_WITHIN_S) == 200
