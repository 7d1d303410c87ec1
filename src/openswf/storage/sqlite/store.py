"""The SQLite store: WAL, one writer thread with group commit, one reader connection.

Reads run directly on the event loop's thread: in WAL mode they never wait for the writer,
and they are small indexed look-ups, cheaper than a hop to a thread pool. That reader never
waits for a lock (busy_timeout 0): on the loop thread a wait would stall every request. A
read that finds the file locked (another process holds it, a recovery runs) is retried once
on a worker thread that waits up to READ_WAIT_MS, and then fails as ``StoreUnavailable``.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from openswf.storage.records import (
    MESSAGE_PREFIX,
    DomainRecord,
    DuplicateKey,
    DuplicateOpenExecution,
    ExecutionCommit,
    ExecutionQuery,
    ExecutionRow,
    TaskRow,
    TimerRow,
    TypeRecord,
    VersionConflict,
)
from openswf.storage.rows import domain_record, execution_row, type_record
from openswf.storage.sqlite import errors, sqlfiles
from openswf.storage.sqlite.ownership import FileOwnership
from openswf.storage.sqlite.visibility import count_sql, list_sql
from openswf.storage.sqlite.writer import GroupCommitWriter

Q = sqlfiles.named_queries("queries.sql")
SYNCHRONOUS = {"off", "normal", "full", "extra"}
# The writer thread waits this long for a lock held by others (URL option ?busy_timeout=MS),
# then the write fails as StoreUnavailable (503).
WRITE_WAIT_MS = 10_000
READ_WAIT_MS = 2_000  # a read that met a lock waits this long, off the loop


class SqliteStore:
    shared = False

    def __init__(
        self, path: str, *, synchronous: str = "full", busy_timeout_ms: int = WRITE_WAIT_MS
    ) -> None:
        if synchronous.lower() not in SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {sorted(SYNCHRONOUS)}")
        if path == ":memory:" or "mode=memory" in path:
            # Every connection to ":memory:" opens a database of its own: the readers would
            # never see what the writer wrote. Shared-cache memory databases lock whole
            # tables, so a read would fail whenever a write is in flight.
            raise ValueError(
                "an in-memory SQLite database is not supported: the server's writer and "
                "readers use separate connections, which cannot share one; use a file "
                "(a temporary folder, or /dev/shm for a RAM-backed one)"
            )
        self.path = path
        self._ownership = FileOwnership(path)
        self.synchronous = synchronous.lower()
        if busy_timeout_ms < 0:
            raise ValueError("busy_timeout must be a number of milliseconds >= 0")
        self.busy_timeout_ms = busy_timeout_ms
        self._writer = GroupCommitWriter(self._connect_writer)
        self._reader: sqlite3.Connection | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def _connect(self, busy_timeout_ms: int | None = None) -> sqlite3.Connection:
        if busy_timeout_ms is None:
            busy_timeout_ms = self.busy_timeout_ms
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        conn.execute("PRAGMA foreign_keys = OFF")
        return conn

    def _connect_writer(self) -> sqlite3.Connection:
        conn = self._connect()
        conn.execute("PRAGMA journal_mode = WAL")
        migrate(conn)
        return conn

    def observe_batches(self, callback: Callable[[int, float], None]) -> None:
        """Have ``callback(transactions, seconds)`` called after each group commit."""
        self._writer.on_batch = callback

    async def open(self) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._ownership.acquire()  # before anything touches the file
        try:
            self._writer.start()
            self._reader = self._connect(busy_timeout_ms=0)
        except BaseException:
            self._ownership.release()
            raise

    async def close(self) -> None:
        self._writer.stop()
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        self._ownership.release()

    def subscribe(self, on_tasks: Callable[[int, str, str], None]) -> None:
        """No other process writes this database: every task is offered in memory."""

    def has_peers(self) -> bool:
        return False  # one process owns the file

    def notify_tasks(self, domain_id: int, kind: str, task_list: str) -> None:
        """No other process polls this database."""

    async def _read(self, query: str, *params: Any) -> list[Any]:
        assert self._reader is not None, "store is not open"
        try:
            return self._reader.execute(query, params).fetchall()
        except sqlite3.DatabaseError as error:
            if errors.primary_code(error) not in errors.BUSY:
                raise errors.translate(error) from error
        # Locked: wait off the loop, on a connection of its own.
        return await asyncio.to_thread(self._read_waiting, query, params)

    def _read_waiting(self, query: str, params: tuple[Any, ...]) -> list[Any]:
        try:
            conn = self._connect(busy_timeout_ms=READ_WAIT_MS)
            try:
                return conn.execute(query, params).fetchall()
            finally:
                conn.close()
        except sqlite3.DatabaseError as error:
            raise errors.translate(error) from error

    async def _scalar(self, query: str, *params: Any) -> Any:
        rows = await self._read(query, *params)
        return rows[0][0] if rows else None

    # --- server metadata ------------------------------------------------------------------

    async def get_or_create_secret(self, candidate: str) -> str:
        def job(conn: sqlite3.Connection) -> str:
            conn.execute(Q["put_meta"], ("token_secret", candidate))
            return str(conn.execute(Q["get_meta"], ("token_secret",)).fetchone()[0])

        return str(await self._writer.run(job))

    # --- domains --------------------------------------------------------------------------

    async def insert_domain(
        self,
        *,
        region: str,
        name: str,
        description: str | None,
        retention_days: str,
        created_ms: int,
        tags: list[tuple[str, str]],
    ) -> DomainRecord:
        def job(conn: sqlite3.Connection) -> int:
            try:
                cursor = conn.execute(
                    Q["insert_domain"], (region, name, description, retention_days, created_ms)
                )
            except sqlite3.IntegrityError as error:
                raise DuplicateKey(name) from error
            domain_id = cursor.lastrowid
            for key, value in tags:
                conn.execute(Q["insert_domain_tag"], (domain_id, key, value))
            return int(domain_id or 0)

        domain_id = await self._writer.run(job)
        return DomainRecord(
            id=domain_id,
            region=region,
            name=name,
            status="REGISTERED",
            description=description,
            retention_days=retention_days,
            created_ms=created_ms,
        )

    async def get_domain(self, region: str, name: str) -> DomainRecord | None:
        rows = await self._read(Q["get_domain"], region, name)
        return domain_record(rows[0]) if rows else None

    async def get_domain_by_id(self, domain_id: int) -> DomainRecord | None:
        rows = await self._read(Q["get_domain_by_id"], domain_id)
        return domain_record(rows[0]) if rows else None

    async def list_domains(
        self, region: str, status: str, *, after: str | None, limit: int, reverse: bool
    ) -> list[DomainRecord]:
        if reverse:
            bound = after if after is not None else "\U0010ffff" * 2
            rows = await self._read(Q["list_domains_reverse"], region, status, bound, limit)
        else:
            rows = await self._read(Q["list_domains"], region, status, after or "", limit)
        return [domain_record(row) for row in rows]

    async def count_domains(self, region: str) -> int:
        return int(await self._scalar(Q["count_domains"], region))

    async def set_domain_status(self, domain_id: int, status: str, now_ms: int) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.execute(Q["set_domain_status"], (status, domain_id))
            if status == "DEPRECATED":
                conn.execute(Q["deprecate_domain_types"], (now_ms, domain_id))

        await self._writer.run(job)

    async def list_domain_tags(self, domain_id: int) -> list[tuple[str, str]]:
        return [(row[0], row[1]) for row in await self._read(Q["list_domain_tags"], domain_id)]

    async def tag_domain(self, domain_id: int, tags: list[tuple[str, str]], limit: int) -> bool:
        def job(conn: sqlite3.Connection) -> bool:
            existing = {row[0] for row in conn.execute(Q["list_domain_tags"], (domain_id,))}
            if len(existing | {key for key, _ in tags}) > limit:
                return False
            for key, value in tags:
                conn.execute(Q["insert_domain_tag"], (domain_id, key, value))
            return True

        return bool(await self._writer.run(job))

    async def untag_domain(self, domain_id: int, keys: list[str]) -> None:
        def job(conn: sqlite3.Connection) -> None:
            conn.executemany(Q["delete_domain_tag"], [(domain_id, key) for key in keys])

        await self._writer.run(job)

    # --- types ----------------------------------------------------------------------------

    async def insert_type(self, record: TypeRecord) -> None:
        params = (
            record.domain_id,
            record.kind,
            record.name,
            record.version,
            record.status,
            record.description,
            orjson.dumps(record.configuration).decode(),
            record.created_ms,
            record.deprecated_ms,
        )

        def job(conn: sqlite3.Connection) -> None:
            try:
                conn.execute(Q["insert_type"], params)
            except sqlite3.IntegrityError as error:
                raise DuplicateKey(record.name) from error

        await self._writer.run(job)

    async def get_type(
        self, domain_id: int, kind: str, name: str, version: str
    ) -> TypeRecord | None:
        rows = await self._read(Q["get_type"], domain_id, kind, name, version)
        return type_record(rows[0]) if rows else None

    async def get_types(
        self, domain_id: int, kind: str, keys: list[tuple[str, str]]
    ) -> list[TypeRecord]:
        found = []
        for name, version in keys:
            rows = await self._read(Q["get_type"], domain_id, kind, name, version)
            if rows:
                found.append(type_record(rows[0]))
        return found

    async def list_types(
        self,
        domain_id: int,
        kind: str,
        status: str,
        *,
        name: str | None,
        after: tuple[str, str] | None,
        limit: int,
        reverse: bool,
    ) -> list[TypeRecord]:
        if reverse:
            bound = after or ("\U0010ffff" * 2, "")
            query = Q["list_types_reverse"]
        else:
            bound = after or ("", "")
            query = Q["list_types"]
        rows = await self._read(query, domain_id, kind, status, name, bound[0], bound[1], limit)
        return [type_record(row) for row in rows]

    async def count_types(self, domain_id: int, kind: str) -> int:
        return int(await self._scalar(Q["count_types"], domain_id, kind))

    async def set_type_status(
        self,
        domain_id: int,
        kind: str,
        name: str,
        version: str,
        status: str,
        deprecated_ms: int | None,
    ) -> None:
        params = (status, deprecated_ms, domain_id, kind, name, version)
        await self._writer.run(lambda conn: conn.execute(Q["set_type_status"], params) and None)

    async def delete_type(self, domain_id: int, kind: str, name: str, version: str) -> None:
        params = (domain_id, kind, name, version)
        await self._writer.run(lambda conn: conn.execute(Q["delete_type"], params) and None)

    # --- executions -----------------------------------------------------------------------

    async def commit(self, commit: ExecutionCommit) -> list[TaskRow]:
        return list(await self._writer.run(lambda conn: _apply_commit(conn, commit)))

    async def get_execution(self, run_id: str, *, cached: bool = False) -> ExecutionRow | None:
        rows = await self._read(Q["get_execution"], run_id)
        return execution_row(rows[0]) if rows else None

    async def find_execution(
        self, domain_id: int, workflow_id: str, run_id: str | None
    ) -> ExecutionRow | None:
        if run_id:
            found = await self._scalar(Q["find_execution"], domain_id, workflow_id, run_id)
        else:
            found = await self._scalar(Q["find_open_execution"], domain_id, workflow_id)
        return None if found is None else await self.get_execution(found)

    async def count_open_executions(self, domain_id: int) -> int:
        return int(await self._scalar(Q["count_open_executions"], domain_id))

    async def read_events(
        self, run_id: str, *, after: int, before: int, limit: int, reverse: bool
    ) -> list[tuple[int, bytes]]:
        query = Q["read_events_reverse"] if reverse else Q["read_events"]
        return [(row[0], row[1]) for row in await self._read(query, run_id, after, before, limit)]

    # --- task lists -----------------------------------------------------------------------

    async def backlog(self, domain_id: int, kind: str, task_list: str, limit: int) -> list[TaskRow]:
        rows = await self._read(Q["backlog"], domain_id, kind, task_list, limit)
        return [
            TaskRow(
                seq=r[0],
                domain_id=r[1],
                kind=r[2],
                task_list=r[3],
                priority=r[4],
                run_id=r[5],
                scheduled_event_id=r[6],
                payload=r[7],
            )
            for r in rows
        ]

    async def count_tasks(self, domain_id: int, kind: str, task_list: str) -> int:
        return int(await self._scalar(Q["count_tasks"], domain_id, kind, task_list))

    async def task_counts(self) -> list[tuple[str, str, str, int]]:
        return [(r[0], r[1], r[2], int(r[3])) for r in await self._read(Q["task_counts"])]

    async def delete_task(self, run_id: str, kind: str, scheduled_event_id: int) -> None:
        params = (run_id, kind, scheduled_event_id)
        await self._writer.run(lambda conn: conn.execute(Q["delete_task"], params) and None)

    async def release_tasks(self, rows: list[TaskRow]) -> None:
        """One process owns the file: nothing is leased."""

    # --- timers ---------------------------------------------------------------------------

    async def due_timers(self, now_ms: int, limit: int) -> list[TimerRow]:
        rows = await self._read(Q["due_timers"], now_ms, limit)
        return [TimerRow(run_id=r[0], key=r[1], due_ms=r[2]) for r in rows]

    async def next_timer_due(self) -> int | None:
        value = await self._scalar(Q["next_timer_due"])
        return None if value is None else int(value)

    async def delete_timer(self, run_id: str, key: str, due_ms: int) -> None:
        params = (run_id, key, due_ms)
        await self._writer.run(lambda conn: conn.execute(Q["delete_timer_if_due"], params) and None)

    async def release_timer(self, row: TimerRow, retry_ms: int) -> None:
        """Rows are not leased here: a row whose handling failed is still due."""

    # --- visibility -----------------------------------------------------------------------

    async def list_executions(
        self, query: ExecutionQuery, *, after: tuple[int, str] | None, limit: int, reverse: bool
    ) -> list[ExecutionRow]:
        sql, params = list_sql(query, after=after, limit=limit, reverse=reverse)
        return [execution_row(row) for row in await self._read(sql, *params)]

    async def count_executions(self, query: ExecutionQuery) -> int:
        sql, params = count_sql(query)
        return int(await self._scalar(sql, *params))

    # --- retention ------------------------------------------------------------------------

    async def domain_retentions(self) -> list[tuple[int, str]]:
        return [(row[0], row[1]) for row in await self._read(Q["domain_retentions"])]

    async def expired_runs(self, domain_id: int, closed_before_ms: int, limit: int) -> list[str]:
        rows = await self._read(Q["expired_runs"], domain_id, closed_before_ms, limit)
        return [row[0] for row in rows]

    async def purge_runs(self, run_ids: list[str]) -> int:
        def job(conn: sqlite3.Connection) -> int:
            purged = 0
            for run_id in run_ids:
                # The guard on is_open makes a purge of a run that is not closed a no-op.
                if conn.execute(Q["purge_execution"], (run_id,)).rowcount != 1:
                    continue
                conn.execute(Q["purge_run_events"], (run_id,))
                conn.execute(Q["delete_run_tasks"], (run_id,))
                conn.execute(Q["delete_run_timers"], (run_id,))
                purged += 1
            return purged

        return int(await self._writer.run(job)) if run_ids else 0


def migrate(conn: sqlite3.Connection) -> None:
    """Create the schema on a new database, or run the migrations it has not seen yet."""
    current = conn.execute("PRAGMA user_version").fetchone()[0]
    steps = sqlfiles.migrations()
    latest = steps[-1][0]
    if current == 0 and not conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
        conn.executescript(
            "BEGIN;" + sqlfiles.read("schema.sql") + f";PRAGMA user_version = {latest};COMMIT;"
        )
        return
    for version, sql in steps:
        if version > current:
            conn.executescript(f"BEGIN;{sql};PRAGMA user_version = {version};COMMIT;")


def _apply_commit(conn: sqlite3.Connection, commit: ExecutionCommit) -> list[TaskRow]:
    row = commit.row
    if commit.expected_version == 0:
        try:
            conn.execute(
                Q["insert_execution"],
                (
                    row.run_id,
                    row.domain_id,
                    row.workflow_id,
                    row.type_name,
                    row.type_version,
                    row.start_ms,
                    row.close_ms,
                    row.close_status,
                    int(row.is_open),
                    int(row.cancel_requested),
                    row.parent_workflow_id,
                    row.parent_run_id,
                    orjson.dumps(row.tags).decode(),
                    row.version,
                    row.state,
                ),
            )
        except sqlite3.IntegrityError as error:
            raise DuplicateOpenExecution(row.workflow_id) from error
        # Tags are set only at start (reference §6.16), so their rows are written here, and
        # moved to the closed indexes when the run closes.
        conn.executemany(
            Q["insert_execution_tag"],
            [
                (row.run_id, tag, row.domain_id, int(row.is_open), row.start_ms, row.close_ms)
                for tag in row.tags
            ],
        )
    elif row.is_open:
        cursor = conn.execute(
            Q["update_execution_state"],
            (
                int(row.cancel_requested),
                row.version,
                row.state,
                row.run_id,
                commit.expected_version,
            ),
        )
        if cursor.rowcount != 1:
            raise VersionConflict(row.run_id)
    else:
        cursor = conn.execute(
            Q["update_execution"],
            (
                row.close_ms,
                row.close_status,
                int(row.is_open),
                int(row.cancel_requested),
                row.version,
                row.state,
                row.run_id,
                commit.expected_version,
            ),
        )
        if cursor.rowcount != 1:
            raise VersionConflict(row.run_id)
        if row.tags:
            conn.execute(Q["close_execution_tags"], (row.close_ms, row.run_id))
    conn.executemany(Q["insert_event"], [(row.run_id, eid, body) for eid, body in commit.events])
    for kind, scheduled in commit.done_tasks:
        conn.execute(Q["delete_task"], (row.run_id, kind, scheduled))
    for key in commit.cleared_timers:
        conn.execute(Q["delete_timer"], (row.run_id, key))
    if commit.closed:
        conn.execute(Q["delete_run_tasks"], (row.run_id,))
        conn.execute(Q["delete_run_timers"], (row.run_id,))
        for key, due_ms in commit.timers:
            if key.startswith(MESSAGE_PREFIX):
                conn.execute(Q["upsert_timer"], (row.run_id, key, due_ms))
        if commit.successor is not None:
            return _apply_commit(conn, commit.successor)
        return []
    for key, due_ms in commit.timers:
        conn.execute(Q["upsert_timer"], (row.run_id, key, due_ms))
    created = []
    for task in commit.new_tasks:
        cursor = conn.execute(
            Q["insert_task"],
            (
                row.domain_id,
                task.kind,
                task.task_list,
                task.priority,
                row.run_id,
                task.scheduled_event_id,
                task.payload,
            ),
        )
        created.append(
            TaskRow(
                seq=int(cursor.lastrowid or 0),
                domain_id=row.domain_id,
                kind=task.kind,
                task_list=task.task_list,
                priority=task.priority,
                run_id=row.run_id,
                scheduled_event_id=task.scheduled_event_id,
                payload=task.payload,
            )
        )
    return created
