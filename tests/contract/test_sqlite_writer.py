"""The SQLite group-commit writer when SQLite itself gives up on a batch."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from openswf.storage.records import StoreUnavailable
from openswf.storage.sqlite.writer import GroupCommitWriter, Job


def test_a_full_disk_fails_the_batch_with_its_real_cause(tmp_path: Path) -> None:
    """SQLITE_FULL in the middle of a batch rolls the whole transaction back: every job of
    the batch fails as unavailable, "database or disk is full"; nothing of the batch is in
    the file, and later batches write again once there is room."""
    path = tmp_path / "writer.db"

    def connect() -> sqlite3.Connection:
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
        conn.execute("PRAGMA max_page_count = 20")  # a disk of 20 pages
        return conn

    def insert(key: int, size: int) -> Job:
        return lambda conn: conn.execute("INSERT INTO t VALUES (?, ?)", (key, b"x" * size)) and key

    def small(key: int) -> Job:
        return insert(key, 100)

    def huge(key: int) -> Job:
        return insert(key, 500_000)

    async def main() -> tuple[list[object], list[object]]:
        writer = GroupCommitWriter(connect)
        writer.start()
        running, release = threading.Event(), threading.Event()

        def hold(conn: sqlite3.Connection) -> None:
            running.set()
            release.wait(30)

        try:
            held = asyncio.ensure_future(writer.run(hold))
            await asyncio.to_thread(running.wait, 30)
            # While the writer is busy, the three queue up: they are its next batch.
            jobs = [asyncio.ensure_future(writer.run(job)) for job in (small(1), huge(2), small(3))]
            await asyncio.sleep(0)
            release.set()
            await held
            full = await asyncio.gather(*jobs, return_exceptions=True)
            later = await asyncio.gather(writer.run(small(4)), return_exceptions=True)
        finally:
            writer.stop()
        return full, later

    full, later = asyncio.run(main())
    # Not the client's fault: answered as unavailable (503), with the cause in its message.
    assert all(isinstance(outcome, StoreUnavailable) for outcome in full), full
    messages = {str(outcome) for outcome in full}
    assert messages == {"SQLite: database or disk is full"}, messages
    assert later == [4]
    with sqlite3.connect(path) as conn:
        keys = [row[0] for row in conn.execute("SELECT k FROM t ORDER BY k")]
    assert keys == [4]
