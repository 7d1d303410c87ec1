"""History events for the event list: a one-line summary, a colour, the attributes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from openswf.dashboard.payloads import attributes_text, preview
from openswf.sdk.history import attributes

EVENTS_PER_PAGE = 200

_FAILURE_WORDS = ("Failed", "TimedOut", "Terminated")


def category(event_type: str) -> str:
    """A CSS class: failure, success, cancel, signal, timer, decision, activity, child, other."""
    if any(word in event_type for word in _FAILURE_WORDS):
        return "failure"
    if event_type.endswith("Completed") and not event_type.startswith("Decision"):
        return "success"
    if "Cancel" in event_type:
        return "cancel"
    if "Signal" in event_type:
        return "signal"
    if event_type.startswith("Timer") or event_type.endswith("Timer"):
        return "timer"
    if event_type.startswith("Decision"):
        return "decision"
    if event_type.startswith(("ActivityTask", "LambdaFunction")):
        return "activity"
    if "Child" in event_type:
        return "child"
    return "other"


def _type(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"{value.get('name', '')}:{value.get('version', '')}"
    return ""


def summary(event_type: str, attrs: Mapping[str, Any]) -> str:
    """The few members that say what an event is about."""
    parts: list[str] = []
    for key in ("activityId", "timerId", "signalName", "markerName", "workflowId", "id"):
        if attrs.get(key):
            parts.append(f"{key} {attrs[key]}")
    for key in ("activityType", "workflowType"):
        if key in attrs:
            parts.append(_type(attrs[key]))
    if "startToFireTimeout" in attrs:
        parts.append(f"fires in {attrs['startToFireTimeout']}s")
    for key in ("timeoutType", "cause", "reason", "identity"):
        if attrs.get(key):
            parts.append(f"{key}: {preview(str(attrs[key]), 60)}")
    for key in ("result", "details", "input"):
        if attrs.get(key):
            parts.append(f"{key}: {preview(str(attrs[key]), 60)}")
            break
    if "taskList" in attrs and event_type in ("WorkflowExecutionStarted", "DecisionTaskScheduled"):
        parts.append(f"task list {attrs['taskList'].get('name', '')}")
    return " · ".join(parts)


@dataclass(frozen=True, kw_only=True)
class EventRow:
    event_id: int
    timestamp: float
    event_type: str
    category: str
    summary: str
    attributes: str


def event_row(event: Mapping[str, Any]) -> EventRow:
    attrs = attributes(event)
    return EventRow(
        event_id=int(event["eventId"]),
        timestamp=float(event.get("eventTimestamp") or 0.0),
        event_type=event["eventType"],
        category=category(event["eventType"]),
        summary=summary(event["eventType"], attrs),
        attributes=attributes_text(attrs),
    )
