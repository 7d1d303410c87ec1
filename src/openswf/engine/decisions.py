"""RespondDecisionTaskCompleted: the decisions applied in order (reference §4.1).

The request was validated before it got here (shapes, lengths, close-last). What remains
are the semantic checks, each answered with the decision's *Failed event and its cause,
never with an API error.
"""

from __future__ import annotations

from typing import Any

from openswf.engine import commands as c
from openswf.engine.commands import ActivityTypeInfo, CompleteDecisionTask
from openswf.engine.effects import TaskSpec
from openswf.engine.start import new_execution
from openswf.engine.transition import Transition
from openswf.protocol.lambdas import LAMBDA_TASK_LIST

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
        self.children_started = 0
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


# (decision attribute, workflow type default, cause when neither exists), in the order of
# each decision's cause enum.
_CHILD_DEFAULTS = (
    (
        "executionStartToCloseTimeout",
        "defaultExecutionStartToCloseTimeout",
        "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
    ),
    ("taskList", "defaultTaskList", "DEFAULT_TASK_LIST_UNDEFINED"),
    (
        "taskStartToCloseTimeout",
        "defaultTaskStartToCloseTimeout",
        "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED",
    ),
    ("childPolicy", "defaultChildPolicy", "DEFAULT_CHILD_POLICY_UNDEFINED"),
)
_CONTINUE_DEFAULTS = (
    _CHILD_DEFAULTS[0],
    _CHILD_DEFAULTS[2],
    _CHILD_DEFAULTS[1],
    _CHILD_DEFAULTS[3],
)


def _resolve(
    attrs: dict[str, Any], config: dict[str, Any], rules: tuple[tuple[str, str, str], ...]
) -> dict[str, Any] | str:
    """The resolved values, or the cause of the first one that is undefined."""
    resolved: dict[str, Any] = {}
    for member, default, cause in rules:
        value = attrs.get(member) or config.get(default)
        if value is None:
            return cause
        resolved[member] = value
    return resolved


def _start_child(batch: _Batch, attrs: dict[str, Any]) -> None:
    t = batch.t
    workflow_type = attrs["workflowType"]

    def fail(cause: str) -> None:
        event_attrs: dict[str, Any] = {
            "workflowType": workflow_type,
            "cause": cause,
            "workflowId": attrs["workflowId"],
            "initiatedEventId": 0,  # synchronous failures have no Initiated event
        }
        if "control" in attrs:
            event_attrs["control"] = attrs["control"]
        batch.failed("StartChildWorkflowExecutionFailed", event_attrs)

    info = batch.cmd.workflow_types.get((workflow_type["name"], workflow_type["version"]))
    if info is None:
        return fail("WORKFLOW_TYPE_DOES_NOT_EXIST")
    if info.status != "REGISTERED":
        return fail("WORKFLOW_TYPE_DEPRECATED")
    if len(t.state.children) >= t.limits.max_open_children:
        return fail("OPEN_CHILDREN_LIMIT_EXCEEDED")
    headroom = batch.cmd.open_workflows_headroom
    if headroom is not None and batch.children_started >= headroom:
        return fail("OPEN_WORKFLOWS_LIMIT_EXCEEDED")
    config = info.configuration
    resolved = _resolve(attrs, config, _CHILD_DEFAULTS)
    if isinstance(resolved, str):
        return fail(resolved)
    event_attrs = {"workflowId": attrs["workflowId"], "workflowType": workflow_type}
    for optional in ("control", "input"):
        if optional in attrs:
            event_attrs[optional] = attrs[optional]
    event_attrs.update(
        executionStartToCloseTimeout=resolved["executionStartToCloseTimeout"],
        taskList={"name": resolved["taskList"]["name"]},
        taskPriority=attrs.get("taskPriority") or config.get("defaultTaskPriority") or "0",
        decisionTaskCompletedEventId=batch.completed_event_id,
        childPolicy=resolved["childPolicy"],
        taskStartToCloseTimeout=resolved["taskStartToCloseTimeout"],
    )
    if attrs.get("tagList"):
        event_attrs["tagList"] = attrs["tagList"]
    lambda_role = attrs.get("lambdaRole") or config.get("defaultLambdaRole")
    if lambda_role is not None:
        event_attrs["lambdaRole"] = lambda_role
    initiated = t.add("StartChildWorkflowExecutionInitiated", event_attrs)
    batch.children_started += 1
    t.send(f"start-child:{initiated.event_id}")


def _external(kind: str, event_type: str) -> Any:
    def apply(batch: _Batch, attrs: dict[str, Any]) -> None:
        event_attrs: dict[str, Any] = {"workflowId": attrs["workflowId"]}
        if attrs.get("runId"):
            event_attrs["runId"] = attrs["runId"]
        if kind == "signal":
            event_attrs["signalName"] = attrs["signalName"]
            if "input" in attrs:
                event_attrs["input"] = attrs["input"]
        event_attrs["decisionTaskCompletedEventId"] = batch.completed_event_id
        if "control" in attrs:
            event_attrs["control"] = attrs["control"]
        initiated = batch.t.add(event_type, event_attrs)
        batch.t.send(f"{kind}:{initiated.event_id}")

    return apply


