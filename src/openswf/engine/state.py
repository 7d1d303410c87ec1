"""The state of one workflow execution, and how each history event changes it.

``evolve`` is the only function that changes an ``ExecutionState``: the engine appends an
event and evolves the state by it, so the snapshot the server stores is always what folding
the history gives (``rebuild(events) == snapshot``). The one exception is ``heartbeats``:
heartbeats are deliberately not history in SWF, so they live beside the folded state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openswf.engine.events import CLOSE_EVENTS, TRIGGERS_DECISION, HistoryEvent


@dataclass(kw_only=True)
class DecisionTaskState:
    scheduled_event_id: int
    task_list: str
    start_to_close_timeout: str
    schedule_to_start_timeout: str = "NONE"
    scheduled_ms: int = 0
    started_event_id: int = 0
    started_ms: int = 0


@dataclass(kw_only=True)
class ActivityState:
    scheduled_event_id: int
    activity_id: str
    activity_type: dict[str, str]
    task_list: str
    task_priority: int
    scheduled_ms: int
    schedule_to_start_timeout: str
    schedule_to_close_timeout: str
    start_to_close_timeout: str
    heartbeat_timeout: str
    started_event_id: int = 0
    started_ms: int = 0
    cancel_requested_event_id: int = 0


@dataclass(kw_only=True)
class TimerState:
    timer_id: str
    started_event_id: int
    fire_ms: int


@dataclass(kw_only=True)
class ChildState:
    """A child workflow the run started (keyed by its Initiated event)."""

    initiated_event_id: int
    workflow_id: str
    workflow_type: dict[str, str]
    child_policy: str
    decision_task_completed_event_id: int
    control: str | None = None
    run_id: str | None = None  # set once the child started
    started_event_id: int = 0


@dataclass(kw_only=True)
class ExternalRequest:
    """A signal or cancel request to another execution, not yet delivered."""

    initiated_event_id: int
    workflow_id: str
    decision_task_completed_event_id: int
    run_id: str | None = None
    control: str | None = None


@dataclass(kw_only=True)
class LambdaState:
    scheduled_event_id: int
    function_id: str
    name: str
    scheduled_ms: int
    start_to_close_timeout: str
    started_event_id: int = 0
    started_ms: int = 0


@dataclass(kw_only=True)
class Heartbeat:
    """The last heartbeat of a started activity: not history, so not folded from events."""

    at_ms: int
    details: str | None = None


@dataclass(kw_only=True)
class ExecutionState:
    run_id: str = ""
    workflow_id: str = ""
    workflow_type: dict[str, str] = field(default_factory=dict)
    status: str = "OPEN"
    close_status: str | None = None
    next_event_id: int = 1
    last_event_ms: int = 0  # the newest event's timestamp: a history never goes back in time
    start_ms: int = 0
    close_ms: int | None = None
    # The resolved configuration (reference §6.2).
    task_list: str = ""
    original_task_list: str | None = None  # set while a temporary task-list override holds
    override_schedule_to_start_timeout: str | None = None
    task_priority: int = 0
    execution_start_to_close_timeout: str = ""
    task_start_to_close_timeout: str = ""
    child_policy: str = "TERMINATE"
    lambda_role: str | None = None
    tag_list: list[str] = field(default_factory=list)
    parent: dict[str, str] | None = None
    parent_initiated_event_id: int = 0
    # Decision tasks (reference §6.4).
    decision: DecisionTaskState | None = None
    decision_needed: bool = False  # events arrived while the decision task was started
    previous_started_event_id: int = 0
    latest_execution_context: str | None = None
    # Open work.
    activities: dict[int, ActivityState] = field(default_factory=dict)
    timers: dict[str, TimerState] = field(default_factory=dict)
    children: dict[int, ChildState] = field(default_factory=dict)
    signals_out: dict[int, ExternalRequest] = field(default_factory=dict)
    cancels_out: dict[int, ExternalRequest] = field(default_factory=dict)
    lambdas: dict[int, LambdaState] = field(default_factory=dict)
    # Signals and cancels other executions delivered, as "runId/initiatedEventId" (and a child
    # policy's cancel, as CHILD_POLICY_RECEIVED): a message delivered twice (a relay that
    # crashed after delivering) is recorded once.
    external_received: list[str] = field(default_factory=list)
    continued_execution_run_id: str | None = None
    latest_activity_task_ms: int | None = None
    cancel_requested: bool = False
    heartbeats: dict[int, Heartbeat] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        return self.status == "OPEN"

    def activity_by_id(self, activity_id: str) -> ActivityState | None:
        for activity in self.activities.values():
            if activity.activity_id == activity_id:
                return activity
        return None

    def execution(self) -> dict[str, str]:
        return {"workflowId": self.workflow_id, "runId": self.run_id}

    def lambda_by_id(self, function_id: str) -> LambdaState | None:
        for function in self.lambdas.values():
            if function.function_id == function_id:
                return function
        return None

    def open_children(self) -> list[ChildState]:
        return list(self.children.values())


def evolve(state: ExecutionState, event: HistoryEvent) -> None:
    """Apply one event to the state, in place."""
    kind = event.event_type
    attrs = event.attributes
    state.next_event_id = event.event_id + 1
    state.last_event_ms = event.timestamp_ms
    if kind in TRIGGERS_DECISION and state.decision is not None and state.decision.started_event_id:
        state.decision_needed = True
    handler = _HANDLERS.get(kind)
    if handler is not None:
        handler(state, event, attrs)
    if kind in CLOSE_EVENTS:
        state.status = "CLOSED"
        state.close_status = CLOSE_EVENTS[kind]
        state.close_ms = event.timestamp_ms
        state.decision = None
        state.decision_needed = False
        state.activities.clear()
        state.timers.clear()
        state.heartbeats.clear()
        state.lambdas.clear()
        state.signals_out.clear()
        state.cancels_out.clear()
        # ``children`` stays: the child policy of a terminated or timed-out run is applied
        # to them after the run closed.


def rebuild(events: list[HistoryEvent], *, run_id: str, workflow_id: str) -> ExecutionState:
    state = ExecutionState(run_id=run_id, workflow_id=workflow_id)
    for event in events:
        evolve(state, event)
    return state


# --- one handler per event type that changes state ------------------------------------------

_Handler = Any


def _started(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.workflow_type = dict(attrs["workflowType"])
    state.start_ms = event.timestamp_ms
    state.task_list = attrs["taskList"]["name"]
    state.task_priority = int(attrs.get("taskPriority", "0"))
    state.execution_start_to_close_timeout = attrs.get("executionStartToCloseTimeout", "NONE")
    state.task_start_to_close_timeout = attrs.get("taskStartToCloseTimeout", "NONE")
    state.child_policy = attrs["childPolicy"]
    state.lambda_role = attrs.get("lambdaRole")
    state.tag_list = list(attrs.get("tagList", []))
    state.parent = attrs.get("parentWorkflowExecution")
    state.parent_initiated_event_id = attrs.get("parentInitiatedEventId", 0)
    state.continued_execution_run_id = attrs.get("continuedExecutionRunId")


def _decision_scheduled(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.decision = DecisionTaskState(
        scheduled_event_id=event.event_id,
        task_list=attrs["taskList"]["name"],
        start_to_close_timeout=attrs.get("startToCloseTimeout", "NONE"),
        schedule_to_start_timeout=attrs.get("scheduleToStartTimeout", "NONE"),
        scheduled_ms=event.timestamp_ms,
    )
    state.decision_needed = False


def _decision_started(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    assert state.decision is not None
    state.decision.started_event_id = event.event_id
    state.decision.started_ms = event.timestamp_ms


def _decision_completed(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.decision = None
    state.previous_started_event_id = attrs["startedEventId"]
    if "executionContext" in attrs:
        state.latest_execution_context = attrs["executionContext"]
    if "taskList" in attrs:
        if "taskListScheduleToStartTimeout" in attrs:
            # Temporary: SWF goes back to the original list if the task is not picked up.
            state.original_task_list = state.original_task_list or state.task_list
            state.override_schedule_to_start_timeout = attrs["taskListScheduleToStartTimeout"]
        else:
            state.original_task_list = None
            state.override_schedule_to_start_timeout = None
        state.task_list = attrs["taskList"]["name"]


def _decision_timed_out(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.decision = None
    if state.original_task_list is not None:
        state.task_list = state.original_task_list
        state.original_task_list = None
        state.override_schedule_to_start_timeout = None


def _activity_scheduled(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.activities[event.event_id] = ActivityState(
        scheduled_event_id=event.event_id,
        activity_id=attrs["activityId"],
        activity_type=dict(attrs["activityType"]),
        task_list=attrs["taskList"]["name"],
        task_priority=int(attrs.get("taskPriority", "0")),
        scheduled_ms=event.timestamp_ms,
        schedule_to_start_timeout=attrs.get("scheduleToStartTimeout", "NONE"),
        schedule_to_close_timeout=attrs.get("scheduleToCloseTimeout", "NONE"),
        start_to_close_timeout=attrs.get("startToCloseTimeout", "NONE"),
        heartbeat_timeout=attrs.get("heartbeatTimeout", "NONE"),
    )
    state.latest_activity_task_ms = event.timestamp_ms


def _activity_started(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    activity = state.activities[attrs["scheduledEventId"]]
    activity.started_event_id = event.event_id
    activity.started_ms = event.timestamp_ms


def _activity_closed(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    scheduled = attrs["scheduledEventId"]
    state.activities.pop(scheduled, None)
    state.heartbeats.pop(scheduled, None)


def _activity_cancel_requested(
    state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]
) -> None:
    activity = state.activity_by_id(attrs["activityId"])
    if activity is not None:
        activity.cancel_requested_event_id = event.event_id


def _cancel_requested(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.cancel_requested = True
    _note_external(state, attrs)


def _signaled(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    _note_external(state, attrs)


# In ``external_received``: the parent's child policy asked this run to cancel. A run has one
# parent, which applies its policy once, so a second such request is a redelivery.
CHILD_POLICY_RECEIVED = "child-policy"


def _note_external(state: ExecutionState, attrs: dict[str, Any]) -> None:
    source = attrs.get("externalWorkflowExecution")
    if source is not None:
        state.external_received.append(f"{source['runId']}/{attrs['externalInitiatedEventId']}")
    elif attrs.get("cause") == "CHILD_POLICY_APPLIED":
        state.external_received.append(CHILD_POLICY_RECEIVED)


def _child_initiated(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.children[event.event_id] = ChildState(
        initiated_event_id=event.event_id,
        workflow_id=attrs["workflowId"],
        workflow_type=dict(attrs["workflowType"]),
        child_policy=attrs["childPolicy"],
        decision_task_completed_event_id=attrs["decisionTaskCompletedEventId"],
        control=attrs.get("control"),
    )


def _child_start_failed(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.children.pop(attrs["initiatedEventId"], None)


def _child_started(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    child = state.children[attrs["initiatedEventId"]]
    child.run_id = attrs["workflowExecution"]["runId"]
    child.started_event_id = event.event_id


def _child_closed(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.children.pop(attrs["initiatedEventId"], None)


def _external_request(event: HistoryEvent, attrs: dict[str, Any]) -> ExternalRequest:
    return ExternalRequest(
        initiated_event_id=event.event_id,
        workflow_id=attrs["workflowId"],
        run_id=attrs.get("runId"),
        decision_task_completed_event_id=attrs["decisionTaskCompletedEventId"],
        control=attrs.get("control"),
    )


def _signal_initiated(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.signals_out[event.event_id] = _external_request(event, attrs)


def _signal_resolved(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.signals_out.pop(attrs["initiatedEventId"], None)


def _cancel_initiated(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.cancels_out[event.event_id] = _external_request(event, attrs)


def _cancel_resolved(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.cancels_out.pop(attrs["initiatedEventId"], None)


def _lambda_scheduled(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.lambdas[event.event_id] = LambdaState(
        scheduled_event_id=event.event_id,
        function_id=attrs["id"],
        name=attrs["name"],
        scheduled_ms=event.timestamp_ms,
        start_to_close_timeout=attrs.get("startToCloseTimeout", "NONE"),
    )


def _lambda_started(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    function = state.lambdas[attrs["scheduledEventId"]]
    function.started_event_id = event.event_id
    function.started_ms = event.timestamp_ms


def _lambda_closed(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.lambdas.pop(attrs["scheduledEventId"], None)


def _timer_started(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.timers[attrs["timerId"]] = TimerState(
        timer_id=attrs["timerId"],
        started_event_id=event.event_id,
        fire_ms=event.timestamp_ms + int(attrs["startToFireTimeout"]) * 1000,
    )


def _timer_closed(state: ExecutionState, event: HistoryEvent, attrs: dict[str, Any]) -> None:
    state.timers.pop(attrs["timerId"], None)


_HANDLERS: dict[str, _Handler] = {
    "WorkflowExecutionStarted": _started,
    "DecisionTaskScheduled": _decision_scheduled,
    "DecisionTaskStarted": _decision_started,
    "DecisionTaskCompleted": _decision_completed,
    "DecisionTaskTimedOut": _decision_timed_out,
    "ActivityTaskScheduled": _activity_scheduled,
    "ActivityTaskStarted": _activity_started,
    "ActivityTaskCompleted": _activity_closed,
    "ActivityTaskFailed": _activity_closed,
    "ActivityTaskTimedOut": _activity_closed,
    "ActivityTaskCanceled": _activity_closed,
    "ActivityTaskCancelRequested": _activity_cancel_requested,
    "WorkflowExecutionCancelRequested": _cancel_requested,
    "WorkflowExecutionSignaled": _signaled,
    "StartChildWorkflowExecutionInitiated": _child_initiated,
    "StartChildWorkflowExecutionFailed": _child_start_failed,
    "ChildWorkflowExecutionStarted": _child_started,
    "ChildWorkflowExecutionCompleted": _child_closed,
    "ChildWorkflowExecutionFailed": _child_closed,
    "ChildWorkflowExecutionTimedOut": _child_closed,
    "ChildWorkflowExecutionCanceled": _child_closed,
    "ChildWorkflowExecutionTerminated": _child_closed,
    "SignalExternalWorkflowExecutionInitiated": _signal_initiated,
    "ExternalWorkflowExecutionSignaled": _signal_resolved,
    "SignalExternalWorkflowExecutionFailed": _signal_resolved,
    "RequestCancelExternalWorkflowExecutionInitiated": _cancel_initiated,
    "ExternalWorkflowExecutionCancelRequested": _cancel_resolved,
    "RequestCancelExternalWorkflowExecutionFailed": _cancel_resolved,
    "LambdaFunctionScheduled": _lambda_scheduled,
    "LambdaFunctionStarted": _lambda_started,
    "LambdaFunctionCompleted": _lambda_closed,
    "LambdaFunctionFailed": _lambda_closed,
    "LambdaFunctionTimedOut": _lambda_closed,
    "StartLambdaFunctionFailed": _lambda_closed,
    "TimerStarted": _timer_started,
    "TimerFired": _timer_closed,
    "TimerCanceled": _timer_closed,
}
