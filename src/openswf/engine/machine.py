"""The entry point of the engine: ``handle(state, command, now_ms)``.

Every command either raises a protocol fault (the token or target is not valid any more;
nothing is recorded) or returns an ``Outcome``: the new events, the effects to write with
them, and the evolved state.
"""

from __future__ import annotations

from typing import Any

from openswf.engine import commands as c
from openswf.engine.decisions import complete_decision_task
from openswf.engine.effects import TimerSpec
from openswf.engine.start import new_execution as new_execution  # re-exported: the API
from openswf.engine.start import start_run
from openswf.engine.state import (
    CHILD_POLICY_RECEIVED,
    ActivityState,
    ExecutionState,
    Heartbeat,
)
from openswf.engine.transition import Outcome, StaleTask, Transition, duration_ms
from openswf.protocol.faults import UnknownResourceFault


def handle(
    state: ExecutionState, command: c.Command, now_ms: int, limits: c.Limits | None = None
) -> Outcome:
    """Run one command. ``state`` is owned by the engine from here on (it is evolved in place).

    Time never runs backwards within a run: with a clock set back (an NTP step, a VM
    restored), new events take the newest event's time, as SWF's histories are ordered."""
    now_ms = max(now_ms, state.last_event_ms)
    t = Transition(state=state, now_ms=now_ms, limits=limits or c.Limits())
    handler = _HANDLERS[type(command)]
    reply = handler(t, command)
    return t.outcome(reply)


# --- execution lifecycle ------------------------------------------------------------------


def _require_open(state: ExecutionState) -> None:
    if not state.is_open:
        raise UnknownResourceFault(
            f"Unknown execution: WorkflowExecution=[workflowId={state.workflow_id}, "
            f"runId={state.run_id}]"
        )


def _already_received(
    state: ExecutionState, external: dict[str, str] | None, initiated: int
) -> bool:
    return external is not None and f"{external['runId']}/{initiated}" in state.external_received


def _signal(t: Transition, cmd: c.SignalExecution) -> None:
    _require_open(t.state)
    if _already_received(t.state, cmd.external, cmd.external_initiated_event_id):
        return
    attrs: dict[str, Any] = {"signalName": cmd.signal_name}
    if cmd.input is not None:
        attrs["input"] = cmd.input
    if cmd.external is not None:
        attrs["externalWorkflowExecution"] = cmd.external
    # SWF writes the id even for a signal sent through the API, as 0 (its recorded histories
    # show it; simpleflow's integration tests compare the whole event).
    attrs["externalInitiatedEventId"] = cmd.external_initiated_event_id
    t.add("WorkflowExecutionSignaled", attrs)
    t.request_decision()


def _request_cancel(t: Transition, cmd: c.RequestCancelExecution) -> None:
    _require_open(t.state)
    if _already_received(t.state, cmd.external, cmd.external_initiated_event_id):
        return
    if cmd.cause == "CHILD_POLICY_APPLIED" and CHILD_POLICY_RECEIVED in t.state.external_received:
        return
    attrs: dict[str, Any] = {}
    if cmd.external is not None:
        attrs["externalWorkflowExecution"] = cmd.external
    attrs["externalInitiatedEventId"] = cmd.external_initiated_event_id  # 0 from the API, too
    if cmd.cause is not None:
        attrs["cause"] = cmd.cause
    t.add("WorkflowExecutionCancelRequested", attrs)
    t.request_decision()


def _terminate(t: Transition, cmd: c.TerminateExecution) -> None:
    _require_open(t.state)
    attrs: dict[str, Any] = {"childPolicy": cmd.child_policy or t.state.child_policy}
    if cmd.reason is not None:
        attrs["reason"] = cmd.reason
    if cmd.details is not None:
        attrs["details"] = cmd.details
    if cmd.cause is not None:
        attrs["cause"] = cmd.cause
    t.add("WorkflowExecutionTerminated", attrs)


# --- decision tasks -----------------------------------------------------------------------


