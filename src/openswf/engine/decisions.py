"""RespondDecisionTaskCompleted: the decisions applied in order (reference §4.1).

The request was validated before it got here (shapes, lengths, close-last). What remains
are the semantic checks, each answered with the decision's *Failed event and its cause,
never with an API error.
"""

from __future__ import annotations

from typing import Any

from openswf.engine.commands import ActivityTypeInfo, CompleteDecisionTask
from openswf.engine.effects import TaskSpec
from openswf.engine.transition import Transition

CLOSE_DECISIONS = {
    "CompleteWorkflowExecution": "WorkflowExecutionCompleted",
    "FailWorkflowExecution": "WorkflowExecutionFailed",
    "CancelWorkflowExecution": "WorkflowExecutionCanceled",
}

# ScheduleActivityTask values resolved from the activity type: (decision attribute,
# type default, cause when neither exists). The order is the order SWF reports them in.
_ACTIVITY_TIMEOUTS = (
    (
        "scheduleToStartTimeout",
        "defaultTaskScheduleToStartTimeout",
        "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED",
    ),
    (
        "scheduleToCloseTimeout",
        "defaultTaskScheduleToCloseTimeout",
        "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED",
    ),
    (
        "startToCloseTimeout",
        "defaultTaskStartToCloseTimeout",
        "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED",
    ),
    ("heartbeatTimeout", "defaultTaskHeartbeatTimeout", "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"),
)


class _Batch:
    """Processing state of one decision list."""

    def __init__(self, t: Transition, cmd: CompleteDecisionTask, completed_event_id: int) -> None:
        self.t = t
        self.cmd = cmd
        self.completed_event_id = completed_event_id
        self.needs_decision = False  # a decision failed, or produced an event to react to
        # Events that arrived while the task was started make a close decision fail.
        self.unhandled = t.state.decision_needed

    def failed(self, event_type: str, attrs: dict[str, Any]) -> None:
        attrs["decisionTaskCompletedEventId"] = self.completed_event_id
        self.t.add(event_type, attrs)
        self.needs_decision = True


def complete_decision_task(t: Transition, cmd: CompleteDecisionTask) -> None:
    attrs: dict[str, Any] = {
        "scheduledEventId": cmd.scheduled_event_id,
        "startedEventId": cmd.started_event_id,
    }
    if cmd.execution_context is not None:
        attrs["executionContext"] = cmd.execution_context
    if cmd.task_list is not None:
        attrs["taskList"] = {"name": cmd.task_list}
    if cmd.task_list_schedule_to_start_timeout is not None:
        attrs["taskListScheduleToStartTimeout"] = cmd.task_list_schedule_to_start_timeout
    completed = t.add("DecisionTaskCompleted", attrs)
    batch = _Batch(t, cmd, completed.event_id)
    for decision in cmd.decisions:
        if t.state.next_event_id >= t.limits.max_history_events:
            return  # the history is full: the transition ends by terminating the run
        decision_type = decision["decisionType"]
        member = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
        _APPLY[decision_type](batch, decision.get(member, {}))
        if not t.state.is_open:
            return
    if batch.needs_decision or t.state.decision_needed:
        t.schedule_decision()


