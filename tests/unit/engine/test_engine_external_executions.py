"""Signals and cancel requests between executions (reference §4, §4.2, §5, §6.7, §6.11):
the sender's Signal/RequestCancelExternalWorkflowExecution decisions and their delivery
report, and the target's Signal/RequestCancelExecution carrying the sender."""

from __future__ import annotations

from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TimerSpec
from openswf.engine.state import ExternalRequest
from tests.unit.engine.engine_helpers import (
    Run,
    attrs,
    cancel_workflow,
    complete_workflow,
    request_cancel_external,
    signal_external,
    timer_keys,
    types_of,
)

TARGET = {"workflowId": "target", "runId": "target-run"}
SOURCE = {"workflowId": "sender", "runId": "sender-run"}

# kind -> (decision builder, Initiated, delivered, failed)
KINDS: dict[str, tuple[Any, str, str, str]] = {
    "signal": (
        lambda **a: signal_external("target", "sig", **a),
        "SignalExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionSignaled",
        "SignalExternalWorkflowExecutionFailed",
    ),
    "cancel": (
        lambda **a: request_cancel_external("target", **a),
        "RequestCancelExternalWorkflowExecutionInitiated",
        "ExternalWorkflowExecutionCancelRequested",
        "RequestCancelExternalWorkflowExecutionFailed",
    ),
}


def initiated_run(kind: str, **attributes: Any) -> tuple[Run, int]:
    run = Run()
    outcome = run.decide([KINDS[kind][0](**attributes)])
    return run, outcome.events[-1].event_id


# --- the sender's decisions ---------------------------------------------------------------


def test_signal_external_records_initiated_and_sends_the_message() -> None:
    run = Run()
    run.advance(4)

    outcome = run.decide(
        [signal_external("target", "wake", runId="target-run", input="in", control="ctl")]
    )

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "SignalExternalWorkflowExecutionInitiated",
    ]
    assert attrs(outcome, "SignalExternalWorkflowExecutionInitiated") == {
        "workflowId": "target",
        "runId": "target-run",
        "signalName": "wake",
        "input": "in",
        "decisionTaskCompletedEventId": 4,
        "control": "ctl",
    }
    assert TimerSpec(key="msg:signal:5", due_ms=run.now_ms) in outcome.effects.timers
    assert outcome.effects.new_tasks == []
    assert run.state.decision is None, "an Initiated event alone schedules no decision task"
    assert run.state.signals_out == {
        5: ExternalRequest(
            initiated_event_id=5,
            workflow_id="target",
            run_id="target-run",
            control="ctl",
            decision_task_completed_event_id=4,
        )
    }


def test_signal_external_without_run_id_input_or_control() -> None:
    run = Run()

    outcome = run.decide([signal_external("target", "wake")])

    assert attrs(outcome, "SignalExternalWorkflowExecutionInitiated") == {
        "workflowId": "target",
        "signalName": "wake",
        "decisionTaskCompletedEventId": 4,
    }
    assert run.state.signals_out[5].run_id is None


