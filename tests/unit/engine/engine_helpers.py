"""Given-history / when-command / then-events for the execution engine.

``Run`` drives one execution through ``openswf.engine.machine``. Every command goes through
``Run.do``, which checks after every transition what must always hold, so no test can forget:

- DESIGN.md invariant 2: ``rebuild(all events so far) == state`` (``heartbeats`` excluded,
  they are deliberately not history);
- event ids are contiguous from 1, stamped with the command's time, and ``next_event_id``
  follows the last one;
- the effects match the events: every ``DecisionTaskScheduled`` / ``ActivityTaskScheduled``
  comes with its task row, a transition that closes the run says so in ``effects.closed``
  and records nothing after the closing event;
- at most one decision task is open (scheduled or started) at any time (reference §6.4);
- a command that raises changes nothing (invariant 6: "records nothing").

The engine evolves the state it is given in place, so ``Run`` hands it a deep copy and only
adopts the result when the command succeeds.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.engine.events import CLOSE_EVENTS, HistoryEvent
from openswf.engine.machine import handle, new_execution
from openswf.engine.state import ExecutionState, rebuild
from openswf.engine.transition import Outcome

T0 = 1_700_000_000_000  # the start time of every run, epoch ms
SEC = 1000

WF_TYPE = {"name": "wf", "version": "1"}
ACT_TYPE = {"name": "act", "version": "1"}

# An activity type with every default set (the test suite's usual registration).
FULL_DEFAULTS: dict[str, Any] = {
    "defaultTaskList": {"name": "activities"},
    "defaultTaskPriority": "3",
    "defaultTaskScheduleToStartTimeout": "600",
    "defaultTaskScheduleToCloseTimeout": "1200",
    "defaultTaskStartToCloseTimeout": "300",
    "defaultTaskHeartbeatTimeout": "60",
}


def activity_type_info(status: str = "REGISTERED", **configuration: Any) -> c.ActivityTypeInfo:
    """A registered type with ``FULL_DEFAULTS``, any of them overridden (``None`` drops one)."""
    config = {**FULL_DEFAULTS, **configuration}
    return c.ActivityTypeInfo(
        status=status, configuration={k: v for k, v in config.items() if v is not None}
    )


DEFAULT_TYPES: dict[tuple[str, str], c.ActivityTypeInfo] = {
    (ACT_TYPE["name"], ACT_TYPE["version"]): activity_type_info()
}


def start_command(**overrides: Any) -> c.StartExecution:
    values: dict[str, Any] = {
        "workflow_id": "wf-1",
        "run_id": "run-1",
        "workflow_type": dict(WF_TYPE),
        "task_list": "decisions",
        "task_priority": "0",
        "execution_start_to_close_timeout": "3600",
        "task_start_to_close_timeout": "60",
        "child_policy": "TERMINATE",
    }
    values.update(overrides)
    return c.StartExecution(**values)


# --- decisions, in wire form ---------------------------------------------------------------


def decision(decision_type: str, **attributes: Any) -> dict[str, Any]:
    member = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    return {"decisionType": decision_type, member: attributes}


def schedule_activity(activity_id: str = "a1", **attributes: Any) -> dict[str, Any]:
    attributes.setdefault("activityType", dict(ACT_TYPE))
    return decision("ScheduleActivityTask", activityId=activity_id, **attributes)


def request_cancel_activity(activity_id: str) -> dict[str, Any]:
    return decision("RequestCancelActivityTask", activityId=activity_id)


def record_marker(name: str = "m", **attributes: Any) -> dict[str, Any]:
    return decision("RecordMarker", markerName=name, **attributes)


def start_timer(timer_id: str = "t1", seconds: str = "30", **attributes: Any) -> dict[str, Any]:
    return decision("StartTimer", timerId=timer_id, startToFireTimeout=seconds, **attributes)


def cancel_timer(timer_id: str = "t1") -> dict[str, Any]:
    return decision("CancelTimer", timerId=timer_id)


def complete_workflow(**attributes: Any) -> dict[str, Any]:
    return decision("CompleteWorkflowExecution", **attributes)


def fail_workflow(**attributes: Any) -> dict[str, Any]:
    return decision("FailWorkflowExecution", **attributes)


def cancel_workflow(**attributes: Any) -> dict[str, Any]:
    return decision("CancelWorkflowExecution", **attributes)


# --- reading outcomes ------------------------------------------------------------------------


def types_of(events: Iterable[HistoryEvent] | Outcome) -> list[str]:
    if isinstance(events, Outcome):
        events = events.events
    return [e.event_type for e in events]


def only(outcome: Outcome | list[HistoryEvent], event_type: str) -> HistoryEvent:
    """The single event of ``event_type`` in ``outcome`` (fails if there are 0 or several)."""
    events = outcome.events if isinstance(outcome, Outcome) else outcome
    found = [e for e in events if e.event_type == event_type]
    assert len(found) == 1, f"expected one {event_type} in {types_of(events)}"
    return found[0]


def attrs(outcome: Outcome | list[HistoryEvent], event_type: str) -> dict[str, Any]:
    return only(outcome, event_type).attributes


def timer_keys(outcome: Outcome) -> dict[str, int]:
    """The timers a transition arms: key -> due time."""
    return {timer.key: timer.due_ms for timer in outcome.effects.timers}


def comparable(state: ExecutionState) -> ExecutionState:
    """``state`` without what is not history (DESIGN.md invariant 2 excludes heartbeats)."""
    copied = copy.deepcopy(state)
    copied.heartbeats = {}
    return copied


# --- the driver ------------------------------------------------------------------------------


class Run:
    """One execution, its whole history, and a manual clock."""

    def __init__(
        self, start: c.StartExecution | None = None, *, limits: c.Limits | None = None
    ) -> None:
        self.now_ms = T0
        self.limits = limits or c.Limits()
        self.history: list[HistoryEvent] = []
        command = start or start_command()
        self.start_outcome = new_execution(command, self.now_ms)
        self.state: ExecutionState = self.start_outcome.state
        self._record(self.start_outcome, ExecutionState(), command)

    # --- time ----------------------------------------------------------------------------

    def advance(self, seconds: float) -> int:
        self.now_ms += int(seconds * SEC)
        return self.now_ms

    def at(self, ms: int) -> None:
        self.now_ms = ms

    # --- the one way commands run --------------------------------------------------------

    def do(self, command: c.Command) -> Outcome:
        before = copy.deepcopy(self.state)
        working = copy.deepcopy(self.state)
        try:
            outcome = handle(working, command, self.now_ms, self.limits)
        except BaseException:
            assert working == before, "a command that raises must leave the state untouched"
            raise
        self._record(outcome, before, command)
        self.state = outcome.state
        return outcome

    def fault(self, command: c.Command, fault: type[BaseException]) -> BaseException:
        """Run ``command`` expecting ``fault``; check that nothing was recorded."""
        history = list(self.history)
        state = copy.deepcopy(self.state)
        with pytest.raises(fault) as caught:
            self.do(command)
        assert self.history == history
        assert self.state == state
        return caught.value

    def _record(self, outcome: Outcome, before: ExecutionState, command: c.Command) -> None:
        events = outcome.events
        first = len(self.history) + 1
        assert [e.event_id for e in events] == list(range(first, first + len(events))), (
            "event ids must be contiguous from 1"
        )
        assert all(e.timestamp_ms == self.now_ms for e in events)
        self.history.extend(copy.deepcopy(events))
        state = outcome.state
        assert state.next_event_id == len(self.history) + 1
        # DESIGN.md invariant 2: the snapshot is what folding the history gives.
        rebuilt = rebuild(self.history, run_id=state.run_id, workflow_id=state.workflow_id)
        assert comparable(rebuilt) == comparable(state), (
            f"rebuild(history) != state after {type(command).__name__}"
        )
        self._check_effects(outcome, before)

    def _check_effects(self, outcome: Outcome, before: ExecutionState) -> None:
        effects = outcome.effects
        scheduled = [e for e in outcome.events if e.event_type == "DecisionTaskScheduled"]
        assert len(scheduled) <= 1, "at most one decision task is scheduled per transition"
        new_tasks = {(t.kind, t.scheduled_event_id) for t in effects.new_tasks}
        for event in outcome.events:
            if event.event_type == "DecisionTaskScheduled":
                assert ("decision", event.event_id) in new_tasks
            if event.event_type == "ActivityTaskScheduled":
                assert ("activity", event.event_id) in new_tasks
        # Reference §6.4: at most one open (scheduled or started) decision task per execution.
        open_decision = before.decision is not None
        for event in outcome.events:
            if event.event_type == "DecisionTaskScheduled":
                assert not open_decision, "a second decision task was scheduled"
                open_decision = True
            elif event.event_type in ("DecisionTaskCompleted", "DecisionTaskTimedOut"):
                open_decision = False
        closing = [e for e in outcome.events if e.event_type in CLOSE_EVENTS]
        assert len(closing) <= 1
        assert effects.closed == (before.is_open and not outcome.state.is_open)
        if closing:
            assert outcome.events[-1] is closing[0], "nothing is recorded after the run closes"

    # --- decision tasks -------------------------------------------------------------------

    @property
    def decision_scheduled_id(self) -> int:
        assert self.state.decision is not None, "no decision task is open"
        return self.state.decision.scheduled_event_id

    def start_decision(self, identity: str | None = None) -> Outcome:
        return self.do(
            c.StartDecisionTask(scheduled_event_id=self.decision_scheduled_id, identity=identity)
        )

    def complete_decision(
        self,
        decisions: list[dict[str, Any]] | None = None,
        *,
        activity_types: dict[tuple[str, str], c.ActivityTypeInfo] | None = None,
        **kwargs: Any,
    ) -> Outcome:
        decision_state = self.state.decision
        assert decision_state is not None and decision_state.started_event_id
        return self.do(
            c.CompleteDecisionTask(
                scheduled_event_id=decision_state.scheduled_event_id,
                started_event_id=decision_state.started_event_id,
                decisions=copy.deepcopy(decisions or []),
                activity_types=DEFAULT_TYPES if activity_types is None else activity_types,
                **kwargs,
            )
        )

    def decide(self, decisions: list[dict[str, Any]] | None = None, **kwargs: Any) -> Outcome:
        """Claim the open decision task and complete it with ``decisions``."""
        self.start_decision()
        return self.complete_decision(decisions, **kwargs)

    # --- activity tasks --------------------------------------------------------------------

    def scheduled_id(self, activity_id: str) -> int:
        activity = self.state.activity_by_id(activity_id)
        assert activity is not None, f"activity {activity_id} is not open"
        return activity.scheduled_event_id

    def started_id(self, activity_id: str) -> int:
        activity = self.state.activity_by_id(activity_id)
        assert activity is not None, f"activity {activity_id} is not open"
        return activity.started_event_id

    def schedule(self, activity_id: str = "a1", **attributes: Any) -> int:
        """Decide to schedule one activity; returns its scheduledEventId."""
        outcome = self.decide([schedule_activity(activity_id, **attributes)])
        assert "ActivityTaskScheduled" in types_of(outcome), types_of(outcome)
        return self.scheduled_id(activity_id)

    def start_activity(self, activity_id: str = "a1", identity: str | None = None) -> Outcome:
        return self.do(
            c.StartActivityTask(
                scheduled_event_id=self.scheduled_id(activity_id), identity=identity
            )
        )

    def running_activity(self, activity_id: str = "a1", **attributes: Any) -> tuple[int, int]:
        """Schedule and start one activity; returns (scheduledEventId, startedEventId)."""
        scheduled = self.schedule(activity_id, **attributes)
        self.start_activity(activity_id)
        return scheduled, self.started_id(activity_id)

    def respond(self, activity_id: str, outcome: str, **kwargs: Any) -> Outcome:
        return self.do(
            c.RespondActivityTask(
                scheduled_event_id=self.scheduled_id(activity_id),
                started_event_id=self.started_id(activity_id),
                outcome=outcome,
                **kwargs,
            )
        )

    def heartbeat(self, activity_id: str = "a1", details: str | None = None) -> Outcome:
        return self.do(
            c.RecordHeartbeat(
                scheduled_event_id=self.scheduled_id(activity_id),
                started_event_id=self.started_id(activity_id),
                details=details,
            )
        )

    # --- the outside world -------------------------------------------------------------------

    def signal(self, name: str = "sig", input: str | None = None) -> Outcome:
        return self.do(c.SignalExecution(signal_name=name, input=input))

    def fire(self, key: str, *, at_ms: int | None = None) -> Outcome:
        if at_ms is not None:
            self.at(at_ms)
        return self.do(c.FireTimer(key=key))


# --- executions between executions: children, external requests, continue-as-new, Lambda ---

ROLE = "arn:aws:iam::123456789012:role/swf-lambda"

# A workflow type with every default set, as StartChildWorkflowExecution and
# ContinueAsNewWorkflowExecution resolve them (reference §4.2).
WF_FULL_DEFAULTS: dict[str, Any] = {
    "defaultTaskList": {"name": "type-decisions"},
    "defaultTaskPriority": "2",
    "defaultExecutionStartToCloseTimeout": "7200",
    "defaultTaskStartToCloseTimeout": "30",
    "defaultChildPolicy": "REQUEST_CANCEL",
}


def workflow_type_info(status: str = "REGISTERED", **configuration: Any) -> c.WorkflowTypeInfo:
    """A workflow type with ``WF_FULL_DEFAULTS``, any of them overridden (``None`` drops one)."""
    config = {**WF_FULL_DEFAULTS, **configuration}
    return c.WorkflowTypeInfo(
        status=status, configuration={k: v for k, v in config.items() if v is not None}
    )


def workflow_types(
    *entries: tuple[dict[str, str], c.WorkflowTypeInfo],
) -> dict[tuple[str, str], c.WorkflowTypeInfo]:
    """``CompleteDecisionTask.workflow_types`` for ``(type, info)`` pairs; ``WF_TYPE`` with
    every default when none are given."""
    pairs = entries or ((WF_TYPE, workflow_type_info()),)
    return {(t["name"], t["version"]): info for t, info in pairs}


def start_child(workflow_id: str = "kid", **attributes: Any) -> dict[str, Any]:
    attributes.setdefault("workflowType", dict(WF_TYPE))
    return decision("StartChildWorkflowExecution", workflowId=workflow_id, **attributes)


def signal_external(
    workflow_id: str = "target", signal_name: str = "sig", **attributes: Any
) -> dict[str, Any]:
    return decision(
        "SignalExternalWorkflowExecution",
        workflowId=workflow_id,
        signalName=signal_name,
        **attributes,
    )


def request_cancel_external(workflow_id: str = "target", **attributes: Any) -> dict[str, Any]:
    return decision("RequestCancelExternalWorkflowExecution", workflowId=workflow_id, **attributes)


def continue_as_new(**attributes: Any) -> dict[str, Any]:
    return decision("ContinueAsNewWorkflowExecution", **attributes)


def schedule_lambda(function_id: str = "f1", name: str = "fn", **attributes: Any) -> dict[str, Any]:
    return decision("ScheduleLambdaFunction", id=function_id, name=name, **attributes)


def adopt(outcome: Outcome, now_ms: int, *, limits: c.Limits | None = None) -> Run:
    """A ``Run`` for the run another transition started (``outcome.continued_as_new``), with
    the same checks as a run started by ``Run()``: its history rebuilds its state."""
    run = Run.__new__(Run)
    run.now_ms = now_ms
    run.limits = limits or c.Limits()
    run.history = []
    run.start_outcome = outcome
    run.state = outcome.state
    # The command only names the transition in failure messages.
    run._record(outcome, ExecutionState(), c.FireTimer(key="continued-as-new"))
    return run
