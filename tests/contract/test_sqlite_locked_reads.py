"""SQLite reads on the event loop never wait for a lock: a locked read is retried off the
loop, for a bounded time, then fails as StoreUnavailable (answered 503).

In WAL mode nothing an ordinary client does blocks readers (tests/integration/
test_store_errors.py shows reads going on under BEGIN EXCLUSIVE). So here the store's reader
is pointed at a second, rollback-journal file held with BEGIN EXCLUSIVE, which locks readers
out as an exclusive-mode process or a crash recovery would on the real file.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from openswf.storage.records import StoreUnavailable
from openswf.storage.sqlite import store as sqlite_store
from openswf.storage.sqlite.store import SqliteStore

QUERY = "SELECT value FROM meta WHERE key = 'token_secret'"


@pytest.fixture
def locked_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "locked.db"
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as setup:
        setup.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        setup.execute("INSERT INTO meta VALUES ('token_secret', 'from the locked file')")
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    yield path
    locker.execute("ROLLBACK")
    locker.close()


async def _open_with_reader_on(path: Path, folder: Path) -> SqliteStore:
    store = SqliteStore(str(folder / "real.db"))
    await store.open()
    await store.get_or_create_secret("the real secret")
    assert store._reader is not None
    store._reader.close()
    store._reader = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    store._reader.execute("PRAGMA busy_timeout = 0")
    return store


def test_a_locked_read_is_read_again_off_the_loop(tmp_path: Path, locked_file: Path) -> None:
    async def main() -> list[object]:
        store = await _open_with_reader_on(locked_file, tmp_path)
        try:
            return await store._read(QUERY)
        finally:
            await store.close()

    # The loop's reader met the lock and did not wait; the worker thread read the real file.
    assert asyncio.run(main()) == [("the real secret",)]


def test_a_read_that_stays_locked_fails_as_unavailable_without_stalling_the_loop(
    tmp_path: Path, locked_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_store, "READ_WAIT_MS", 1000)

    async def main() -> int:
        store = await _open_with_reader_on(locked_file, tmp_path)
        real_path = store.path
        store.path = str(locked_file)  # the off-loop retry meets the lock too
        try:
            read = asyncio.ensure_future(store._read(QUERY))
            ticks = 0
            while not read.done():  # the loop keeps running other work meanwhile
                await asyncio.sleep(0.01)
                ticks += 1
            with pytest.raises(StoreUnavailable, match="locked"):
                read.result()
            return ticks
        finally:
            store.path = real_path
            await store.close()

    # A read that waited on the loop would hold it for the whole wait: one tick at most.
    assert asyncio.run(main()) >= 3
