"""The PostgreSQL store: any number of openswf servers over one database.

Every server is stateless; the database is the only shared state. Commits are guarded by the
run's version (``commit.py``). Tasks read for a server's polls and due timers are taken with
a lease under ``FOR UPDATE SKIP LOCKED``, so one server handles each. Tasks that no local
poll took are announced with NOTIFY, and the other servers' listener (``listener.py``) wakes
their waiting polls. Reads go straight to the pool.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from typing import Any

import orjson
from psycopg import errors as pg_errors

from openswf.storage.postgres import commit as commit_sql
from openswf.storage.postgres.config import PostgresConfig
from openswf.storage.postgres.database import Attempt, Conn, Database
from openswf.storage.postgres.listener import TaskListener, payload
from openswf.storage.postgres.rowcache import RowCache
from openswf.storage.postgres.text import unmatchable
from openswf.storage.postgres.visibility import count_sql, list_sql
from openswf.storage.records import (
    DomainRecord,
    DuplicateKey,
    ExecutionCommit,
    ExecutionQuery,
    ExecutionRow,
    StoreUnavailable,
    TaskRow,
    TimerRow,
    TypeRecord,
)
from openswf.storage.rows import domain_record, execution_row, type_record

Q = commit_sql.Q
log = logging.getLogger("openswf.postgres")


class PostgresStore:
    shared = True

    def __init__(self, config: PostgresConfig) -> None:
        self.config = config
        self.db = Database(config)
        # Names this process in its NOTIFYs, so its listener skips what it sent itself.
        self.node = uuid.uuid4().hex[:12]
        self._listener: TaskListener | None = None
        self._notes: set[tuple[int, str, str]] = set()
        self._rows = RowCache()  # the rows this server committed, while it is alone
        self._notifier: asyncio.Task[None] | None = None

    # --- lifecycle ------------------------------------------------------------------------

    async def open(self) -> None:
        await self.db.open()

    async def close(self) -> None:
        if self._notifier is not None:
            await asyncio.gather(self._notifier, return_exceptions=True)
        if self._listener is not None:
            await self._listener.stop()
            self._listener = None
        await self.db.close()

    def notify_tasks(self, domain_id: int, kind: str, task_list: str) -> None:
        """Queue a NOTIFY for the other servers; what piles up meanwhile goes in one
        statement. It goes out after the commit that made the tasks, so a listener that
        hears it finds them."""
        if not self.config.notify:
            return
        self._notes.add((domain_id, kind, task_list))
        if self._notifier is None or self._notifier.done():
            self._notifier = asyncio.create_task(self._send_notes(), name="openswf-pg-notify")

    async def _send_notes(self) -> None:
        while self._notes:
            notes = sorted(self._notes)
            self._notes.clear()
            texts = [payload(self.node, *note) for note in notes]
            try:
                await self.db.scalar(Q["notify_tasks"], (texts,))
            except Exception as error:  # a lost hint: the other servers' polls re-check
                log.warning("task notification not sent: %s", error)

    def has_peers(self) -> bool:
        """Whether other servers use this database now (their listeners show in
        pg_stat_activity). Without a listener (notify=off, or not subscribed) nobody can
        tell, and the answer is yes: the coordinated way is always correct."""
        return self._listener is None or self._listener.peers

    def subscribe(self, on_tasks: Callable[[int, str, str], None]) -> None:
        """Call ``on_tasks(domain_id, kind, task_list)`` when another server commits tasks."""
        if not self.config.notify or self._listener is not None:
            return
        self._listener = TaskListener(self.config.conninfo, self.node, on_tasks)
        self._listener.start()

    async def _fetch(self, query: str, *params: Any) -> list[Any]:
        return await self.db.fetch(query, params)

    async def _scalar(self, query: str, *params: Any) -> Any:
        return await self.db.scalar(query, params)

    async def _execute(self, query: str, *params: Any) -> None:
        await self.db.write(query, params)

    # --- server metadata ------------------------------------------------------------------

    async def get_or_create_secret(self, candidate: str) -> str:
        async def work(conn: Conn) -> str:
            await conn.execute(Q["put_meta"], ("token_secret", candidate))
            cursor = await conn.execute(Q["get_meta"], ("token_secret",))
            found = await cursor.fetchone()
            assert found is not None
            return str(found[0])

        return await self.db.transaction(work, idempotent=True)

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
        async def work(conn: Conn) -> int:
            try:
                cursor = await conn.execute(
                    Q["insert_domain"], (region, name, description, retention_days, created_ms)
                )
            except pg_errors.UniqueViolation as error:
                raise DuplicateKey(name) from error
            found = await cursor.fetchone()
            assert found is not None
            domain_id = int(found[0])
            if tags:
                await conn.cursor().executemany(
                    Q["insert_domain_tag"], [(domain_id, key, value) for key, value in tags]
                )
            return domain_id

        domain_id = await self.db.transaction(work)
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
        if unmatchable(name):
            return None
        rows = await self._fetch(Q["get_domain"], region, name)
        return domain_record(rows[0]) if rows else None

    async def get_domain_by_id(self, domain_id: int) -> DomainRecord | None:
        rows = await self._fetch(Q["get_domain_by_id"], domain_id)
        return domain_record(rows[0]) if rows else None

    async def list_domains(
        self, region: str, status: str, *, after: str | None, limit: int, reverse: bool
    ) -> list[DomainRecord]:
        query = Q["list_domains_reverse"] if reverse else Q["list_domains"]
        rows = await self._fetch(query, region, status, after, after, limit)
        return [domain_record(row) for row in rows]

    async def count_domains(self, region: str) -> int:
        return int(await self._scalar(Q["count_domains"], region))

    async def set_domain_status(self, domain_id: int, status: str, now_ms: int) -> None:
        async def work(conn: Conn) -> None:
            await conn.execute(Q["set_domain_status"], (status, domain_id))
            if status == "DEPRECATED":
                await conn.execute(Q["deprecate_domain_types"], (now_ms, domain_id))

        await self.db.transaction(work, idempotent=True)

    async def list_domain_tags(self, domain_id: int) -> list[tuple[str, str]]:
        return [(row[0], row[1]) for row in await self._fetch(Q["list_domain_tags"], domain_id)]

    async def tag_domain(self, domain_id: int, tags: list[tuple[str, str]], limit: int) -> bool:
        async def work(conn: Conn) -> bool:
            # The limit is a check of the whole set: two servers tagging one domain at once
            # must not both pass it, so the domain's row is locked first.
            await conn.execute(Q["lock_domain"], (domain_id,))
            cursor = await conn.execute(Q["list_domain_tags"], (domain_id,))
            existing = {row[0] for row in await cursor.fetchall()}
            if len(existing | {key for key, _ in tags}) > limit:
                return False
            await conn.cursor().executemany(
                Q["insert_domain_tag"], [(domain_id, key, value) for key, value in tags]
            )
            return True

        return await self.db.transaction(work, idempotent=True)

    async def untag_domain(self, domain_id: int, keys: list[str]) -> None:
        await self._execute(Q["delete_domain_tags"], domain_id, keys)

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

        async def work(conn: Conn) -> None:
            try:
                await conn.execute(Q["insert_type"], params)
            except pg_errors.UniqueViolation as error:
                raise DuplicateKey(record.name) from error

        await self.db.transaction(work)

    async def get_type(
        self, domain_id: int, kind: str, name: str, version: str
    ) -> TypeRecord | None:
        if unmatchable(name, version):
            return None
        rows = await self._fetch(Q["get_type"], domain_id, kind, name, version)
        return type_record(rows[0]) if rows else None

    async def get_types(
        self, domain_id: int, kind: str, keys: list[tuple[str, str]]
    ) -> list[TypeRecord]:
        keys = [key for key in keys if not unmatchable(*key)]
        if not keys:
            return []
        names = [name for name, _ in keys]
        versions = [version for _, version in keys]
        rows = await self._fetch(Q["get_types"], domain_id, kind, names, versions)
        found = {(row[2], row[3]): type_record(row) for row in rows}
        return [found[key] for key in keys if key in found]

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
        params = {
            "domain_id": domain_id,
            "kind": kind,
            "status": status,
            "name": name,
            "after_name": after[0] if after else None,
            "after_version": after[1] if after else None,
            "limit": limit,
        }
        if unmatchable(name):
            return []
        query = Q["list_types_reverse"] if reverse else Q["list_types"]
        rows = await self.db.fetch(query, params)
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
        await self._execute(
            Q["set_type_status"], status, deprecated_ms, domain_id, kind, name, version
        )

    async def delete_type(self, domain_id: int, kind: str, name: str, version: str) -> None:
        await self._execute(Q["delete_type"], domain_id, kind, name, version)

    # --- executions -----------------------------------------------------------------------

    async def commit(self, commit: ExecutionCommit) -> list[TaskRow]:
        async def work(conn: Conn, attempt: Attempt) -> list[TaskRow]:
            return await commit_sql.apply_commit(conn, attempt, commit)

        alone = not self.has_peers()
        try:
            # Not idempotent: a replay after an unknown outcome could answer "already
            # started" to the start that made the run. The version check makes any replay
            # harmless.
            created = await self.db.run(work, idempotent=False)
        except StoreUnavailable:
            self._rows.drop(commit.row.run_id)
            if not await self._committed(commit):
                raise
            # It did commit (the connection died with the answer on its way): the caller's
            # start, signal or claim happened, and is answered as such. Its new tasks are
            # in the store, where the polls' backlog reads find them.
            created = []
        except BaseException:
            self._rows.drop(commit.row.run_id)
            raise
        if alone:
            self._rows.put(commit.row)
            if commit.successor is not None:
                self._rows.put(commit.successor.row)
        return created

    async def _committed(self, commit: ExecutionCommit) -> bool:
        """Whether ``commit`` is in the database: its run has the version and the very
        state it wrote (a state is the whole run, so no other write leaves the same)."""
        rows = await self._fetch(Q["get_execution"], commit.row.run_id)
        if not rows:
            return False
        found = execution_row(rows[0])
        return found.version == commit.row.version and found.state == commit.row.state

    async def get_execution(self, run_id: str, *, cached: bool = False) -> ExecutionRow | None:
        if unmatchable(run_id):
            return None
        if self.has_peers():
            self._rows.clear()  # other servers write too: only the database knows
        elif cached:
            # Maybe stale (a peer this server cannot see): see rowcache.py for who may ask.
            row = self._rows.get(run_id)
            if row is not None:
                return row
        rows = await self._fetch(Q["get_execution"], run_id)
        return execution_row(rows[0]) if rows else None

    async def find_execution(
        self, domain_id: int, workflow_id: str, run_id: str | None
    ) -> ExecutionRow | None:
        if unmatchable(workflow_id, run_id):
            return None
        if run_id:
            rows = await self._fetch(Q["find_execution"], domain_id, workflow_id, run_id)
        else:
            rows = await self._fetch(Q["find_open_execution"], domain_id, workflow_id)
        return execution_row(rows[0]) if rows else None

    async def count_open_executions(self, domain_id: int) -> int:
        return int(await self._scalar(Q["count_open_executions"], domain_id))

    async def read_events(
        self, run_id: str, *, after: int, before: int, limit: int, reverse: bool
    ) -> list[tuple[int, bytes]]:
        query = Q["read_events_reverse"] if reverse else Q["read_events"]
        rows = await self._fetch(query, run_id, after, before, limit)
        return [(row[0], bytes(row[1])) for row in rows]

    # --- task lists -----------------------------------------------------------------------

    async def backlog(self, domain_id: int, kind: str, task_list: str, limit: int) -> list[TaskRow]:
        """The next tasks of the list. With other servers on the database, they are leased
        to this one (FOR UPDATE SKIP LOCKED), so their reads pass over them; alone, a plain
        read (a lease would cost a write and hide nothing from anyone)."""
        if unmatchable(task_list):
            return []
        if not self.has_peers():
            rows = await self._fetch(Q["backlog"], domain_id, kind, task_list, limit)
            return [_task(r) for r in rows]
        name = "lease_backlog" if self.config.skip_locked else "lease_backlog_without_skip_locked"
        query = Q[name]
        params = {
            "node": self.node,
            "lease_ms": round(self.config.task_lease_s * 1000),
            "domain_id": domain_id,
            "kind": kind,
            "task_list": task_list,
            "limit": limit,
        }
        rows = await self.db.write(query, params)
        rows.sort(key=lambda r: (-r[4], r[0]))  # RETURNING keeps no order
        return [_task(r) for r in rows]

    async def count_tasks(self, domain_id: int, kind: str, task_list: str) -> int:
        if unmatchable(task_list):
            return 0
        return int(await self._scalar(Q["count_tasks"], domain_id, kind, task_list))

    async def task_counts(self) -> list[tuple[str, str, str, int]]:
        rows = await self._fetch(Q["task_counts"])
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    async def delete_task(self, run_id: str, kind: str, scheduled_event_id: int) -> None:
        await self._execute(Q["delete_task"], run_id, kind, scheduled_event_id)

    async def release_tasks(self, rows: list[TaskRow]) -> None:
        if rows:
            await self._execute(Q["release_tasks"], self.node, [row.seq for row in rows])

    # --- timers ---------------------------------------------------------------------------

    async def due_timers(self, now_ms: int, limit: int) -> list[TimerRow]:
        """Claim up to ``limit`` due timers for this server: each row comes back with its
        lease as ``due_ms`` (what ``delete_timer`` then matches), and no other server sees
        it due until the lease ends."""
        query = Q[
            "claim_due_timers"
            if self.config.skip_locked
            else "claim_due_timers_without_skip_locked"
        ]
        lease_ms = now_ms + round(self.config.timer_lease_s * 1000)
        params = {"now_ms": now_ms, "lease_ms": lease_ms, "limit": limit}
        try:
            # Not idempotent: sent again after a commit whose answer was lost, the claim
            # would find its own rows leased, and they would fire only when the lease ends.
            rows = await self.db.write(query, params, idempotent=False)
        except StoreUnavailable:
            # So the rows this claim may have leased come due again at once. (A row another
            # server leased in the same millisecond may fire twice: timers are hints.)
            await self.db.write(Q["unclaim_timers"], {"now_ms": now_ms, "lease_ms": lease_ms})
            raise
        return [TimerRow(run_id=r[0], key=r[1], due_ms=r[2]) for r in rows]

    async def next_timer_due(self) -> int | None:
        value = await self._scalar(Q["next_timer_due"])
        return None if value is None else int(value)

    async def delete_timer(self, run_id: str, key: str, due_ms: int) -> None:
        await self._execute(Q["delete_timer_if_due"], run_id, key, due_ms)

    async def release_timer(self, row: TimerRow, retry_ms: int) -> None:
        await self._execute(Q["release_timer"], retry_ms, row.run_id, row.key, row.due_ms)

    # --- visibility -----------------------------------------------------------------------

    async def list_executions(
        self, query: ExecutionQuery, *, after: tuple[int, str] | None, limit: int, reverse: bool
    ) -> list[ExecutionRow]:
        if _unmatchable_query(query):
            return []
        sql, params = list_sql(query, after=after, limit=limit, reverse=reverse)
        return [execution_row(row) for row in await self.db.fetch(sql, params)]

    async def count_executions(self, query: ExecutionQuery) -> int:
        if _unmatchable_query(query):
            return 0
        sql, params = count_sql(query)
        return int(await self.db.scalar(sql, params))

    # --- retention ------------------------------------------------------------------------

    async def domain_retentions(self) -> list[tuple[int, str]]:
        return [(row[0], row[1]) for row in await self._fetch(Q["domain_retentions"])]

    async def expired_runs(self, domain_id: int, closed_before_ms: int, limit: int) -> list[str]:
        rows = await self._fetch(Q["expired_runs"], domain_id, closed_before_ms, limit)
        return [row[0] for row in rows]

    async def purge_runs(self, run_ids: list[str]) -> int:
        if not run_ids:
            return 0

        for run_id in run_ids:
            self._rows.drop(run_id)

        async def work(conn: Conn) -> int:
            cursor = await conn.execute(Q["purge_executions"], (run_ids,))
            purged = [row[0] for row in await cursor.fetchall()]
            if purged:
                await conn.execute(Q["purge_events"], (purged,))
                await conn.execute(Q["purge_tasks"], (purged,))
                await conn.execute(Q["purge_timers"], (purged,))
            return len(purged)

        return await self.db.transaction(work, idempotent=True)


def _task(r: Any) -> TaskRow:
    return TaskRow(
        seq=r[0],
        domain_id=r[1],
        kind=r[2],
        task_list=r[3],
        priority=r[4],
        run_id=r[5],
        scheduled_event_id=r[6],
        payload=r[7],
    )


def _unmatchable_query(query: ExecutionQuery) -> bool:
    return unmatchable(query.workflow_id, query.type_name, query.type_version, query.tag)