def _continue_as_new(batch: _Batch, attrs: dict[str, Any]) -> None:
    t = batch.t
    state = t.state

    def fail(cause: str) -> None:
        batch.failed("ContinueAsNewWorkflowExecutionFailed", {"cause": cause})

    if batch.unhandled:
        return fail("UNHANDLED_DECISION")
    workflow_type = {
        "name": state.workflow_type["name"],
        "version": attrs.get("workflowTypeVersion") or state.workflow_type["version"],
    }
    info = batch.cmd.workflow_types.get((workflow_type["name"], workflow_type["version"]))
    if info is None:
        return fail("WORKFLOW_TYPE_DOES_NOT_EXIST")
    if info.status != "REGISTERED":
        return fail("WORKFLOW_TYPE_DEPRECATED")
    config = info.configuration
    resolved = _resolve(attrs, config, _CONTINUE_DEFAULTS)
    if isinstance(resolved, str):
        return fail(resolved)
    priority = attrs.get("taskPriority") or config.get("defaultTaskPriority") or "0"
    # Tags have no type default: the new run keeps the old run's unless the decision names
    # others; likewise the Lambda role.
    tags = attrs.get("tagList") or list(state.tag_list)
    lambda_role = attrs.get("lambdaRole") or config.get("defaultLambdaRole") or state.lambda_role
    new_run = c.StartExecution(
        workflow_id=state.workflow_id,
        run_id=batch.cmd.new_run_id,
        workflow_type=workflow_type,
        task_list=resolved["taskList"]["name"],
        task_priority=priority,
        execution_start_to_close_timeout=resolved["executionStartToCloseTimeout"],
        task_start_to_close_timeout=resolved["taskStartToCloseTimeout"],
        child_policy=resolved["childPolicy"],
        lambda_role=lambda_role,
        tag_list=tags,
        input=attrs.get("input"),
        parent=state.parent,
        parent_initiated_event_id=state.parent_initiated_event_id,
        continued_execution_run_id=state.run_id,
    )
    event_attrs: dict[str, Any] = {}
    if "input" in attrs:
        event_attrs["input"] = attrs["input"]
    event_attrs.update(
        decisionTaskCompletedEventId=batch.completed_event_id,
        newExecutionRunId=new_run.run_id,
        executionStartToCloseTimeout=new_run.execution_start_to_close_timeout,
        taskList={"name": new_run.task_list},
        taskPriority=priority,
        taskStartToCloseTimeout=new_run.task_start_to_close_timeout,
        childPolicy=new_run.child_policy,
    )
    if tags:
        event_attrs["tagList"] = tags
    event_attrs["workflowType"] = workflow_type
    if lambda_role is not None:
        event_attrs["lambdaRole"] = lambda_role
    t.add("WorkflowExecutionContinuedAsNew", event_attrs)
    t.continued = new_execution(new_run, t.now_ms, t.limits)


LAMBDA_DEFAULT_TIMEOUT = "900"


def _schedule_lambda(batch: _Batch, attrs: dict[str, Any]) -> None:
    t = batch.t
    function_id, name = attrs["id"], attrs["name"]

    def fail(cause: str) -> None:
        batch.failed(
            "ScheduleLambdaFunctionFailed", {"id": function_id, "name": name, "cause": cause}
        )

    if t.state.lambda_by_id(function_id) is not None:
        return fail("ID_ALREADY_IN_USE")
    if len(t.state.lambdas) >= t.limits.max_open_lambdas:
        return fail("OPEN_LAMBDA_FUNCTIONS_LIMIT_EXCEEDED")
    timeout = attrs.get("startToCloseTimeout") or LAMBDA_DEFAULT_TIMEOUT
    event_attrs: dict[str, Any] = {"id": function_id, "name": name}
    for optional in ("control", "input"):
        if optional in attrs:
            event_attrs[optional] = attrs[optional]
    event_attrs["startToCloseTimeout"] = timeout
    event_attrs["decisionTaskCompletedEventId"] = batch.completed_event_id
    scheduled = t.add("LambdaFunctionScheduled", event_attrs)
    if t.state.lambda_role is None:
        # SWF invokes Lambda functions with the execution's role; without one it cannot.
        t.add(
            "StartLambdaFunctionFailed",
            {
                "scheduledEventId": scheduled.event_id,
                "cause": "ASSUME_ROLE_FAILED",
                "message": "The workflow execution has no lambdaRole",
            },
        )
        batch.needs_decision = True
        return
    payload: dict[str, Any] = {"id": function_id, "name": name}
    if "input" in attrs:
        payload["input"] = attrs["input"]
    t.effects.new_tasks.append(
        TaskSpec(
            kind="lambda",
            task_list=LAMBDA_TASK_LIST,
            priority=0,
            scheduled_event_id=scheduled.event_id,
            payload=payload,
        )
    )
    # No worker may ever take it: until it starts, start-to-close counts from scheduling.
    t.set_timer(f"lambda:{scheduled.event_id}:START_TO_CLOSE", timeout)


_APPLY: dict[str, Any] = {
    "ScheduleActivityTask": _schedule_activity,
    "RequestCancelActivityTask": _request_cancel_activity,
    "RecordMarker": _record_marker,
    "StartTimer": _start_timer,
    "CancelTimer": _cancel_timer,
    "CompleteWorkflowExecution": _close("CompleteWorkflowExecution"),
    "FailWorkflowExecution": _close("FailWorkflowExecution"),
    "CancelWorkflowExecution": _close("CancelWorkflowExecution"),
    "ContinueAsNewWorkflowExecution": _continue_as_new,
    "StartChildWorkflowExecution": _start_child,
    "SignalExternalWorkflowExecution": _external(
        "signal", "SignalExternalWorkflowExecutionInitiated"
    ),
    "RequestCancelExternalWorkflowExecution": _external(
        "cancel", "RequestCancelExternalWorkflowExecutionInitiated"
    ),
    "ScheduleLambdaFunction": _schedule_lambda,
}