def _start_decision(t: Transition, cmd: c.StartDecisionTask) -> None:
    decision = t.state.decision
    if (
        not t.state.is_open
        or decision is None
        or decision.scheduled_event_id != cmd.scheduled_event_id
        or decision.started_event_id
    ):
        raise StaleTask()
    attrs: dict[str, Any] = {"scheduledEventId": cmd.scheduled_event_id}
    if cmd.identity is not None:
        attrs["identity"] = cmd.identity
    t.add("DecisionTaskStarted", attrs)
    t.effects.done_tasks.append(("decision", cmd.scheduled_event_id))
    t.effects.cleared_timers.append(f"decision:{cmd.scheduled_event_id}:SCHEDULE_TO_START")
    t.set_timer(
        f"decision:{cmd.scheduled_event_id}:START_TO_CLOSE", decision.start_to_close_timeout
    )


def _complete_decision(t: Transition, cmd: c.CompleteDecisionTask) -> None:
    decision = t.state.decision
    if (
        not t.state.is_open
        or decision is None
        or decision.scheduled_event_id != cmd.scheduled_event_id
        or not decision.started_event_id
        or decision.started_event_id != cmd.started_event_id
    ):
        raise UnknownResourceFault("Unknown decision task")
    t.effects.cleared_timers.append(f"decision:{cmd.scheduled_event_id}:START_TO_CLOSE")
    complete_decision_task(t, cmd)


# --- activity tasks -----------------------------------------------------------------------


def _start_activity(t: Transition, cmd: c.StartActivityTask) -> None:
    activity = t.state.activities.get(cmd.scheduled_event_id)
    if not t.state.is_open or activity is None or activity.started_event_id:
        raise StaleTask()
    attrs: dict[str, Any] = {"scheduledEventId": cmd.scheduled_event_id}
    if cmd.identity is not None:
        attrs["identity"] = cmd.identity
    t.add("ActivityTaskStarted", attrs)
    t.effects.done_tasks.append(("activity", cmd.scheduled_event_id))
    prefix = f"activity:{cmd.scheduled_event_id}:"
    t.effects.cleared_timers.append(prefix + "SCHEDULE_TO_START")
    t.set_timer(prefix + "START_TO_CLOSE", activity.start_to_close_timeout)
    t.set_timer(prefix + "HEARTBEAT", activity.heartbeat_timeout)


def _started_activity(state: ExecutionState, scheduled: int, started: int) -> ActivityState:
    activity = state.activities.get(scheduled) if state.is_open else None
    if activity is None or activity.started_event_id != started or not started:
        raise UnknownResourceFault(f"Unknown activity, scheduledEventId = {scheduled}")
    return activity


def _respond_activity(t: Transition, cmd: c.RespondActivityTask) -> None:
    activity = _started_activity(t.state, cmd.scheduled_event_id, cmd.started_event_id)
    attrs: dict[str, Any] = {
        "scheduledEventId": cmd.scheduled_event_id,
        "startedEventId": cmd.started_event_id,
    }
    if cmd.outcome == "Completed":
        if cmd.result is not None:
            attrs["result"] = cmd.result
    elif cmd.outcome == "Failed":
        if cmd.reason is not None:
            attrs["reason"] = cmd.reason
        if cmd.details is not None:
            attrs["details"] = cmd.details
    else:
        if cmd.details is not None:
            attrs["details"] = cmd.details
        if activity.cancel_requested_event_id:
            attrs["latestCancelRequestedEventId"] = activity.cancel_requested_event_id
    t.clear_activity_timers(activity)
    t.add("ActivityTask" + cmd.outcome, attrs)
    t.request_decision()


def _heartbeat(t: Transition, cmd: c.RecordHeartbeat) -> bool:
    activity = _started_activity(t.state, cmd.scheduled_event_id, cmd.started_event_id)
    previous = t.state.heartbeats.get(cmd.scheduled_event_id)
    details = cmd.details
    if details is None and previous is not None:
        details = previous.details  # a heartbeat without details keeps the last ones
    t.state.heartbeats[cmd.scheduled_event_id] = Heartbeat(at_ms=t.now_ms, details=details)
    return activity.cancel_requested_event_id > 0


