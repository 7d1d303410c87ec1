"""What can happen to an execution: the inputs of the engine.

The services layer validates requests and resolves what needs storage (types, ids, the
current time) before building a command, so the engine works on plain, complete data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, kw_only=True, slots=True)
class ActivityTypeInfo:
    """What the engine needs of a registered activity type to schedule it."""

    status: str
    configuration: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class Limits:
    max_history_events: int = 25_000
    max_open_activities: int = 1_000
    max_open_timers: int = 1_000


@dataclass(frozen=True, kw_only=True, slots=True)
class StartExecution:
    workflow_id: str
    run_id: str
    workflow_type: dict[str, str]
    task_list: str
    task_priority: str
    execution_start_to_close_timeout: str
    task_start_to_close_timeout: str
    child_policy: str
    lambda_role: str | None = None
    tag_list: list[str] = field(default_factory=list)
    input: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class StartDecisionTask:
    scheduled_event_id: int
    identity: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CompleteDecisionTask:
    scheduled_event_id: int
    started_event_id: int
    decisions: list[dict[str, Any]]
    execution_context: str | None = None
    task_list: str | None = None
    task_list_schedule_to_start_timeout: str | None = None
    activity_types: dict[tuple[str, str], ActivityTypeInfo] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True, slots=True)
class StartActivityTask:
    scheduled_event_id: int
    identity: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RespondActivityTask:
    """A worker's answer: ``outcome`` is ``Completed``, ``Failed`` or ``Canceled``."""

    scheduled_event_id: int
    started_event_id: int
    outcome: str
    result: str | None = None
    reason: str | None = None
    details: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordHeartbeat:
    scheduled_event_id: int
    started_event_id: int
    details: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class SignalExecution:
    signal_name: str
    input: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestCancelExecution:
    pass


@dataclass(frozen=True, kw_only=True, slots=True)
class TerminateExecution:
    reason: str | None = None
    details: str | None = None
    child_policy: str | None = None
    cause: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class FireTimer:
    """A timer row fell due. Timers are hints: the engine acts only if what it times stands."""

    key: str


Command = (
    StartExecution
    | StartDecisionTask
    | CompleteDecisionTask
    | StartActivityTask
    | RespondActivityTask
    | RecordHeartbeat
    | SignalExecution
    | RequestCancelExecution
    | TerminateExecution
    | FireTimer
)