def _schedule_activity(batch: _Batch, attrs: dict[str, Any]) -> None:
    t = batch.t
    activity_type = attrs["activityType"]
    activity_id = attrs["activityId"]

    def fail(cause: str) -> None:
        batch.failed(
            "ScheduleActivityTaskFailed",
            {"activityType": activity_type, "activityId": activity_id, "cause": cause},
        )

    info: ActivityTypeInfo | None = batch.cmd.activity_types.get(
        (activity_type["name"], activity_type["version"])
    )
    if info is None:
        return fail("ACTIVITY_TYPE_DOES_NOT_EXIST")
    if info.status != "REGISTERED":
        return fail("ACTIVITY_TYPE_DEPRECATED")
    if t.state.activity_by_id(activity_id) is not None:
        return fail("ACTIVITY_ID_ALREADY_IN_USE")
    if len(t.state.activities) >= t.limits.max_open_activities:
        return fail("OPEN_ACTIVITIES_LIMIT_EXCEEDED")
    config = info.configuration
    task_list = attrs.get("taskList") or config.get("defaultTaskList")
    if task_list is None:
        return fail("DEFAULT_TASK_LIST_UNDEFINED")
    timeouts: dict[str, str] = {}
    for member, default, cause in _ACTIVITY_TIMEOUTS:
        value = attrs.get(member) or config.get(default)
        if value is None:
            return fail(cause)
        timeouts[member] = value
    priority = attrs.get("taskPriority") or config.get("defaultTaskPriority") or "0"
    event_attrs: dict[str, Any] = {
        "activityType": activity_type,
        "activityId": activity_id,
        "taskList": {"name": task_list["name"]},
        "taskPriority": priority,
        "decisionTaskCompletedEventId": batch.completed_event_id,
        **timeouts,
    }
    for optional in ("input", "control"):
        if optional in attrs:
            event_attrs[optional] = attrs[optional]
    event = t.add("ActivityTaskScheduled", event_attrs)
    payload: dict[str, Any] = {"activityId": activity_id, "activityType": activity_type}
    if "input" in attrs:
        payload["input"] = attrs["input"]
    t.effects.new_tasks.append(
        TaskSpec(
            kind="activity",
            task_list=task_list["name"],
            priority=int(priority),
            scheduled_event_id=event.event_id,
            payload=payload,
        )
    )
    prefix = f"activity:{event.event_id}:"
    t.set_timer(prefix + "SCHEDULE_TO_START", timeouts["scheduleToStartTimeout"])
    t.set_timer(prefix + "SCHEDULE_TO_CLOSE", timeouts["scheduleToCloseTimeout"])


def _request_cancel_activity(batch: _Batch, attrs: dict[str, Any]) -> None:
    t = batch.t
    activity_id = attrs["activityId"]
    activity = t.state.activity_by_id(activity_id)
    if activity is None:
        return batch.failed(
            "RequestCancelActivityTaskFailed",
            {"activityId": activity_id, "cause": "ACTIVITY_ID_UNKNOWN"},
        )
    requested = t.add(
        "ActivityTaskCancelRequested",
        {"decisionTaskCompletedEventId": batch.completed_event_id, "activityId": activity_id},
    )
    if not activity.started_event_id:
        # Never handed out: SWF cancels it at once, and the decider must hear of it.
        scheduled = activity.scheduled_event_id
        t.effects.done_tasks.append(("activity", scheduled))
        t.clear_activity_timers(activity)
        t.add(
            "ActivityTaskCanceled",
            {
                "scheduledEventId": scheduled,
                "startedEventId": 0,
                "latestCancelRequestedEventId": requested.event_id,
            },
        )
        batch.needs_decision = True


def _record_marker(batch: _Batch, attrs: dict[str, Any]) -> None:
    event_attrs: dict[str, Any] = {"markerName": attrs["markerName"]}
    if "details" in attrs:
        event_attrs["details"] = attrs["details"]
    event_attrs["decisionTaskCompletedEventId"] = batch.completed_event_id
    batch.t.add("MarkerRecorded", event_attrs)


def _start_timer(batch: _Batch, attrs: dict[str, Any]) -> None:
    t = batch.t
    timer_id = attrs["timerId"]
    if timer_id in t.state.timers:
        return batch.failed(
            "StartTimerFailed", {"timerId": timer_id, "cause": "TIMER_ID_ALREADY_IN_USE"}
        )
    if len(t.state.timers) >= t.limits.max_open_timers:
        return batch.failed(
            "StartTimerFailed", {"timerId": timer_id, "cause": "OPEN_TIMERS_LIMIT_EXCEEDED"}
        )
    event_attrs: dict[str, Any] = {"timerId": timer_id}
    if "control" in attrs:
        event_attrs["control"] = attrs["control"]
    event_attrs["startToFireTimeout"] = attrs["startToFireTimeout"]
    event_attrs["decisionTaskCompletedEventId"] = batch.completed_event_id
    t.add("TimerStarted", event_attrs)
    t.set_timer("timer:" + timer_id, attrs["startToFireTimeout"])