# --- other executions (delivered by the relay service) ------------------------------------

_CHILD_CLOSE_EVENTS = {
    "WorkflowExecutionCompleted": ("ChildWorkflowExecutionCompleted", ("result",)),
    "WorkflowExecutionFailed": ("ChildWorkflowExecutionFailed", ("reason", "details")),
    "WorkflowExecutionTimedOut": ("ChildWorkflowExecutionTimedOut", ("timeoutType",)),
    "WorkflowExecutionCanceled": ("ChildWorkflowExecutionCanceled", ("details",)),
    "WorkflowExecutionTerminated": ("ChildWorkflowExecutionTerminated", ()),
}


def _child_started(t: Transition, cmd: c.ChildStarted) -> None:
    child = t.state.children.get(cmd.initiated_event_id)
    if not t.state.is_open or child is None or child.run_id is not None:
        return  # delivered before, or the parent closed meanwhile
    t.add(
        "ChildWorkflowExecutionStarted",
        {
            "workflowExecution": {"workflowId": child.workflow_id, "runId": cmd.run_id},
            "workflowType": child.workflow_type,
            "initiatedEventId": cmd.initiated_event_id,
        },
    )
    t.request_decision()


def _child_start_failed(t: Transition, cmd: c.ChildStartFailed) -> None:
    child = t.state.children.get(cmd.initiated_event_id)
    if not t.state.is_open or child is None or child.run_id is not None:
        return
    attrs: dict[str, Any] = {
        "workflowType": child.workflow_type,
        "cause": cmd.cause,
        "workflowId": child.workflow_id,
        "initiatedEventId": cmd.initiated_event_id,
        "decisionTaskCompletedEventId": child.decision_task_completed_event_id,
    }
    if child.control is not None:
        attrs["control"] = child.control
    t.add("StartChildWorkflowExecutionFailed", attrs)
    t.request_decision()


def _child_closed(t: Transition, cmd: c.ChildClosed) -> None:
    if cmd.close_event not in _CHILD_CLOSE_EVENTS:
        return
    child = t.state.children.get(cmd.initiated_event_id)
    if not t.state.is_open or child is None:
        return
    if child.run_id is None:
        # The child finished before its start reached us: record the start first.
        _child_started(
            t, c.ChildStarted(initiated_event_id=cmd.initiated_event_id, run_id=cmd.run_id)
        )
    event_type, members = _CHILD_CLOSE_EVENTS[cmd.close_event]
    attrs: dict[str, Any] = {
        "workflowExecution": {"workflowId": child.workflow_id, "runId": cmd.run_id},
        "workflowType": child.workflow_type,
    }
    for member in members:
        if member in cmd.attributes:
            attrs[member] = cmd.attributes[member]
    attrs["initiatedEventId"] = cmd.initiated_event_id
    attrs["startedEventId"] = child.started_event_id
    t.add(event_type, attrs)
    t.request_decision()


def _external_delivered(t: Transition, cmd: c.ExternalDelivered) -> None:
    pending = (t.state.signals_out if cmd.kind == "signal" else t.state.cancels_out).get(
        cmd.initiated_event_id
    )
    if not t.state.is_open or pending is None:
        return
    if cmd.cause is not None:
        attrs: dict[str, Any] = {"workflowId": pending.workflow_id}
        if pending.run_id:
            attrs["runId"] = pending.run_id
        attrs["cause"] = cmd.cause
        attrs["initiatedEventId"] = cmd.initiated_event_id
        attrs["decisionTaskCompletedEventId"] = pending.decision_task_completed_event_id
        if pending.control is not None:
            attrs["control"] = pending.control
        failed = (
            "SignalExternalWorkflowExecutionFailed"
            if cmd.kind == "signal"
            else "RequestCancelExternalWorkflowExecutionFailed"
        )
        t.add(failed, attrs)
    else:
        done = (
            "ExternalWorkflowExecutionSignaled"
            if cmd.kind == "signal"
            else "ExternalWorkflowExecutionCancelRequested"
        )
        t.add(done, {"workflowExecution": cmd.target, "initiatedEventId": cmd.initiated_event_id})
    t.request_decision()


