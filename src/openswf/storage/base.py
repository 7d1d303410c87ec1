"""The one interface every storage backend implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from openswf.storage.records import (
    DomainRecord,
    ExecutionCommit,
    ExecutionQuery,
    ExecutionRow,
    TaskRow,
    TimerRow,
    TypeRecord,
)


class Store(Protocol):
    """Durable state of the service. All methods are safe to call from the event loop.

    ``shared`` is true when other server processes may write the same store (PostgreSQL):
    waiters must then re-check the store, since not every write happens in this process.
    """

    shared: bool

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    def subscribe(self, on_tasks: Callable[[int, str, str], None]) -> None:
        """Have ``on_tasks(domain_id, kind, task_list)`` called when another server process
        says tasks wait on that list (``notify_tasks``; PostgreSQL: LISTEN/NOTIFY). Only a
        hint that shortens a poll's wait; a store that no other process writes (SQLite)
        never calls it."""
        ...

    def has_peers(self) -> bool:
        """Whether other server processes use this store at the moment. A server alone
        keeps its own tasks in memory; with peers, tasks go through the store (leased by
        ``backlog``, announced by ``notify_tasks``) so that servers do not race for them."""
        ...

    def notify_tasks(self, domain_id: int, kind: str, task_list: str) -> None:
        """Tell the other server processes that committed tasks wait on this list, which
        no poll of this process took (a hint, sent soon after; a no-op for SQLite)."""
        ...

    # --- server metadata ---
    async def get_or_create_secret(self, candidate: str) -> str: ...

    # --- domains ---
    async def insert_domain(
        self,
        *,
        region: str,
        name: str,
        description: str | None,
        retention_days: str,
        created_ms: int,
        tags: list[tuple[str, str]],
    ) -> DomainRecord: ...
    async def get_domain(self, region: str, name: str) -> DomainRecord | None: ...
    async def get_domain_by_id(self, domain_id: int) -> DomainRecord | None: ...
    async def list_domains(
        self, region: str, status: str, *, after: str | None, limit: int, reverse: bool
    ) -> list[DomainRecord]: ...
    async def count_domains(self, region: str) -> int: ...
    async def set_domain_status(self, domain_id: int, status: str, now_ms: int) -> None: ...
    async def list_domain_tags(self, domain_id: int) -> list[tuple[str, str]]: ...
    async def tag_domain(self, domain_id: int, tags: list[tuple[str, str]], limit: int) -> bool:
        """Add or replace tags; returns ``False`` (and changes nothing) past ``limit`` tags."""
        ...

    async def untag_domain(self, domain_id: int, keys: list[str]) -> None: ...

    # --- types ---
    async def insert_type(self, record: TypeRecord) -> None: ...
    async def get_type(
        self, domain_id: int, kind: str, name: str, version: str
    ) -> TypeRecord | None: ...
    async def get_types(
        self, domain_id: int, kind: str, keys: list[tuple[str, str]]
    ) -> list[TypeRecord]: ...
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
    ) -> list[TypeRecord]: ...
    async def count_types(self, domain_id: int, kind: str) -> int: ...
    async def set_type_status(
        self,
        domain_id: int,
        kind: str,
        name: str,
        version: str,
        status: str,
        deprecated_ms: int | None,
    ) -> None: ...
    async def delete_type(self, domain_id: int, kind: str, name: str, version: str) -> None: ...

    # --- executions and their history ---
    async def commit(self, commit: ExecutionCommit) -> list[TaskRow]: ...
    async def get_execution(self, run_id: str, *, cached: bool = False) -> ExecutionRow | None:
        """The run's row. ``cached=True`` allows an answer from memory that may be stale
        (PostgreSQL's row cache): only for a caller whose use of it a version check guards,
        or who reads only what never changes (domain, type)."""
        ...

    async def find_execution(
        self, domain_id: int, workflow_id: str, run_id: str | None
    ) -> ExecutionRow | None: ...
    async def count_open_executions(self, domain_id: int) -> int: ...
    async def read_events(
        self, run_id: str, *, after: int, before: int, limit: int, reverse: bool
    ) -> list[tuple[int, bytes]]: ...

    # --- task lists ---
    async def backlog(self, domain_id: int, kind: str, task_list: str, limit: int) -> list[TaskRow]:
        """The next ``limit`` tasks of the list (priority, then FIFO). A shared store leases
        them to this process for a while: the other processes' reads skip them, so a task
        goes to the polls of one server at a time (PostgreSQL: FOR UPDATE SKIP LOCKED)."""
        ...

    async def count_tasks(self, domain_id: int, kind: str, task_list: str) -> int: ...
    async def task_counts(self) -> list[tuple[str, str, str, int]]:
        """``(domain name, kind, task list, tasks waiting)`` of every non-empty list."""
        ...

    async def delete_task(self, run_id: str, kind: str, scheduled_event_id: int) -> None: ...
    async def release_tasks(self, rows: list[TaskRow]) -> None:
        """Give back tasks that ``backlog`` leased to this process and no poll here took (a
        no-op for a store that leases nothing): the other processes' reads find them."""
        ...

    # --- timers ---
    async def due_timers(self, now_ms: int, limit: int) -> list[TimerRow]: ...
    async def next_timer_due(self) -> int | None: ...
    async def delete_timer(self, run_id: str, key: str, due_ms: int) -> None: ...
    async def release_timer(self, row: TimerRow, retry_ms: int) -> None:
        """A claimed row whose handling failed: due again at ``retry_ms``, instead of when its
        lease ends (a store without leases keeps the row due, and does nothing here)."""
        ...

    # --- visibility ---
    async def list_executions(
        self, query: ExecutionQuery, *, after: tuple[int, str] | None, limit: int, reverse: bool
    ) -> list[ExecutionRow]: ...
    async def count_executions(self, query: ExecutionQuery) -> int: ...

    # --- retention ---
    async def domain_retentions(self) -> list[tuple[int, str]]:
        """Every domain of every region, with its retention: ``(domain_id, retention_days)``."""
        ...

    async def expired_runs(self, domain_id: int, closed_before_ms: int, limit: int) -> list[str]:
        """Up to ``limit`` closed runs of the domain that closed at or before
        ``closed_before_ms``, oldest close first, leaving out runs whose outbox still holds
        messages (the relay reads the run to deliver them)."""
        ...

    async def purge_runs(self, run_ids: list[str]) -> int:
        """Delete closed runs with their history, visibility, tasks and timers, in one
        transaction. Runs that are open, hold undelivered messages, or are already gone are
        left alone; returns how many were deleted."""
        ...