def _cancel_timer(batch: _Batch, attrs: dict[str, Any]) -> None:
    t = batch.t
    timer_id = attrs["timerId"]
    timer = t.state.timers.get(timer_id)
    if timer is None:
        return batch.failed("CancelTimerFailed", {"timerId": timer_id, "cause": "TIMER_ID_UNKNOWN"})
    t.add(
        "TimerCanceled",
        {
            "timerId": timer_id,
            "startedEventId": timer.started_event_id,
            "decisionTaskCompletedEventId": batch.completed_event_id,
        },
    )
    t.effects.cleared_timers.append("timer:" + timer_id)


def _close(decision_type: str) -> Any:
    event_type = CLOSE_DECISIONS[decision_type]
    failed_type = decision_type + "Failed"

    def apply(batch: _Batch, attrs: dict[str, Any]) -> None:
        if batch.unhandled:
            return batch.failed(failed_type, {"cause": "UNHANDLED_DECISION"})
        event_attrs = {k: attrs[k] for k in ("result", "reason", "details") if k in attrs}
        event_attrs["decisionTaskCompletedEventId"] = batch.completed_event_id
        batch.t.add(event_type, event_attrs)

    return apply


# Decisions this engine does not carry out yet fail the way SWF fails a decision it may not
# carry out: the decision's *Failed event with an OPERATION_NOT_PERMITTED cause.


def _continue_as_new_unsupported(batch: _Batch, attrs: dict[str, Any]) -> None:
    batch.failed("ContinueAsNewWorkflowExecutionFailed", {"cause": "OPERATION_NOT_PERMITTED"})


def _start_child_unsupported(batch: _Batch, attrs: dict[str, Any]) -> None:
    event_attrs: dict[str, Any] = {
        "workflowType": attrs["workflowType"],
        "cause": "OPERATION_NOT_PERMITTED",
        "workflowId": attrs["workflowId"],
        "initiatedEventId": 0,
    }
    if "control" in attrs:
        event_attrs["control"] = attrs["control"]
    batch.failed("StartChildWorkflowExecutionFailed", event_attrs)


def _external_unsupported(failed_type: str) -> Any:
    def apply(batch: _Batch, attrs: dict[str, Any]) -> None:
        event_attrs: dict[str, Any] = {"workflowId": attrs["workflowId"]}
        if "runId" in attrs:
            event_attrs["runId"] = attrs["runId"]
        event_attrs["cause"] = "OPERATION_NOT_PERMITTED"
        event_attrs["initiatedEventId"] = 0
        if "control" in attrs:
            event_attrs["control"] = attrs["control"]
        batch.failed(failed_type, event_attrs)

    return apply


def _lambda_unsupported(batch: _Batch, attrs: dict[str, Any]) -> None:
    batch.failed(
        "ScheduleLambdaFunctionFailed",
        {
            "id": attrs["id"],
            "name": attrs["name"],
            "cause": "LAMBDA_SERVICE_NOT_AVAILABLE_IN_REGION",
        },
    )


_APPLY: dict[str, Any] = {
    "ScheduleActivityTask": _schedule_activity,
    "RequestCancelActivityTask": _request_cancel_activity,
    "RecordMarker": _record_marker,
    "StartTimer": _start_timer,
    "CancelTimer": _cancel_timer,
    "CompleteWorkflowExecution": _close("CompleteWorkflowExecution"),
    "FailWorkflowExecution": _close("FailWorkflowExecution"),
    "CancelWorkflowExecution": _close("CancelWorkflowExecution"),
    "ContinueAsNewWorkflowExecution": _continue_as_new_unsupported,
    "StartChildWorkflowExecution": _start_child_unsupported,
    "SignalExternalWorkflowExecution": _external_unsupported(
        "SignalExternalWorkflowExecutionFailed"
    ),
    "RequestCancelExternalWorkflowExecution": _external_unsupported(
        "RequestCancelExternalWorkflowExecutionFailed"
    ),
    "ScheduleLambdaFunction": _lambda_unsupported,
}
