"""SWF's rules for a workflow execution's history, checked on any history (or a prefix of one).

``history_problems(events)`` lists every way a history breaks the rules that SWF keeps and
that deciders rely on; an empty list means it holds them all:

- event ids are consecutive from 1, the first event is WorkflowExecutionStarted, and
  timestamps never go backwards;
- every reference to another event (``scheduledEventId``, ``startedEventId``,
  ``initiatedEventId``, ``decisionTaskCompletedEventId``, ...) names an earlier event of the
  right type;
- each scheduled activity, timer, child workflow and Lambda function has at most one start
  and one outcome, and one decision task at a time is started;
- a close event, if any, is the last one;
- every event has exactly the attributes member its type names, and that member conforms to
  botocore's model (no unknown member, every required one, types, enums and lengths).

The events are the raw JSON of GetWorkflowExecutionHistory (timestamps as epoch seconds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openswf.protocol import model

CLOSE_EVENTS = frozenset(
    {
        "WorkflowExecutionCompleted",
        "WorkflowExecutionFailed",
        "WorkflowExecutionCanceled",
        "WorkflowExecutionTerminated",
        "WorkflowExecutionContinuedAsNew",
        "WorkflowExecutionTimedOut",
    }
)

# (member, the event types it may name, whether 0 or no member stands for "none"), per type.
_Ref = tuple[str, frozenset[str], bool]


def _refs(*refs: tuple[str, str | tuple[str, ...], bool]) -> tuple[_Ref, ...]:
    return tuple(
        (member, frozenset((kinds,) if isinstance(kinds, str) else kinds), zero_ok)
        for member, kinds, zero_ok in refs
    )


_A_SCHED = ("scheduledEventId", "ActivityTaskScheduled", False)
_A_START = ("startedEventId", "ActivityTaskStarted", False)
_A_START_OR_NONE = ("startedEventId", "ActivityTaskStarted", True)
_D_SCHED = ("scheduledEventId", "DecisionTaskScheduled", False)
_D_START = ("startedEventId", "DecisionTaskStarted", False)
_T_START = ("startedEventId", "TimerStarted", False)
_C_INIT = ("initiatedEventId", "StartChildWorkflowExecutionInitiated", False)
_C_START = ("startedEventId", "ChildWorkflowExecutionStarted", False)
_L_SCHED = ("scheduledEventId", "LambdaFunctionScheduled", False)
_L_START = ("startedEventId", "LambdaFunctionStarted", False)
_S_INIT = ("initiatedEventId", "SignalExternalWorkflowExecutionInitiated", False)
_X_INIT = ("initiatedEventId", "RequestCancelExternalWorkflowExecutionInitiated", False)
_DTC_REF = ("decisionTaskCompletedEventId", "DecisionTaskCompleted", False)

REFERENCES: Mapping[str, tuple[_Ref, ...]] = {
    "DecisionTaskStarted": _refs(_D_SCHED),
    "DecisionTaskCompleted": _refs(_D_SCHED, _D_START),
    "DecisionTaskTimedOut": _refs(_D_SCHED, ("startedEventId", "DecisionTaskStarted", True)),
    "ActivityTaskScheduled": _refs(_DTC_REF),
    "ScheduleActivityTaskFailed": _refs(_DTC_REF),
    "ActivityTaskStarted": _refs(_A_SCHED),
    "ActivityTaskCompleted": _refs(_A_SCHED, _A_START),
    "ActivityTaskFailed": _refs(_A_SCHED, _A_START),
    "ActivityTaskTimedOut": _refs(_A_SCHED, _A_START_OR_NONE),
    "ActivityTaskCanceled": _refs(
        _A_SCHED,
        _A_START_OR_NONE,
        ("latestCancelRequestedEventId", "ActivityTaskCancelRequested", True),
    ),
    "ActivityTaskCancelRequested": _refs(_DTC_REF),
    "RequestCancelActivityTaskFailed": _refs(_DTC_REF),
    "TimerStarted": _refs(_DTC_REF),
    "StartTimerFailed": _refs(_DTC_REF),
    "TimerFired": _refs(_T_START),
    "TimerCanceled": _refs(_T_START, _DTC_REF),
    "CancelTimerFailed": _refs(_DTC_REF),
    "MarkerRecorded": _refs(_DTC_REF),
    "RecordMarkerFailed": _refs(_DTC_REF),
    "StartChildWorkflowExecutionInitiated": _refs(_DTC_REF),
    "StartChildWorkflowExecutionFailed": _refs(
        ("initiatedEventId", "StartChildWorkflowExecutionInitiated", True), _DTC_REF
    ),
    "ChildWorkflowExecutionStarted": _refs(_C_INIT),
    "ChildWorkflowExecutionCompleted": _refs(_C_INIT, _C_START),
    "ChildWorkflowExecutionFailed": _refs(_C_INIT, _C_START),
    "ChildWorkflowExecutionTimedOut": _refs(_C_INIT, _C_START),
    "ChildWorkflowExecutionCanceled": _refs(_C_INIT, _C_START),
    "ChildWorkflowExecutionTerminated": _refs(_C_INIT, _C_START),
    "SignalExternalWorkflowExecutionInitiated": _refs(_DTC_REF),
    "ExternalWorkflowExecutionSignaled": _refs(_S_INIT),
    "SignalExternalWorkflowExecutionFailed": _refs(
        ("initiatedEventId", "SignalExternalWorkflowExecutionInitiated", True), _DTC_REF
    ),
    "RequestCancelExternalWorkflowExecutionInitiated": _refs(_DTC_REF),
    "ExternalWorkflowExecutionCancelRequested": _refs(_X_INIT),
    "RequestCancelExternalWorkflowExecutionFailed": _refs(
        ("initiatedEventId", "RequestCancelExternalWorkflowExecutionInitiated", True), _DTC_REF
    ),
    "WorkflowExecutionCompleted": _refs(_DTC_REF),
    "CompleteWorkflowExecutionFailed": _refs(_DTC_REF),
    "WorkflowExecutionFailed": _refs(_DTC_REF),
    "FailWorkflowExecutionFailed": _refs(_DTC_REF),
    "WorkflowExecutionCanceled": _refs(_DTC_REF),
    "CancelWorkflowExecutionFailed": _refs(_DTC_REF),
    "WorkflowExecutionContinuedAsNew": _refs(_DTC_REF),
    "ContinueAsNewWorkflowExecutionFailed": _refs(_DTC_REF),
    "LambdaFunctionScheduled": _refs(_DTC_REF),
    "ScheduleLambdaFunctionFailed": _refs(_DTC_REF),
    "LambdaFunctionStarted": _refs(_L_SCHED),
    "StartLambdaFunctionFailed": _refs(("scheduledEventId", "LambdaFunctionScheduled", True)),
    "LambdaFunctionCompleted": _refs(_L_SCHED, _L_START),
    "LambdaFunctionFailed": _refs(_L_SCHED, _L_START),
    "LambdaFunctionTimedOut": _refs(_L_SCHED, ("startedEventId", "LambdaFunctionStarted", True)),
}

# What may happen at most once to one thing: (the member naming the thing, the group of
# event types of which it may have one). A start and an outcome are separate groups.
_ONCE: Mapping[str, tuple[str, str]] = {
    "ActivityTaskStarted": ("scheduledEventId", "activity start"),
    "ActivityTaskCompleted": ("scheduledEventId", "activity outcome"),
    "ActivityTaskFailed": ("scheduledEventId", "activity outcome"),
    "ActivityTaskTimedOut": ("scheduledEventId", "activity outcome"),
    "ActivityTaskCanceled": ("scheduledEventId", "activity outcome"),
    "DecisionTaskStarted": ("scheduledEventId", "decision start"),
    "DecisionTaskCompleted": ("scheduledEventId", "decision outcome"),
    "DecisionTaskTimedOut": ("scheduledEventId", "decision outcome"),
    "TimerFired": ("startedEventId", "timer outcome"),
    "TimerCanceled": ("startedEventId", "timer outcome"),
    "ChildWorkflowExecutionStarted": ("initiatedEventId", "child start"),
    "StartChildWorkflowExecutionFailed": ("initiatedEventId", "child start"),
    "ChildWorkflowExecutionCompleted": ("initiatedEventId", "child outcome"),
    "ChildWorkflowExecutionFailed": ("initiatedEventId", "child outcome"),
    "ChildWorkflowExecutionTimedOut": ("initiatedEventId", "child outcome"),
    "ChildWorkflowExecutionCanceled": ("initiatedEventId", "child outcome"),
    "ChildWorkflowExecutionTerminated": ("initiatedEventId", "child outcome"),
    "ExternalWorkflowExecutionSignaled": ("initiatedEventId", "signal outcome"),
    "SignalExternalWorkflowExecutionFailed": ("initiatedEventId", "signal outcome"),
    "ExternalWorkflowExecutionCancelRequested": ("initiatedEventId", "cancel outcome"),
    "RequestCancelExternalWorkflowExecutionFailed": ("initiatedEventId", "cancel outcome"),
    "LambdaFunctionStarted": ("scheduledEventId", "lambda start"),
    "StartLambdaFunctionFailed": ("scheduledEventId", "lambda start"),
    "LambdaFunctionCompleted": ("scheduledEventId", "lambda outcome"),
    "LambdaFunctionFailed": ("scheduledEventId", "lambda outcome"),
    "LambdaFunctionTimedOut": ("scheduledEventId", "lambda outcome"),
}


class HistoryError(AssertionError):
    """A history that breaks SWF's rules; ``problems`` lists how."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the history breaks SWF's rules:\n" + "\n".join(problems))
        self.problems = problems


