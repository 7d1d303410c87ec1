"""The rows a store keeps. Timestamps are UTC epoch milliseconds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class StoreConflict(Exception):
    """Base of the errors a commit can meet because someone else wrote first."""


class VersionConflict(StoreConflict):
    """The execution changed since it was loaded: reload and run the command again."""


class DuplicateOpenExecution(StoreConflict):
    """An open execution with this workflowId already exists in the domain."""


class DuplicateKey(StoreConflict):
    """A domain or type with this key already exists."""


class UnstorableValue(Exception):
    """A value the backend cannot hold (NUL in PostgreSQL text): the request is refused."""


class StoreUnavailable(Exception):
    """The database cannot be reached now (a restart, a network cut, a full pool): the
    request fails with ServiceUnavailable and the client retries."""


@dataclass(frozen=True, kw_only=True, slots=True)
class DomainRecord:
    id: int
    region: str
    name: str
    status: str
    description: str | None
    retention_days: str
    created_ms: int


@dataclass(frozen=True, kw_only=True, slots=True)
class TypeRecord:
    domain_id: int
    kind: str  # "workflow" | "activity"
    name: str
    version: str
    status: str
    description: str | None
    configuration: dict[str, Any]
    created_ms: int
    deprecated_ms: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecutionRow:
    """One run: the visibility columns, the version and the encoded state snapshot."""

    run_id: str
    domain_id: int
    workflow_id: str
    type_name: str
    type_version: str
    start_ms: int
    close_ms: int | None
    close_status: str | None
    cancel_requested: bool
    parent_workflow_id: str | None
    parent_run_id: str | None
    tags: list[str]
    version: int
    state: bytes

    @property
    def is_open(self) -> bool:
        return self.close_status is None


@dataclass(frozen=True, kw_only=True, slots=True)
class TaskRow:
    seq: int
    domain_id: int
    kind: str  # "decision" | "activity"
    task_list: str
    priority: int
    run_id: str
    scheduled_event_id: int
    payload: bytes | None


@dataclass(frozen=True, kw_only=True, slots=True)
class NewTask:
    kind: str
    task_list: str
    priority: int
    scheduled_event_id: int
    payload: bytes | None


@dataclass(frozen=True, kw_only=True, slots=True)
class TimerRow:
    run_id: str
    key: str
    due_ms: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecutionCommit:
    """Everything one transition writes, in one transaction (DESIGN.md invariant 1)."""

    row: ExecutionRow  # row.version is the new version
    expected_version: int  # 0 for a new execution
    events: list[tuple[int, bytes]]
    new_tasks: list[NewTask] = field(default_factory=list)
    done_tasks: list[tuple[str, int]] = field(default_factory=list)
    timers: list[tuple[str, int]] = field(default_factory=list)
    cleared_timers: list[str] = field(default_factory=list)
    closed: bool = False
    # A run that continued as new: the new run is inserted in the same transaction, so the
    # workflowId is never free in between.
    successor: ExecutionCommit | None = None


# Timer rows whose key starts with this are outbox messages to other executions: they
# outlive the run's close (a closed child still has to tell its parent).
MESSAGE_PREFIX = "msg:"


@dataclass(frozen=True, kw_only=True, slots=True)
class ExecutionQuery:
    """A visibility query (reference §6.12); times are inclusive bounds in milliseconds."""

    domain_id: int
    open: bool
    oldest_ms: int | None = None
    latest_ms: int | None = None
    by_close_time: bool = False
    workflow_id: str | None = None
    type_name: str | None = None
    type_version: str | None = None
    tag: str | None = None
    close_status: str | None = None
    # A count stops after this many rows (``None``: count them all), so that a count of a
    # huge range costs no more than this many index entries.
    count_limit: int | None = None
