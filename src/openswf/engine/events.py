"""History events as the engine produces them, and their wire form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Attrs = dict[str, Any]

# Events after which the decider must get a decision task (reference §5.1). The *Failed
# decision events are absent on purpose: they are recorded while the decision task is being
# completed, and the completion itself schedules the next task when any decision failed.
TRIGGERS_DECISION = frozenset(
    {
        "ActivityTaskCompleted",
        "ActivityTaskFailed",
        "ActivityTaskTimedOut",
        "ActivityTaskCanceled",
        "WorkflowExecutionSignaled",
        "WorkflowExecutionCancelRequested",
        "TimerFired",
        "ChildWorkflowExecutionStarted",
        "ChildWorkflowExecutionCompleted",
        "ChildWorkflowExecutionFailed",
        "ChildWorkflowExecutionTimedOut",
        "ChildWorkflowExecutionCanceled",
        "ChildWorkflowExecutionTerminated",
        "StartChildWorkflowExecutionFailed",
        "ExternalWorkflowExecutionSignaled",
        "ExternalWorkflowExecutionCancelRequested",
        "SignalExternalWorkflowExecutionFailed",
        "RequestCancelExternalWorkflowExecutionFailed",
        "LambdaFunctionCompleted",
        "LambdaFunctionFailed",
        "LambdaFunctionTimedOut",
        "StartLambdaFunctionFailed",
        "DecisionTaskTimedOut",
    }
)

CLOSE_EVENTS = {
    "WorkflowExecutionCompleted": "COMPLETED",
    "WorkflowExecutionFailed": "FAILED",
    "WorkflowExecutionCanceled": "CANCELED",
    "WorkflowExecutionTerminated": "TERMINATED",
    "WorkflowExecutionContinuedAsNew": "CONTINUED_AS_NEW",
    "WorkflowExecutionTimedOut": "TIMED_OUT",
}


@dataclass(frozen=True, kw_only=True, slots=True)
class HistoryEvent:
    event_id: int
    timestamp_ms: int
    event_type: str
    attributes: Attrs

    def to_wire(self) -> dict[str, Any]:
        """The JSON object SWF sends: timestamps are epoch seconds with millisecond fraction."""
        return {
            "eventId": self.event_id,
            "eventTimestamp": self.timestamp_ms / 1000,
            "eventType": self.event_type,
            attributes_member(self.event_type): self.attributes,
        }

    @classmethod
    def from_wire(cls, wire: dict[str, Any]) -> HistoryEvent:
        event_type = wire["eventType"]
        return cls(
            event_id=wire["eventId"],
            timestamp_ms=round(wire["eventTimestamp"] * 1000),
            event_type=event_type,
            attributes=wire.get(attributes_member(event_type), {}),
        )


_MEMBER_CACHE: dict[str, str] = {}


def attributes_member(type_name: str) -> str:
    """``ActivityTaskScheduled`` -> ``activityTaskScheduledEventAttributes``."""
    member = _MEMBER_CACHE.get(type_name)
    if member is None:
        member = type_name[0].lower() + type_name[1:] + "EventAttributes"
        _MEMBER_CACHE[type_name] = member
    return member