def check_history(events: Sequence[Mapping[str, Any]]) -> None:
    """Raise ``HistoryError`` if ``events`` break any of SWF's rules for a history."""
    problems = history_problems(events)
    if problems:
        raise HistoryError(problems)


def attributes_member(event_type: str) -> str:
    """``ActivityTaskScheduled`` -> ``activityTaskScheduledEventAttributes``."""
    return event_type[0].lower() + event_type[1:] + "EventAttributes"


def history_problems(events: Sequence[Mapping[str, Any]]) -> list[str]:
    problems: list[str] = []
    types: dict[int, str] = {}
    seen_once: set[tuple[str, int]] = set()
    open_decision: int | None = None  # the started decision task awaiting its outcome
    closed_at: int | None = None
    last_stamp: float | None = None
    for index, event in enumerate(events):
        event_id, event_type = event.get("eventId"), event.get("eventType")
        where = f"event {event_id} ({event_type})"
        problems += event_nonconformities(event)
        if event_id != index + 1:
            problems.append(f"{where}: id {event_id!r} where {index + 1} was due")
        if not isinstance(event_id, int) or not isinstance(event_type, str):
            continue
        if index == 0 and event_type != "WorkflowExecutionStarted":
            problems.append(f"{where}: a history begins with WorkflowExecutionStarted")
        if closed_at is not None:
            problems.append(f"{where}: after the close event {closed_at}")
        stamp = event.get("eventTimestamp")
        if isinstance(stamp, int | float):
            if last_stamp is not None and stamp < last_stamp:
                problems.append(f"{where}: its timestamp goes back in time")
            last_stamp = stamp
        attrs = event.get(attributes_member(event_type))
        attrs = attrs if isinstance(attrs, Mapping) else {}
        for member, kinds, zero_ok in REFERENCES.get(event_type, ()):
            target = attrs.get(member)
            if zero_ok and target in (0, None):
                continue
            if not isinstance(target, int) or types.get(target) not in kinds:
                what = types.get(target) if isinstance(target, int) else None
                problems.append(
                    f"{where}: {member}={target!r} names {what or 'no earlier event'}, "
                    f"not {' or '.join(sorted(kinds))}"
                )
        once = _ONCE.get(event_type)
        if once is not None:
            member, group = once
            key = (group, attrs.get(member, -1))
            if key in seen_once:
                problems.append(f"{where}: a second {group} for {member}={key[1]}")
            seen_once.add(key)
        if event_type == "DecisionTaskStarted":
            if open_decision is not None:
                problems.append(f"{where}: decision task {open_decision} is still started")
            open_decision = event_id
        elif event_type in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
            if attrs.get("startedEventId") == open_decision:
                open_decision = None
        if event_type in CLOSE_EVENTS:
            closed_at = event_id
        types[event_id] = event_type
    return problems


