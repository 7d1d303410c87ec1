"""One pass over a history: what each call of workflow code became, and when code saw it.

Workflow code names every call with a sequence number (``seq``), in the order it makes
them, and the ids it sends carry it: activity ``"7"`` (``"7#2"`` for its second attempt),
timer ``"7"`` (``"7#2"`` for the delay before attempt 2 of call 7), Lambda ``"7"``, and
``{"call": 7}`` as the control of a child workflow or an outgoing signal. Markers have no
id: they match in order. A *position* is a decision task: position k saw the events up to
the k-th DecisionTaskStarted that was answered; an event becomes visible to the code at the
first position whose started event comes after it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from openswf.sdk.converter import loads
from openswf.sdk.history import Event

PATCH_MARKER = "openswf.patch"
SIDE_EFFECT_MARKER = "openswf.side_effect"
_EMPTY: Mapping[str, Any] = {}


class Step:
    """The events of one command: what started it, what ended it. (A plain class with
    slots: thousands are made per decision task on long histories.)"""

    __slots__ = ("event", "attrs", "kind", "outcome", "outcome_attrs", "outcome_id", "matched",
                 "decision")  # fmt: skip

    def __init__(self, event: Event, attrs: Mapping[str, Any], kind: str) -> None:
        self.event = event  # the first event (scheduled, initiated, or failed-to-start)
        self.attrs = attrs
        self.kind = kind  # activity, timer, retry_timer, child, lambda, signal, marker, cancel
        self.outcome: str | None = None  # the closing event type
        self.outcome_attrs: Mapping[str, Any] = _EMPTY
        self.outcome_id = 0
        self.matched = False
        # The DecisionTaskCompleted event that made the command.
        self.decision = int(attrs.get("decisionTaskCompletedEventId", 0))

    @property
    def event_id(self) -> int:
        return int(self.event["eventId"])


def parse_id(text: Any) -> tuple[int, int] | None:
    """``"7"`` -> (7, 1); ``"7#2"`` -> (7, 2); anything else -> None."""
    if not isinstance(text, str):
        return None
    if text.isdigit():
        return int(text), 1
    head, _, tail = text.partition("#")
    if not head.isdigit() or (tail and not tail.isdigit()):
        return None
    return int(head), int(tail or 1)


def control_call(text: Any) -> int | None:
    value = loads(text) if isinstance(text, str) else None
    if isinstance(value, dict) and isinstance(value.get("call"), int):
        return int(value["call"])
    return None


class HistoryIndex:
    def __init__(self, events: list[Event], *, live_started_id: int = 0) -> None:
        self.events = events
        self.starts: list[int] = []  # started event id of each position
        self.completed: list[int] = []  # DecisionTaskCompleted id of each answered position
        self.steps: dict[tuple[str, int, int], Step] = {}  # (kind, seq, attempt) -> step
        self.by_seq: dict[int, Step] = {}  # the first step recorded for each seq
        self.retry_timers: dict[tuple[int, int], Step] = {}
        self.markers: list[Step] = []
        self.patches: dict[str, Step] = {}
        self.signals: dict[str, list[tuple[int, Any]]] = {}
        self.cancels: dict[tuple[str, str], Step] = {}  # (activity|timer, id) -> request
        self.closes: dict[int, str] = {}  # DecisionTaskCompleted id -> close event type
        self.close_event: Event | None = None
        self.cancel_requested_id = 0
        self.foreign: list[Event] = []  # commands whose ids this runtime did not make
        self.started: Mapping[str, Any] = {}
        self._open: dict[int, Step] = {}  # scheduled/initiated/started event id -> step
        handlers = _HANDLERS.get
        for event in events:
            found = handlers(event["eventType"])
            if found is not None:
                found[0](self, event, event.get(found[1], _EMPTY))
        if live_started_id and (not self.starts or live_started_id > self.starts[-1]):
            self.starts.append(live_started_id)
        self.live = len(self.starts) > len(self.completed)

    def position(self, event_id: int) -> int | None:
        """The position at which code sees event ``event_id`` (None: not in this replay)."""
        k = bisect_right(self.starts, event_id)
        return k if k < len(self.starts) else None

    def time_of(self, position: int) -> float:
        """When the decision task at ``position`` started (epoch seconds)."""
        if not self.starts:
            return 0.0
        event_id = self.starts[min(position, len(self.starts) - 1)]
        event = self.events[event_id - 1] if 0 < event_id <= len(self.events) else None
        if event is None or int(event["eventId"]) != event_id:  # ids are 1, 2, 3... in SWF
            event = next((e for e in self.events if int(e["eventId"]) == event_id), None)
        return _timestamp(event.get("eventTimestamp")) if event is not None else 0.0

    # --- handlers ------------------------------------------------------------------------

    def _workflow_started(self, event: Event, attrs: Mapping[str, Any]) -> None:
        self.started = attrs

    def _decision_completed(self, event: Event, attrs: Mapping[str, Any]) -> None:
        self.starts.append(int(attrs.get("startedEventId", 0)))
        self.completed.append(int(event["eventId"]))

    def _record(self, kind: str, ident: tuple[int, int] | None, event: Event, attrs: Any) -> Step:
        step = Step(event, attrs, kind)
        if ident is None:
            self.foreign.append(event)
            return step
        seq, attempt = ident
        self.steps.setdefault((kind, seq, attempt), step)
        self.by_seq.setdefault(seq, step)
        return step

    def _activity_scheduled(self, event: Event, attrs: Mapping[str, Any]) -> None:
        step = self._record("activity", parse_id(attrs.get("activityId")), event, attrs)
        self._open[int(event["eventId"])] = step

    def _schedule_failed(self, event: Event, attrs: Mapping[str, Any]) -> None:
        kind = "activity" if event["eventType"] == "ScheduleActivityTaskFailed" else "lambda"
        ident = parse_id(attrs.get("activityId") if kind == "activity" else attrs.get("id"))
        step = self._record(kind, ident, event, attrs)
        step.outcome, step.outcome_attrs = event["eventType"], attrs
        step.outcome_id = int(event["eventId"])

    def _timer_started(self, event: Event, attrs: Mapping[str, Any]) -> None:
        ident = parse_id(attrs.get("timerId"))
        if ident is not None and ident[1] > 1:
            step = Step(event, attrs, "retry_timer")
            self.retry_timers[ident] = step
        else:
            step = self._record("timer", ident, event, attrs)
        self._open[int(event["eventId"])] = step

    def _timer_failed(self, event: Event, attrs: Mapping[str, Any]) -> None:
        ident = parse_id(attrs.get("timerId"))
        if ident is not None and ident[1] > 1:
            step = Step(event, attrs, "retry_timer")
            self.retry_timers[ident] = step
        else:
            step = self._record("timer", ident, event, attrs)
        step.outcome, step.outcome_attrs = event["eventType"], attrs
        step.outcome_id = int(event["eventId"])

    def _timer_canceled(self, event: Event, attrs: Mapping[str, Any]) -> None:
        step = Step(event, attrs, "cancel")
        self.cancels[("timer", str(attrs.get("timerId")))] = step
        timer = self._open.get(int(attrs.get("startedEventId", 0)))
        if timer is not None and timer.outcome is None:
            timer.outcome, timer.outcome_attrs = event["eventType"], attrs
            timer.outcome_id = int(event["eventId"])

    def _cancel_failed(self, event: Event, attrs: Mapping[str, Any]) -> None:
        if event["eventType"] == "CancelTimerFailed":
            self.cancels[("timer", str(attrs.get("timerId")))] = Step(event, attrs, "cancel")
        else:
            self.cancels[("activity", str(attrs.get("activityId")))] = Step(event, attrs, "cancel")

    def _activity_cancel_requested(self, event: Event, attrs: Mapping[str, Any]) -> None:
        self.cancels[("activity", str(attrs.get("activityId")))] = Step(event, attrs, "cancel")

    def _child_initiated(self, event: Event, attrs: Mapping[str, Any]) -> None:
        step = self._record("child", _call_ident(attrs), event, attrs)
        self._open[int(event["eventId"])] = step

    def _child_start_failed(self, event: Event, attrs: Mapping[str, Any]) -> None:
        step = self._open.get(int(attrs.get("initiatedEventId", 0)))
        if step is None:
            step = self._record("child", _call_ident(attrs), event, attrs)
        if step.outcome is None:
            step.outcome, step.outcome_attrs = event["eventType"], attrs
            step.outcome_id = int(event["eventId"])

    def _lambda_scheduled(self, event: Event, attrs: Mapping[str, Any]) -> None:
        step = self._record("lambda", parse_id(attrs.get("id")), event, attrs)
        self._open[int(event["eventId"])] = step

    def _signal_initiated(self, event: Event, attrs: Mapping[str, Any]) -> None:
        step = self._record("signal", _call_ident(attrs), event, attrs)
        self._open[int(event["eventId"])] = step

    def _marker(self, event: Event, attrs: Mapping[str, Any]) -> None:
        step = Step(event, attrs, "marker")
        name = attrs.get("markerName")
        if name == PATCH_MARKER:
            self.patches.setdefault(str(loads(attrs.get("details"))), step)
        else:
            self.markers.append(step)

    def _signaled(self, event: Event, attrs: Mapping[str, Any]) -> None:
        self.signals.setdefault(str(attrs.get("signalName")), []).append(
            (int(event["eventId"]), attrs.get("input"))
        )

    def _cancel_requested(self, event: Event, attrs: Mapping[str, Any]) -> None:
        if not self.cancel_requested_id:
            self.cancel_requested_id = int(event["eventId"])

    def _close(self, event: Event, attrs: Mapping[str, Any]) -> None:
        self.closes[int(attrs.get("decisionTaskCompletedEventId", 0))] = event["eventType"]
        if not event["eventType"].endswith("Failed") or event["eventType"].startswith(
            "WorkflowExecution"
        ):
            self.close_event = event

    def _closed_outside(self, event: Event, attrs: Mapping[str, Any]) -> None:
        self.close_event = event


def _timestamp(value: Any) -> float:
    """Epoch seconds, from a number (the SWF wire) or an ISO string (the AWS CLI's output)."""
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return 0.0
    return 0.0


def _closed_by(key: str) -> Any:
    """A handler that records an outcome on the step its ``key`` attribute points at."""

    def handle(self: HistoryIndex, event: Event, attrs: Mapping[str, Any]) -> None:
        step = self._open.get(int(attrs.get(key, 0)))
        if step is not None and step.outcome is None:
            step.outcome, step.outcome_attrs = event["eventType"], attrs
            step.outcome_id = int(event["eventId"])

    return handle


def _call_ident(attrs: Mapping[str, Any]) -> tuple[int, int] | None:
    seq = control_call(attrs.get("control"))
    return (seq, 1) if seq is not None else None


_BY_TYPE: dict[str, Any] = {
    "WorkflowExecutionStarted": HistoryIndex._workflow_started,
    "DecisionTaskCompleted": HistoryIndex._decision_completed,
    "ActivityTaskScheduled": HistoryIndex._activity_scheduled,
    "ScheduleActivityTaskFailed": HistoryIndex._schedule_failed,
    "ActivityTaskCompleted": _closed_by("scheduledEventId"),
    "ActivityTaskFailed": _closed_by("scheduledEventId"),
    "ActivityTaskTimedOut": _closed_by("scheduledEventId"),
    "ActivityTaskCanceled": _closed_by("scheduledEventId"),
    "ActivityTaskCancelRequested": HistoryIndex._activity_cancel_requested,
    "RequestCancelActivityTaskFailed": HistoryIndex._cancel_failed,
    "TimerStarted": HistoryIndex._timer_started,
    "StartTimerFailed": HistoryIndex._timer_failed,
    "TimerFired": _closed_by("startedEventId"),
    "TimerCanceled": HistoryIndex._timer_canceled,
    "CancelTimerFailed": HistoryIndex._cancel_failed,
    "StartChildWorkflowExecutionInitiated": HistoryIndex._child_initiated,
    "StartChildWorkflowExecutionFailed": HistoryIndex._child_start_failed,
    "ChildWorkflowExecutionCompleted": _closed_by("initiatedEventId"),
    "ChildWorkflowExecutionFailed": _closed_by("initiatedEventId"),
    "ChildWorkflowExecutionTimedOut": _closed_by("initiatedEventId"),
    "ChildWorkflowExecutionCanceled": _closed_by("initiatedEventId"),
    "ChildWorkflowExecutionTerminated": _closed_by("initiatedEventId"),
    "LambdaFunctionScheduled": HistoryIndex._lambda_scheduled,
    "ScheduleLambdaFunctionFailed": HistoryIndex._schedule_failed,
    "LambdaFunctionCompleted": _closed_by("scheduledEventId"),
    "LambdaFunctionFailed": _closed_by("scheduledEventId"),
    "LambdaFunctionTimedOut": _closed_by("scheduledEventId"),
    "StartLambdaFunctionFailed": _closed_by("scheduledEventId"),
    "SignalExternalWorkflowExecutionInitiated": HistoryIndex._signal_initiated,
    "ExternalWorkflowExecutionSignaled": _closed_by("initiatedEventId"),
    "SignalExternalWorkflowExecutionFailed": _closed_by("initiatedEventId"),
    "MarkerRecorded": HistoryIndex._marker,
    "WorkflowExecutionSignaled": HistoryIndex._signaled,
    "WorkflowExecutionCancelRequested": HistoryIndex._cancel_requested,
    "WorkflowExecutionCompleted": HistoryIndex._close,
    "WorkflowExecutionFailed": HistoryIndex._close,
    "WorkflowExecutionCanceled": HistoryIndex._close,
    "WorkflowExecutionContinuedAsNew": HistoryIndex._close,
    "CompleteWorkflowExecutionFailed": HistoryIndex._close,
    "FailWorkflowExecutionFailed": HistoryIndex._close,
    "CancelWorkflowExecutionFailed": HistoryIndex._close,
    "ContinueAsNewWorkflowExecutionFailed": HistoryIndex._close,
    "WorkflowExecutionTerminated": HistoryIndex._closed_outside,
    "WorkflowExecutionTimedOut": HistoryIndex._closed_outside,
}

# event type -> (handler, the name of its attributes member)
_HANDLERS: dict[str, tuple[Any, str]] = {
    kind: (handler, kind[0].lower() + kind[1:] + "EventAttributes")
    for kind, handler in _BY_TYPE.items()
}
