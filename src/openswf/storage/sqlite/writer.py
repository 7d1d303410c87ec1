"""Group commit: one writer thread batches concurrent transactions into one SQLite commit.

Each request's work is a function of the writer connection. The thread takes every job that
is waiting, runs each inside its own SAVEPOINT (a failing job rolls back alone), and commits
the batch once, so a burst of N requests costs one fsync instead of N. Callers await a future
that resolves only after the COMMIT, so nothing is visible to them before it is durable.
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from openswf.storage.sqlite import errors

Job = Callable[[sqlite3.Connection], Any]

_STOP = object()
MAX_BATCH = 256


class GroupCommitWriter:
    def __init__(self, connect: Callable[[], sqlite3.Connection]) -> None:
        self._connect = connect
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="openswf-sqlite-writer", daemon=True)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        # Called on the writer thread after each batch: (transactions, seconds). For metrics.
        self.on_batch: Callable[[int, float], None] | None = None

    def start(self) -> None:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error

    def stop(self) -> None:
        """Finish every job already submitted, then close the connection."""
        self._jobs.put(_STOP)
        self._thread.join()

    async def run(self, job: Job) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.put((job, loop, future))
        return await future

    def _run(self) -> None:
        try:
            conn = self._connect()
        except BaseException as error:  # reported to start()
            self._error = error
            self._ready.set()
            return
        self._ready.set()
        stopping = False
        while not stopping:
            batch = [self._jobs.get()]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            if _STOP in batch:
                stopping = True
                batch = [item for item in batch if item is not _STOP]
            if batch:
                self._commit(conn, batch)
        conn.close()

    def _commit(self, conn: sqlite3.Connection, batch: list[Any]) -> None:
        outcomes: list[tuple[bool, Any]] = []
        began = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE")
            for job, _loop, _future in batch:
                conn.execute("SAVEPOINT job")
                try:
                    outcomes.append((True, job(conn)))
                    conn.execute("RELEASE job")
                except Exception as error:  # the job's own failure, answered to its caller
                    if not conn.in_transaction:
                        # SQLite rolled the whole transaction back by itself (a full disk,
                        # an I/O error): the batch is lost, and this is why.
                        raise _BatchLost(error) from error
                    conn.execute("ROLLBACK TO job")
                    conn.execute("RELEASE job")
                    outcomes.append((False, error))
            conn.execute("COMMIT")
        except Exception as error:  # the commit itself failed: every job in the batch fails
            if conn.in_transaction:
                try:
                    conn.execute("ROLLBACK")
                except sqlite3.Error:  # the thread must live on to serve the next batch
                    pass
            cause = error.cause if isinstance(error, _BatchLost) else error
            outcomes = [(False, cause)] * len(batch)
        if self.on_batch is not None:
            self.on_batch(len(batch), time.perf_counter() - began)
        for (ok, value), (_job, loop, future) in zip(outcomes, batch, strict=True):
            # A locked file or a failing disk is answered as unavailable, not as a bug.
            loop.call_soon_threadsafe(_settle, future, ok, value if ok else errors.translate(value))


class _BatchLost(Exception):
    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