# --- conformance to botocore's model ------------------------------------------------------


def event_nonconformities(event: Mapping[str, Any]) -> list[str]:
    """An event is a HistoryEvent with exactly the one attributes member its type names."""
    event_type = event.get("eventType")
    path = f"event {event.get('eventId')} ({event_type})"
    if not isinstance(event_type, str) or not event_type:
        return [f"{path}: no eventType"]
    member = attributes_member(event_type)
    expected_keys = {"eventId", "eventTimestamp", "eventType", member}
    found = []
    if set(event) != expected_keys:
        found.append(f"{path}: keys {sorted(event)}, expected {sorted(expected_keys)}")
    if member not in model.shape("HistoryEvent")["members"]:
        return [*found, f"{path}: the model has no {member}"]
    return found + nonconformities(event, "HistoryEvent", path)


def nonconformities(value: Any, shape_name: str, path: str) -> list[str]:
    """What in the raw JSON ``value`` the model's shape ``shape_name`` does not allow."""
    shape = model.shape(shape_name)
    kind = shape["type"]
    if value is None:
        return [f"{path}: null"]
    if kind == "structure":
        if not isinstance(value, Mapping):
            return [f"{path}: {value!r} is not an object ({shape_name})"]
        members = shape["members"]
        found = [f"{path}.{k}: not a member of {shape_name}" for k in value if k not in members]
        found += [
            f"{path}.{k}: required by {shape_name}, missing"
            for k in shape.get("required", [])
            if k not in value
        ]
        for key, item in value.items():
            if key in members:
                found += nonconformities(item, members[key]["shape"], f"{path}.{key}")
        return found
    if kind == "list":
        if not isinstance(value, list):
            return [f"{path}: {value!r} is not a list ({shape_name})"]
        found = []
        if len(value) > shape.get("max", len(value)):
            found.append(f"{path}: more than {shape['max']} items")
        for i, item in enumerate(value):
            found += nonconformities(item, shape["member"]["shape"], f"{path}[{i}]")
        return found
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: {value!r} is not a string ({shape_name})"]
        if "enum" in shape and value not in shape["enum"]:
            return [f"{path}: {value!r} is not a {shape_name}"]
        if not shape.get("min", 0) <= len(value) <= shape.get("max", len(value)):
            return [f"{path}: length {len(value)} is out of {shape_name}'s range"]
        return []
    if kind in ("long", "integer"):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{path}: {value!r} is not an integer ({shape_name})"]
    if kind == "timestamp":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return [] if ok else [f"{path}: {value!r} is not epoch seconds ({shape_name})"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: {value!r} is not a boolean"]
    return [f"{path}: unexpected shape type {kind} ({shape_name})"]
