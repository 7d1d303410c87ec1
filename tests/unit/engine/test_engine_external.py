"""Signals, cancel requests, termination and the history limit (reference §6.7, §6.11)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openswf.engine import commands as c
from openswf.protocol.faults import UnknownResourceFault
from tests.unit.engine.engine_helpers import (
    Run,
    attrs,
    complete_workflow,
    record_marker,
    start_command,
    types_of,
)

# --- signals -------------------------------------------------------------------------------


def test_signal_records_the_event_and_schedules_a_decision_task() -> None:
    run = Run()
    run.decide([])

    outcome = run.signal("go", input="payload")

    assert types_of(outcome) == ["WorkflowExecutionSignaled", "DecisionTaskScheduled"]
    assert attrs(outcome, "WorkflowExecutionSignaled") == {
        "signalName": "go",
        "input": "payload",
        "externalInitiatedEventId": 0,  # as SWF writes it for a signal from the API
    }
    assert [t.kind for t in outcome.effects.new_tasks] == ["decision"]


def test_signal_without_input_omits_it() -> None:
    run = Run()

    assert attrs(run.signal("go"), "WorkflowExecutionSignaled") == {
        "signalName": "go",
        "externalInitiatedEventId": 0,
    }


# --- cancel requests -----------------------------------------------------------------------


def test_request_cancel_records_the_event_and_schedules_a_decision_task() -> None:
    run = Run()
    run.decide([])

    outcome = run.do(c.RequestCancelExecution())

    assert types_of(outcome) == ["WorkflowExecutionCancelRequested", "DecisionTaskScheduled"]
    assert run.state.cancel_requested
    assert run.state.is_open


def test_request_cancel_joins_a_scheduled_decision_task() -> None:
    run = Run()

    outcome = run.do(c.RequestCancelExecution())

    assert types_of(outcome) == ["WorkflowExecutionCancelRequested"]


# --- terminate -----------------------------------------------------------------------------


def test_terminate_uses_the_execution_child_policy_by_default() -> None:
    run = Run(start_command(child_policy="REQUEST_CANCEL"))

    outcome = run.do(c.TerminateExecution(reason="because", details="d"))

    assert types_of(outcome) == ["WorkflowExecutionTerminated"]
    assert attrs(outcome, "WorkflowExecutionTerminated") == {
        "childPolicy": "REQUEST_CANCEL",
        "reason": "because",
        "details": "d",
    }
    assert outcome.effects.closed
    assert run.state.close_status == "TERMINATED"
    assert run.state.decision is None


def test_terminate_child_policy_can_be_overridden() -> None:
    run = Run(start_command(child_policy="TERMINATE"))

    outcome = run.do(c.TerminateExecution(child_policy="ABANDON"))

    assert attrs(outcome, "WorkflowExecutionTerminated") == {"childPolicy": "ABANDON"}


def test_terminate_ends_open_work() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")
    run.signal()
    run.start_decision()

    outcome = run.do(c.TerminateExecution())

    assert outcome.effects.closed
    assert run.state.activities == {} and run.state.timers == {}
    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=started, outcome="Completed"
        ),
        UnknownResourceFault,
    )


# --- acting on a closed run ---------------------------------------------------------------


def completed(run: Run) -> None:
    run.decide([complete_workflow()])


def terminated(run: Run) -> None:
    run.do(c.TerminateExecution())


def timed_out(run: Run) -> None:
    run.fire("workflow:START_TO_CLOSE", at_ms=run.now_ms + 3600 * 1000)


@pytest.mark.parametrize("close", [completed, terminated, timed_out], ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    "command",
    [
        c.SignalExecution(signal_name="late"),
        c.RequestCancelExecution(),
        c.TerminateExecution(reason="again"),
    ],
    ids=["signal", "request-cancel", "terminate"],
)
def test_acting_on_a_closed_run_is_unknown(
    close: Callable[[Run], None], command: c.Command
) -> None:
    run = Run()
    close(run)

    error = run.fault(command, UnknownResourceFault)

    assert "wf-1" in str(error) and "run-1" in str(error)


# --- the history limit ---------------------------------------------------------------------


def test_reaching_the_history_limit_terminates_the_run() -> None:
    run = Run(limits=c.Limits(max_history_events=6))  # started + scheduled = 2 events
    run.signal("s3")
    run.signal("s4")

    outcome = run.signal("s5")

    assert types_of(outcome) == ["WorkflowExecutionSignaled", "WorkflowExecutionTerminated"]
    terminated_event = outcome.events[-1]
    assert terminated_event.event_id == 6, "the limit-th event is the termination"
    assert terminated_event.attributes == {
        "childPolicy": "TERMINATE",
        "cause": "EVENT_LIMIT_EXCEEDED",
    }
    assert outcome.effects.closed
    assert run.state.close_status == "TERMINATED"


def test_history_limit_termination_uses_the_execution_child_policy() -> None:
    run = Run(start_command(child_policy="ABANDON"), limits=c.Limits(max_history_events=4))

    outcome = run.signal()

    assert attrs(outcome, "WorkflowExecutionTerminated")["childPolicy"] == "ABANDON"


def test_history_limit_below_the_limit_does_nothing() -> None:
    run = Run(limits=c.Limits(max_history_events=10))

    for _ in range(6):
        assert "WorkflowExecutionTerminated" not in types_of(run.signal())
    assert run.state.is_open


def test_history_limit_during_a_decision_batch() -> None:
    run = Run(limits=c.Limits(max_history_events=8))

    outcome = run.decide([record_marker(f"m{i}") for i in range(10)])

    assert types_of(outcome)[-1] == "WorkflowExecutionTerminated"
    assert attrs(outcome, "WorkflowExecutionTerminated")["cause"] == "EVENT_LIMIT_EXCEEDED"
    assert not run.state.is_open
    # Reference §6.11 / §10: the run is terminated when its history *reaches* the limit, so
    # the history never grows past it, however many decisions one task carries.
    assert len(run.history) <= 8


def test_history_limit_reached_by_a_claim() -> None:
    run = Run(limits=c.Limits(max_history_events=4))

    outcome = run.start_decision()

    assert types_of(outcome) == ["DecisionTaskStarted", "WorkflowExecutionTerminated"]
    assert outcome.events[-1].event_id == 4
    assert outcome.effects.closed