# --- Lambda tasks -------------------------------------------------------------------------


def _start_lambda(t: Transition, cmd: c.StartLambdaTask) -> None:
    function = t.state.lambdas.get(cmd.scheduled_event_id)
    if not t.state.is_open or function is None or function.started_event_id:
        raise StaleTask()
    t.add("LambdaFunctionStarted", {"scheduledEventId": cmd.scheduled_event_id})
    t.effects.done_tasks.append(("lambda", cmd.scheduled_event_id))
    # From its start, the function has its whole start-to-close time (it had counted from
    # scheduling only so that a function no worker takes still times out).
    t.set_timer(f"lambda:{cmd.scheduled_event_id}:START_TO_CLOSE", function.start_to_close_timeout)


def _respond_lambda(t: Transition, cmd: c.RespondLambdaTask) -> None:
    function = t.state.lambdas.get(cmd.scheduled_event_id) if t.state.is_open else None
    if (
        function is None
        or not cmd.started_event_id
        or function.started_event_id != cmd.started_event_id
    ):
        raise UnknownResourceFault(
            f"Unknown lambda function, scheduledEventId = {cmd.scheduled_event_id}"
        )
    attrs: dict[str, Any] = {
        "scheduledEventId": cmd.scheduled_event_id,
        "startedEventId": cmd.started_event_id,
    }
    if cmd.outcome == "Completed":
        if cmd.result is not None:
            attrs["result"] = cmd.result
    else:
        if cmd.reason is not None:
            attrs["reason"] = cmd.reason
        if cmd.details is not None:
            attrs["details"] = cmd.details
    t.effects.cleared_timers.append(f"lambda:{cmd.scheduled_event_id}:START_TO_CLOSE")
    t.add("LambdaFunction" + cmd.outcome, attrs)
    t.request_decision()


def _lambda_timeout(t: Transition, key: str, scheduled: int) -> None:
    function = t.state.lambdas.get(scheduled)
    if function is None:
        return
    since = function.started_ms if function.started_event_id else function.scheduled_ms
    if not _due(t, key, _deadline(since, function.start_to_close_timeout)):
        return
    if not function.started_event_id:
        t.effects.done_tasks.append(("lambda", scheduled))
    t.add(
        "LambdaFunctionTimedOut",
        {
            "scheduledEventId": scheduled,
            "startedEventId": function.started_event_id,
            "timeoutType": "START_TO_CLOSE",
        },
    )
    t.request_decision()


# --- timers and timeouts ------------------------------------------------------------------


def _fire_timers(t: Transition, cmd: c.FireTimers) -> None:
    for key in cmd.keys:
        _fire_timer(t, c.FireTimer(key=key))


def _fire_timer(t: Transition, cmd: c.FireTimer) -> None:
    state = t.state
    if not state.is_open:
        return
    # The fired row goes with this commit; a re-armed timer is written after the delete.
    t.effects.cleared_timers.append(cmd.key)
    scope, _, rest = cmd.key.partition(":")
    if scope == "workflow":
        _workflow_timeout(t, cmd.key)
    elif scope == "decision":
        scheduled, _, kind = rest.partition(":")
        _decision_timeout(t, cmd.key, int(scheduled), kind)
    elif scope == "activity":
        scheduled, _, kind = rest.partition(":")
        _activity_timeout(t, cmd.key, int(scheduled), kind)
    elif scope == "lambda":
        _lambda_timeout(t, cmd.key, int(rest.partition(":")[0]))
    elif scope == "timer":
        timer = state.timers.get(rest)
        if timer is not None and _due(t, cmd.key, timer.fire_ms):
            t.add("TimerFired", {"timerId": rest, "startedEventId": timer.started_event_id})
            t.request_decision()


def _due(t: Transition, key: str, deadline_ms: int | None) -> bool:
    """Whether a deadline has passed. A row that fired early (a clock ahead of the one that
    armed it) is re-armed for the deadline the state says, so it is never lost."""
    if deadline_ms is None:
        return False
    if t.now_ms >= deadline_ms:
        return True
    t.effects.timers.append(TimerSpec(key=key, due_ms=deadline_ms))
    return False


