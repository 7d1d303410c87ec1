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
from openswf.engine.state import ActivityState, ExecutionState, Heartbeat
from openswf.engine.transition import Outcome, StaleTask, Transition, duration_ms
from openswf.protocol.faults import UnknownResourceFault


def handle(
    state: ExecutionState, command: c.Command, now_ms: int, limits: c.Limits | None = None
) -> Outcome:
    """Run one command. ``state`` is owned by the engine from here on (it is evolved in place)."""
    t = Transition(state=state, now_ms=now_ms, limits=limits or c.Limits())
    handler = _HANDLERS[type(command)]
    reply = handler(t, command)
    return t.outcome(reply)


def new_execution(command: c.StartExecution, now_ms: int) -> Outcome:
    return handle(
        ExecutionState(run_id=command.run_id, workflow_id=command.workflow_id), command, now_ms
    )


# --- execution lifecycle ------------------------------------------------------------------


def _start(t: Transition, cmd: c.StartExecution) -> None:
    attrs: dict[str, Any] = {
        "executionStartToCloseTimeout": cmd.execution_start_to_close_timeout,
        "taskStartToCloseTimeout": cmd.task_start_to_close_timeout,
        "childPolicy": cmd.child_policy,
        "taskList": {"name": cmd.task_list},
        "taskPriority": cmd.task_priority,
        "workflowType": cmd.workflow_type,
        "parentInitiatedEventId": 0,
    }
    if cmd.input is not None:
        attrs["input"] = cmd.input
    if cmd.tag_list:
        attrs["tagList"] = list(cmd.tag_list)
    if cmd.lambda_role is not None:
        attrs["lambdaRole"] = cmd.lambda_role
    t.add("WorkflowExecutionStarted", attrs)
    t.set_timer("workflow:START_TO_CLOSE", cmd.execution_start_to_close_timeout)
    t.schedule_decision()


def _require_open(state: ExecutionState) -> None:
    if not state.is_open:
        raise UnknownResourceFault(
            f"Unknown execution: WorkflowExecution=[workflowId={state.workflow_id}, "
            f"runId={state.run_id}]"
        )


def _signal(t: Transition, cmd: c.SignalExecution) -> None:
    _require_open(t.state)
    attrs: dict[str, Any] = {"signalName": cmd.signal_name}
    if cmd.input is not None:
        attrs["input"] = cmd.input
    t.add("WorkflowExecutionSignaled", attrs)
    t.request_decision()


def _request_cancel(t: Transition, cmd: c.RequestCancelExecution) -> None:
    _require_open(t.state)
    t.add("WorkflowExecutionCancelRequested", {})
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
    details = cmd.details if cmd.details is not None else (previous and previous.details)
    t.state.heartbeats[cmd.scheduled_event_id] = Heartbeat(at_ms=t.now_ms, details=details)
    return activity.cancel_requested_event_id > 0


# --- timers and timeouts ------------------------------------------------------------------


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
    c.StartExecution: _start,
    c.StartDecisionTask: _start_decision,
    c.CompleteDecisionTask: _complete_decision,
    c.StartActivityTask: _start_activity,
    c.RespondActivityTask: _respond_activity,
    c.RecordHeartbeat: _heartbeat,
    c.SignalExecution: _signal,
    c.RequestCancelExecution: _request_cancel,
    c.TerminateExecution: _terminate,
    c.FireTimer: _fire_timer,
}
