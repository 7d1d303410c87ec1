"""A history as timeline spans: what ran, when, for how long, and how it ended.

``build_timeline(events)`` reads the events of one execution (as GetWorkflowExecutionHistory
returns them, oldest first) in one pass and returns one ``Span`` per decision task, activity
attempt, timer, child workflow and Lambda invocation, plus one for the workflow itself. The
CLI's ``workflow show`` and the dashboard's Gantt chart draw from it, so both tell the same
story. It is pure: no I/O, no clock (an open span has ``closed=None``; the caller picks "now").

Statuses, by kind:

- workflow: ``open`` then ``completed``, ``failed``, ``canceled``, ``terminated``,
  ``timed_out`` or ``continued_as_new``;
- decision: ``scheduled``, ``started``, then ``completed`` or ``timed_out``;
- activity, lambda: ``scheduled``, ``started``, then ``completed``, ``failed``, ``timed_out``,
  ``canceled`` (activity only); a decision that could not schedule it is ``failed`` at once,
  with the SWF cause as ``detail``;
- timer: ``started``, then ``fired``, ``canceled``, or ``failed`` (StartTimerFailed);
- child: ``scheduled`` (initiated), ``started``, then ``completed``, ``failed``,
  ``timed_out``, ``canceled`` or ``terminated``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KINDS = ("workflow", "decision", "activity", "timer", "child", "lambda")
# Statuses of a span still running: its ``closed`` is None.
OPEN_STATUSES = frozenset({"open", "scheduled", "started"})
# Closed statuses that mean something went wrong (drawn in red, counted as failures).
FAILURE_STATUSES = frozenset({"failed", "timed_out", "terminated"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Span:
    kind: str  # "decision" | "activity" | "timer" | "child" | "lambda" | "workflow"
    key: str  # activityId, timerId, child workflowId, Lambda id, "decision-N", "workflow"
    label: str  # e.g. activity type "name:version", "timer 30s", "decision task"
    attempt: int  # 1-based: the n-th span of this kind with this key
    scheduled: float  # epoch seconds
    started: float | None
    closed: float | None  # None while open
    status: str
    detail: str | None  # failure reason, timeout type, SWF cause, cancel request
    event_ids: tuple[int, ...]  # every event of this span, in history order

    @property
    def is_open(self) -> bool:
        return self.closed is None

    @property
    def failed(self) -> bool:
        return self.status in FAILURE_STATUSES

    def duration(self, now: float | None = None) -> float | None:
        """Seconds from scheduled to closed (to ``now`` while open, or None without it)."""
        end = self.closed if self.closed is not None else now
        return None if end is None else max(0.0, end - self.scheduled)

    def queued(self) -> float | None:
        """Seconds from scheduled to started (schedule-to-start), once started."""
        return None if self.started is None else max(0.0, self.started - self.scheduled)


@dataclass(kw_only=True, slots=True)
class _Open:
    """A span being built; frozen into a Span at the end."""

    kind: str
    key: str
    label: str
    attempt: int
    scheduled: float
    started: float | None = None
    closed: float | None = None
    status: str = "scheduled"
    detail: str | None = None
    event_ids: list[int] = field(default_factory=list)

    def freeze(self) -> Span:
        return Span(
            kind=self.kind,
            key=self.key,
            label=self.label,
            attempt=self.attempt,
            scheduled=self.scheduled,
            started=self.started,
            closed=self.closed,
            status=self.status,
            detail=self.detail,
            event_ids=tuple(self.event_ids),
        )


def _time(value: Any) -> float:
    # The SDK gives epoch seconds; botocore gives datetimes. Accept both.
    if isinstance(value, datetime):
        return value.timestamp()
    return float(value) if value is not None else 0.0


def _type_label(value: Mapping[str, Any] | None) -> str:
    if not value:
        return ""
    return f"{value.get('name', '')}:{value.get('version', '')}"


def _reason(attrs: Mapping[str, Any]) -> str | None:
    return attrs.get("reason") or attrs.get("details") or None


def _close(span: _Open | None, event_id: int, at: float, status: str, detail: str | None) -> None:
    if span is None:
        return
    span.event_ids.append(event_id)
    span.closed, span.status, span.detail = at, status, detail


def _touch(span: _Open | None, event_id: int, detail: str | None = None) -> None:
    if span is None:
        return
    span.event_ids.append(event_id)
    if detail is not None and span.closed is None:
        span.detail = detail


class _Builder:
    """One pass over the events; spans indexed by the event id that opened them."""

    def __init__(self) -> None:
        self.spans: list[_Open] = []
        self.by_event: dict[int, _Open] = {}  # scheduled/initiated/started event id -> span
        self.open_by_key: dict[tuple[str, str], _Open] = {}
        self.attempts: dict[tuple[str, str], int] = {}
        self.decisions = 0
        self.workflow: _Open | None = None

    def open(self, event_id: int, at: float, kind: str, key: str, label: str) -> _Open:
        attempt = self.attempts.get((kind, key), 0) + 1
        self.attempts[(kind, key)] = attempt
        span = _Open(kind=kind, key=key, label=label, attempt=attempt, scheduled=at)
        span.event_ids.append(event_id)
        self.spans.append(span)
        self.by_event[event_id] = span
        self.open_by_key[(kind, key)] = span
        return span

    def failed_at_once(
        self, event_id: int, at: float, kind: str, key: str, label: str, cause: str | None
    ) -> None:
        span = self.open(event_id, at, kind, key, label)
        span.closed, span.status, span.detail = at, "failed", cause
        self.open_by_key.pop((kind, key), None)

    def ref(self, attrs: Mapping[str, Any], name: str) -> _Open | None:
        return self.by_event.get(int(attrs.get(name) or 0))

    def keyed(self, kind: str, key: str | None) -> _Open | None:
        span = self.open_by_key.get((kind, key or ""))
        return span if span is not None and span.closed is None else None

    def add(self, event: Mapping[str, Any]) -> None:
        kind = event["eventType"]
        handler = _HANDLERS.get(kind)
        if handler is None:
            return
        attrs = event.get(kind[0].lower() + kind[1:] + "EventAttributes") or {}
        handler(self, int(event["eventId"]), _time(event.get("eventTimestamp")), attrs)


_Handler = Callable[[_Builder, int, float, Mapping[str, Any]], None]
_HANDLERS: dict[str, _Handler] = {}


def _on(*event_types: str) -> Callable[[_Handler], _Handler]:
    def register(fn: _Handler) -> _Handler:
        for event_type in event_types:
            _HANDLERS[event_type] = fn
        return fn

    return register


# --- workflow ---------------------------------------------------------------------------

_WORKFLOW_CLOSE = {
    "WorkflowExecutionCompleted": "completed",
    "WorkflowExecutionFailed": "failed",
    "WorkflowExecutionCanceled": "canceled",
    "WorkflowExecutionTerminated": "terminated",
    "WorkflowExecutionTimedOut": "timed_out",
    "WorkflowExecutionContinuedAsNew": "continued_as_new",
}


@_on("WorkflowExecutionStarted")
def _workflow_started(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    span = b.open(eid, at, "workflow", "workflow", _type_label(attrs.get("workflowType")))
    span.started, span.status = at, "open"
    b.workflow = span


@_on("WorkflowExecutionCancelRequested")
def _workflow_cancel_requested(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _touch(b.workflow, eid, "cancel requested")


def _workflow_closed(event_type: str) -> _Handler:
    status = _WORKFLOW_CLOSE[event_type]

    def handler(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
        if event_type == "WorkflowExecutionTimedOut":
            detail = attrs.get("timeoutType")
        elif event_type == "WorkflowExecutionContinuedAsNew":
            detail = attrs.get("newExecutionRunId")
        elif event_type == "WorkflowExecutionTerminated":
            detail = attrs.get("reason") or attrs.get("cause")
        else:
            detail = _reason(attrs) if status == "failed" else None
        _close(b.workflow, eid, at, status, detail)

    return handler


for _event_type in _WORKFLOW_CLOSE:
    _HANDLERS[_event_type] = _workflow_closed(_event_type)


# --- decision tasks ---------------------------------------------------------------------


@_on("DecisionTaskScheduled")
def _decision_scheduled(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    b.decisions += 1
    b.open(eid, at, "decision", f"decision-{b.decisions}", "decision task")


@_on("DecisionTaskStarted")
def _decision_started(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    span = b.ref(attrs, "scheduledEventId")
    if span is not None:
        span.event_ids.append(eid)
        span.started, span.status = at, "started"


@_on("DecisionTaskCompleted")
def _decision_completed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _close(b.ref(attrs, "scheduledEventId"), eid, at, "completed", None)


@_on("DecisionTaskTimedOut")
def _decision_timed_out(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _close(b.ref(attrs, "scheduledEventId"), eid, at, "timed_out", attrs.get("timeoutType"))


# --- activities and Lambda functions ----------------------------------------------------


@_on("ActivityTaskScheduled")
def _activity_scheduled(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    b.open(eid, at, "activity", attrs.get("activityId", ""), _type_label(attrs.get("activityType")))


@_on("LambdaFunctionScheduled")
def _lambda_scheduled(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    b.open(eid, at, "lambda", attrs.get("id", ""), attrs.get("name", ""))


@_on("ActivityTaskStarted", "LambdaFunctionStarted")
def _task_started(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    span = b.ref(attrs, "scheduledEventId")
    if span is not None:
        span.event_ids.append(eid)
        span.started, span.status = at, "started"


@_on("ActivityTaskCompleted", "LambdaFunctionCompleted")
def _task_completed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _close(b.ref(attrs, "scheduledEventId"), eid, at, "completed", None)


@_on("ActivityTaskFailed", "LambdaFunctionFailed")
def _task_failed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _close(b.ref(attrs, "scheduledEventId"), eid, at, "failed", _reason(attrs))


@_on("ActivityTaskTimedOut", "LambdaFunctionTimedOut")
def _task_timed_out(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _close(b.ref(attrs, "scheduledEventId"), eid, at, "timed_out", attrs.get("timeoutType"))


@_on("ActivityTaskCanceled")
def _activity_canceled(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _close(b.ref(attrs, "scheduledEventId"), eid, at, "canceled", attrs.get("details") or None)


@_on("ActivityTaskCancelRequested")
def _activity_cancel_requested(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _touch(b.keyed("activity", attrs.get("activityId")), eid, "cancel requested")


@_on("RequestCancelActivityTaskFailed")
def _activity_cancel_failed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _touch(b.keyed("activity", attrs.get("activityId")), eid)


@_on("ScheduleActivityTaskFailed")
def _activity_schedule_failed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    label = _type_label(attrs.get("activityType"))
    b.failed_at_once(eid, at, "activity", attrs.get("activityId", ""), label, attrs.get("cause"))


@_on("ScheduleLambdaFunctionFailed")
def _lambda_schedule_failed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    b.failed_at_once(
        eid, at, "lambda", attrs.get("id", ""), attrs.get("name", ""), attrs.get("cause")
    )


@_on("StartLambdaFunctionFailed")
def _lambda_start_failed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    detail = attrs.get("cause") or attrs.get("message")
    _close(b.ref(attrs, "scheduledEventId"), eid, at, "failed", detail)


# --- timers -----------------------------------------------------------------------------


@_on("TimerStarted")
def _timer_started(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    timeout = attrs.get("startToFireTimeout")
    span = b.open(eid, at, "timer", attrs.get("timerId", ""), f"timer {timeout}s")
    span.started, span.status = at, "started"


@_on("TimerFired")
def _timer_fired(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _close(b.ref(attrs, "startedEventId"), eid, at, "fired", None)


@_on("TimerCanceled")
def _timer_canceled(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _close(b.ref(attrs, "startedEventId"), eid, at, "canceled", None)


@_on("StartTimerFailed")
def _timer_start_failed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    b.failed_at_once(eid, at, "timer", attrs.get("timerId", ""), "timer", attrs.get("cause"))


@_on("CancelTimerFailed")
def _timer_cancel_failed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    _touch(b.keyed("timer", attrs.get("timerId")), eid)


# --- child workflows --------------------------------------------------------------------

_CHILD_CLOSE = {
    "ChildWorkflowExecutionCompleted": "completed",
    "ChildWorkflowExecutionFailed": "failed",
    "ChildWorkflowExecutionTimedOut": "timed_out",
    "ChildWorkflowExecutionCanceled": "canceled",
    "ChildWorkflowExecutionTerminated": "terminated",
}


@_on("StartChildWorkflowExecutionInitiated")
def _child_initiated(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    label = _type_label(attrs.get("workflowType"))
    b.open(eid, at, "child", attrs.get("workflowId", ""), label)


@_on("ChildWorkflowExecutionStarted")
def _child_started(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    span = b.ref(attrs, "initiatedEventId")
    if span is not None:
        span.event_ids.append(eid)
        span.started, span.status = at, "started"


@_on("StartChildWorkflowExecutionFailed")
def _child_start_failed(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
    span = b.ref(attrs, "initiatedEventId")
    if span is not None:
        _close(span, eid, at, "failed", attrs.get("cause"))
        return
    # Failed at decision time: SWF records no Initiated event (initiatedEventId 0).
    label = _type_label(attrs.get("workflowType"))
    b.failed_at_once(eid, at, "child", attrs.get("workflowId", ""), label, attrs.get("cause"))


def _child_closed(status: str) -> _Handler:
    def handler(b: _Builder, eid: int, at: float, attrs: Mapping[str, Any]) -> None:
        if status == "failed":
            detail = _reason(attrs)
        elif status == "timed_out":
            detail = attrs.get("timeoutType")
        else:
            detail = None
        _close(b.ref(attrs, "initiatedEventId"), eid, at, status, detail)

    return handler


for _event_type, _status in _CHILD_CLOSE.items():
    _HANDLERS[_event_type] = _child_closed(_status)


def build_timeline(events: Sequence[Mapping[str, Any]]) -> list[Span]:
    """The spans of a history, in the order they began (the workflow's span first)."""
    builder = _Builder()
    for event in events:
        builder.add(event)
    return [span.freeze() for span in builder.spans]