def _deadline(start_ms: int, duration: str) -> int | None:
    limit = duration_ms(duration)
    return None if limit is None else start_ms + limit


def _workflow_timeout(t: Transition, key: str) -> None:
    state = t.state
    if _due(t, key, _deadline(state.start_ms, state.execution_start_to_close_timeout)):
        t.add(
            "WorkflowExecutionTimedOut",
            {"timeoutType": "START_TO_CLOSE", "childPolicy": state.child_policy},
        )


def _decision_timeout(t: Transition, key: str, scheduled: int, kind: str) -> None:
    decision = t.state.decision
    if decision is None or decision.scheduled_event_id != scheduled:
        return
    started = decision.started_event_id
    if (kind == "START_TO_CLOSE") != bool(started):
        return  # the task moved on: a schedule-to-start timer after the start, or the reverse
    if started:
        deadline = _deadline(decision.started_ms, decision.start_to_close_timeout)
    else:
        deadline = _deadline(decision.scheduled_ms, decision.schedule_to_start_timeout)
    if not _due(t, key, deadline):
        return
    if not started:
        t.effects.done_tasks.append(("decision", scheduled))
    t.add(
        "DecisionTaskTimedOut",
        {"timeoutType": kind, "scheduledEventId": scheduled, "startedEventId": started},
    )
    t.schedule_decision()


def _activity_deadline(
    activity: ActivityState, heartbeat: Heartbeat | None, kind: str
) -> int | None:
    if kind == "SCHEDULE_TO_START":
        return _deadline(activity.scheduled_ms, activity.schedule_to_start_timeout)
    if kind == "SCHEDULE_TO_CLOSE":
        return _deadline(activity.scheduled_ms, activity.schedule_to_close_timeout)
    if kind == "START_TO_CLOSE":
        return _deadline(activity.started_ms, activity.start_to_close_timeout)
    # HEARTBEAT: measured from the last heartbeat, or from the start before the first one.
    last = heartbeat.at_ms if heartbeat else activity.started_ms
    return _deadline(last, activity.heartbeat_timeout)


def _activity_timeout(t: Transition, key: str, scheduled: int, kind: str) -> None:
    activity = t.state.activities.get(scheduled)
    if activity is None:
        return
    started = activity.started_event_id
    if kind == "SCHEDULE_TO_START" and started:
        return
    if kind in ("START_TO_CLOSE", "HEARTBEAT") and not started:
        return
    heartbeat = t.state.heartbeats.get(scheduled)
    if not _due(t, key, _activity_deadline(activity, heartbeat, kind)):
        return
    attrs: dict[str, Any] = {
        "timeoutType": kind,
        "scheduledEventId": scheduled,
        "startedEventId": started,
    }
    if heartbeat is not None and heartbeat.details is not None:
        attrs["details"] = heartbeat.details
    if not started:
        t.effects.done_tasks.append(("activity", scheduled))
    t.clear_activity_timers(activity)
    t.add("ActivityTaskTimedOut", attrs)
    t.request_decision()


_HANDLERS: dict[type, Any] = {
    c.StartExecution: start_run,
    c.StartDecisionTask: _start_decision,
    c.CompleteDecisionTask: _complete_decision,
    c.StartActivityTask: _start_activity,
    c.RespondActivityTask: _respond_activity,
    c.RecordHeartbeat: _heartbeat,
    c.SignalExecution: _signal,
    c.RequestCancelExecution: _request_cancel,
    c.TerminateExecution: _terminate,
    c.FireTimer: _fire_timer,
    c.FireTimers: _fire_timers,
    c.ChildStarted: _child_started,
    c.ChildStartFailed: _child_start_failed,
    c.ChildClosed: _child_closed,
    c.ExternalDelivered: _external_delivered,
    c.StartLambdaTask: _start_lambda,
    c.RespondLambdaTask: _respond_lambda,
}