def test_request_cancel_external_records_initiated_and_sends_the_message() -> None:
    run = Run()

    outcome = run.decide([request_cancel_external("target", runId="target-run", control="ctl")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "RequestCancelExternalWorkflowExecutionInitiated",
    ]
    assert attrs(outcome, "RequestCancelExternalWorkflowExecutionInitiated") == {
        "workflowId": "target",
        "runId": "target-run",
        "decisionTaskCompletedEventId": 4,
        "control": "ctl",
    }
    assert TimerSpec(key="msg:cancel:5", due_ms=run.now_ms) in outcome.effects.timers
    assert run.state.decision is None
    assert list(run.state.cancels_out) == [5]
    assert run.state.signals_out == {}


def test_request_cancel_external_without_run_id_or_control() -> None:
    run = Run()

    outcome = run.decide([request_cancel_external("target")])

    assert attrs(outcome, "RequestCancelExternalWorkflowExecutionInitiated") == {
        "workflowId": "target",
        "decisionTaskCompletedEventId": 4,
    }


def test_several_requests_in_one_batch_each_get_their_message() -> None:
    run = Run()

    outcome = run.decide(
        [signal_external("a", "s"), signal_external("a", "s"), request_cancel_external("a")]
    )

    assert {"msg:signal:5", "msg:signal:6", "msg:cancel:7"} <= set(timer_keys(outcome))


# --- the delivery report --------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_delivered_records_the_event_and_schedules_a_decision_task(kind: str) -> None:
    run, initiated = initiated_run(kind, control="ctl")
    _, _, delivered, _ = KINDS[kind]

    outcome = run.do(c.ExternalDelivered(kind=kind, initiated_event_id=initiated, target=TARGET))

    assert types_of(outcome) == [delivered, "DecisionTaskScheduled"]
    assert attrs(outcome, delivered) == {"workflowExecution": TARGET, "initiatedEventId": 5}
    assert run.state.signals_out == {} and run.state.cancels_out == {}


@pytest.mark.parametrize("kind", list(KINDS))
def test_failed_delivery_records_every_attribute(kind: str) -> None:
    run, initiated = initiated_run(kind, runId="target-run", control="ctl")
    _, _, _, failed = KINDS[kind]

    outcome = run.do(
        c.ExternalDelivered(
            kind=kind, initiated_event_id=initiated, cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
        )
    )

    assert types_of(outcome) == [failed, "DecisionTaskScheduled"]
    assert attrs(outcome, failed) == {
        "workflowId": "target",
        "runId": "target-run",
        "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
        "initiatedEventId": 5,
        "decisionTaskCompletedEventId": 4,
        "control": "ctl",
    }
    assert run.state.signals_out == {} and run.state.cancels_out == {}


@pytest.mark.parametrize("kind", list(KINDS))
def test_failed_delivery_without_run_id_or_control_omits_them(kind: str) -> None:
    run, initiated = initiated_run(kind)
    _, _, _, failed = KINDS[kind]

    outcome = run.do(
        c.ExternalDelivered(
            kind=kind, initiated_event_id=initiated, cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
        )
    )

    assert attrs(outcome, failed) == {
        "workflowId": "target",
        "cause": "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION",
        "initiatedEventId": 5,
        "decisionTaskCompletedEventId": 4,
    }


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("cause", [None, "UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"])
def test_a_report_delivered_twice_records_once(kind: str, cause: str | None) -> None:
    run, initiated = initiated_run(kind)
    report = c.ExternalDelivered(
        kind=kind, initiated_event_id=initiated, target=TARGET, cause=cause
    )
    run.do(report)

    again = run.do(report)

    assert again.events == []
    assert again.effects.new_tasks == [] and again.effects.timers == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_success_after_a_failure_records_nothing(kind: str) -> None:
    run, initiated = initiated_run(kind)
    run.do(
        c.ExternalDelivered(
            kind=kind, initiated_event_id=initiated, cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"
        )
    )

    outcome = run.do(c.ExternalDelivered(kind=kind, initiated_event_id=initiated, target=TARGET))

    assert outcome.events == []


def test_a_report_of_the_other_kind_records_nothing() -> None:
    run, initiated = initiated_run("signal")

    outcome = run.do(
        c.ExternalDelivered(kind="cancel", initiated_event_id=initiated, target=TARGET)
    )

    assert outcome.events == []
    assert initiated in run.state.signals_out


def test_a_delivery_joins_a_scheduled_decision_task() -> None:
    run, initiated = initiated_run("signal")
    run.signal()

    outcome = run.do(
        c.ExternalDelivered(kind="signal", initiated_event_id=initiated, target=TARGET)
    )

    assert types_of(outcome) == ["ExternalWorkflowExecutionSignaled"]


def test_a_delivery_during_a_started_decision_task_makes_a_close_unhandled() -> None:
    run, initiated = initiated_run("cancel")
    run.signal()
    run.start_decision()
    run.do(c.ExternalDelivered(kind="cancel", initiated_event_id=initiated, target=TARGET))

    outcome = run.complete_decision([complete_workflow()])

    assert attrs(outcome, "CompleteWorkflowExecutionFailed")["cause"] == "UNHANDLED_DECISION"
    assert types_of(outcome)[-1] == "DecisionTaskScheduled"


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_closed_sender_ignores_the_report(kind: str) -> None:
    run, initiated = initiated_run(kind)
    run.signal()
    run.decide([complete_workflow()])

    outcome = run.do(c.ExternalDelivered(kind=kind, initiated_event_id=initiated, target=TARGET))

    assert outcome.events == []
    assert not outcome.effects.closed


# --- the target: a signal or cancel request from another execution -------------------------


def test_an_external_signal_carries_its_source() -> None:
    run = Run()
    run.decide([])

    outcome = run.do(
        c.SignalExecution(
            signal_name="wake", input="in", external=SOURCE, external_initiated_event_id=7
        )
    )

    assert types_of(outcome) == ["WorkflowExecutionSignaled", "DecisionTaskScheduled"]
    assert attrs(outcome, "WorkflowExecutionSignaled") == {
        "signalName": "wake",
        "input": "in",
        "externalWorkflowExecution": SOURCE,
        "externalInitiatedEventId": 7,
    }


def test_an_external_signal_delivered_twice_records_once() -> None:
    run = Run()
    signal = c.SignalExecution(signal_name="s", external=SOURCE, external_initiated_event_id=7)
    run.do(signal)

    again = run.do(signal)

    assert again.events == []
    assert again.effects.new_tasks == [] and again.effects.timers == []
    assert types_of(run.history).count("WorkflowExecutionSignaled") == 1


def test_different_external_signals_are_all_recorded() -> None:
    run = Run()
    other_run = {"workflowId": "sender", "runId": "sender-run-2"}

    for external, initiated in ((SOURCE, 7), (SOURCE, 8), (other_run, 7)):
        outcome = run.do(
            c.SignalExecution(
                signal_name="s", external=external, external_initiated_event_id=initiated
            )
        )
        assert types_of(outcome) == ["WorkflowExecutionSignaled"]


def test_plain_signals_are_never_deduplicated() -> None:
    run = Run()

    run.signal("same")
    outcome = run.signal("same")

    assert types_of(outcome) == ["WorkflowExecutionSignaled"]


def test_an_external_cancel_request_carries_its_source() -> None:
    run = Run()
    run.decide([])

    outcome = run.do(c.RequestCancelExecution(external=SOURCE, external_initiated_event_id=9))

    assert types_of(outcome) == ["WorkflowExecutionCancelRequested", "DecisionTaskScheduled"]
    assert attrs(outcome, "WorkflowExecutionCancelRequested") == {
        "externalWorkflowExecution": SOURCE,
        "externalInitiatedEventId": 9,
    }
    assert run.state.cancel_requested


def test_an_external_cancel_request_delivered_twice_records_once() -> None:
    run = Run()
    request = c.RequestCancelExecution(external=SOURCE, external_initiated_event_id=9)
    run.do(request)

    again = run.do(request)

    assert again.events == []
    assert types_of(run.history).count("WorkflowExecutionCancelRequested") == 1


def test_a_signal_and_a_cancel_from_one_source_are_both_recorded() -> None:
    run = Run()
    run.do(c.SignalExecution(signal_name="s", external=SOURCE, external_initiated_event_id=5))

    outcome = run.do(c.RequestCancelExecution(external=SOURCE, external_initiated_event_id=6))

    assert types_of(outcome) == ["WorkflowExecutionCancelRequested"]


def test_a_cancel_request_by_child_policy() -> None:
    run = Run()
    run.decide([])

    outcome = run.do(c.RequestCancelExecution(cause="CHILD_POLICY_APPLIED"))

    assert types_of(outcome) == ["WorkflowExecutionCancelRequested", "DecisionTaskScheduled"]
    assert attrs(outcome, "WorkflowExecutionCancelRequested") == {
        "cause": "CHILD_POLICY_APPLIED",
        "externalInitiatedEventId": 0,
    }
    assert run.state.cancel_requested
    assert run.state.is_open


def test_the_decider_closes_as_cancelled_after_an_external_request() -> None:
    run = Run()
    run.do(c.RequestCancelExecution(external=SOURCE, external_initiated_event_id=9))

    outcome = run.decide([cancel_workflow()])

    assert types_of(outcome) == ["DecisionTaskCompleted", "WorkflowExecutionCanceled"]
    assert run.state.close_status == "CANCELED"
