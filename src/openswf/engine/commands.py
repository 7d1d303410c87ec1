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
class WorkflowTypeInfo:
    """What the engine needs of a registered workflow type to start a run of it."""

    status: str
    configuration: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class Limits:
    max_history_events: int = 25_000
    max_open_activities: int = 1_000
    max_open_timers: int = 1_000
    max_open_children: int = 1_000
    max_open_lambdas: int = 1_000


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
    parent: dict[str, str] | None = None  # the parent's execution, for a child
    parent_initiated_event_id: int = 0
    continued_execution_run_id: str | None = None


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
    workflow_types: dict[tuple[str, str], WorkflowTypeInfo] = field(default_factory=dict)
    # The runId a ContinueAsNewWorkflowExecution decision gives the new run.
    new_run_id: str = ""
    # How many more executions the domain may open (children count): None for no limit.
    open_workflows_headroom: int | None = None


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
    # Set when another execution's SignalExternalWorkflowExecution decision sent it.
    external: dict[str, str] | None = None
    external_initiated_event_id: int = 0


@dataclass(frozen=True, kw_only=True, slots=True)
class RequestCancelExecution:
    external: dict[str, str] | None = None
    external_initiated_event_id: int = 0
    cause: str | None = None  # CHILD_POLICY_APPLIED when a parent's policy asks


@dataclass(frozen=True, kw_only=True, slots=True)
class ChildStarted:
    initiated_event_id: int
    run_id: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ChildStartFailed:
    initiated_event_id: int
    cause: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ChildClosed:
    """A child closed: ``close_event`` is its closing event type, ``attributes`` its
    attributes (result, reason, details, timeoutType)."""

    initiated_event_id: int
    run_id: str
    close_event: str
    attributes: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class ExternalDelivered:
    """A signal or cancel request (``kind`` "signal" / "cancel") reached its target, or
    could not (``cause`` set)."""

    kind: str
    initiated_event_id: int
    target: dict[str, str] | None = None
    cause: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class StartLambdaTask:
    scheduled_event_id: int


@dataclass(frozen=True, kw_only=True, slots=True)
class RespondLambdaTask:
    scheduled_event_id: int
    started_event_id: int
    outcome: str  # Completed | Failed
    result: str | None = None
    reason: str | None = None
    details: str | None = None


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


@dataclass(frozen=True, kw_only=True, slots=True)
class FireTimers:
    """Several rows of one run fell due together: each is handled as ``FireTimer``, in this
    order, in one transition (one commit instead of one per row)."""

    keys: tuple[str, ...]


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
    | FireTimers
    | ChildStarted
    | ChildStartFailed
    | ChildClosed
    | ExternalDelivered
    | StartLambdaTask
    | RespondLambdaTask
)
