"""RecordMarker, StartTimer, CancelTimer, the closing decisions and the unsupported ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TimerSpec
from tests.unit.engine.engine_helpers import (
    SEC,
    Run,
    attrs,
    cancel_timer,
    cancel_workflow,
    complete_workflow,
    fail_workflow,
    record_marker,
    schedule_activity,
    start_timer,
    types_of,
)

# --- RecordMarker ---------------------------------------------------------------------------


def test_record_marker_alone_schedules_no_decision_task() -> None:
    run = Run()

    outcome = run.decide([record_marker("checkpoint", details="d")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "MarkerRecorded"]
    assert attrs(outcome, "MarkerRecorded") == {
        "markerName": "checkpoint",
        "details": "d",
        "decisionTaskCompletedEventId": 4,
    }
    assert outcome.effects.new_tasks == []
    assert run.state.decision is None


def test_marker_without_details_and_repeated_names() -> None:
    run = Run()

    outcome = run.decide([record_marker("m"), record_marker("m")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "MarkerRecorded", "MarkerRecorded"]
    assert outcome.events[1].attributes == {"markerName": "m", "decisionTaskCompletedEventId": 4}


# --- StartTimer / CancelTimer ---------------------------------------------------------------


def test_start_timer_records_timer_started_and_arms_the_timer() -> None:
    run = Run()
    run.advance(2)

    outcome = run.decide([start_timer("t1", "30", control="c")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "TimerStarted"]
    assert attrs(outcome, "TimerStarted") == {
        "timerId": "t1",
        "control": "c",
        "startToFireTimeout": "30",
        "decisionTaskCompletedEventId": 4,
    }
    assert TimerSpec(key="timer:t1", due_ms=run.now_ms + 30 * SEC) in outcome.effects.timers
    assert outcome.effects.new_tasks == []
    assert run.state.decision is None
    assert run.state.timers["t1"].started_event_id == 5


def test_start_timer_of_zero_seconds_is_due_at_once() -> None:
    run = Run()

    outcome = run.decide([start_timer("t0", "0")])

    assert TimerSpec(key="timer:t0", due_ms=run.now_ms) in outcome.effects.timers


def test_start_timer_with_an_open_timer_id_fails() -> None:
    run = Run()
    run.decide([start_timer("t1")])
    run.signal()

    outcome = run.decide([start_timer("t1")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "StartTimerFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "StartTimerFailed") == {
        "timerId": "t1",
        "cause": "TIMER_ID_ALREADY_IN_USE",
        "decisionTaskCompletedEventId": outcome.events[0].event_id,
    }
    assert not any(t.key == "timer:t1" for t in outcome.effects.timers)


def test_start_timer_twice_in_one_batch_fails_the_second() -> None:
    run = Run()

    outcome = run.decide([start_timer("t1"), start_timer("t1")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "TimerStarted",
        "StartTimerFailed",
        "DecisionTaskScheduled",
    ]


def test_open_timers_limit() -> None:
    run = Run(limits=c.Limits(max_open_timers=2))

    outcome = run.decide([start_timer("t1"), start_timer("t2"), start_timer("t3")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "TimerStarted",
        "TimerStarted",
        "StartTimerFailed",
        "DecisionTaskScheduled",
    ]
    failed = attrs(outcome, "StartTimerFailed")
    assert failed["timerId"] == "t3"
    assert failed["cause"] == "OPEN_TIMERS_LIMIT_EXCEEDED"


def test_a_timer_id_can_be_reused_after_it_fired() -> None:
    run = Run()
    run.decide([start_timer("t1", "10")])
    run.advance(10)
    run.fire("timer:t1")

    outcome = run.decide([start_timer("t1", "10")])

    assert "TimerStarted" in types_of(outcome)


def test_cancel_timer() -> None:
    run = Run()
    run.decide([start_timer("t1")])
    run.signal()

    outcome = run.decide([cancel_timer("t1")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "TimerCanceled"]
    assert attrs(outcome, "TimerCanceled") == {
        "timerId": "t1",
        "startedEventId": 5,
        "decisionTaskCompletedEventId": outcome.events[0].event_id,
    }
    assert "timer:t1" in outcome.effects.cleared_timers
    assert run.state.timers == {}
    assert run.state.decision is None


def test_a_cancelled_timer_does_not_fire() -> None:
    run = Run()
    run.decide([start_timer("t1", "10")])
    run.signal()
    run.decide([cancel_timer("t1")])
    run.advance(10)

    assert run.fire("timer:t1").events == []


def test_cancel_of_an_unknown_timer_fails() -> None:
    run = Run()

    outcome = run.decide([cancel_timer("ghost")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "CancelTimerFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "CancelTimerFailed") == {
        "timerId": "ghost",
        "cause": "TIMER_ID_UNKNOWN",
        "decisionTaskCompletedEventId": 4,
    }


def test_cancel_of_a_fired_timer_fails() -> None:
    run = Run()
    run.decide([start_timer("t1", "10")])
    run.advance(10)
    run.fire("timer:t1")

    outcome = run.decide([cancel_timer("t1")])

    assert attrs(outcome, "CancelTimerFailed")["cause"] == "TIMER_ID_UNKNOWN"


def test_cancel_then_restart_a_timer_in_one_batch() -> None:
    run = Run()
    run.decide([start_timer("t1", "10")])
    run.signal()

    outcome = run.decide([cancel_timer("t1"), start_timer("t1", "20")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "TimerCanceled", "TimerStarted"]
    assert run.state.timers["t1"].fire_ms == run.now_ms + 20 * SEC


# --- closing decisions ----------------------------------------------------------------------

CLOSES: list[tuple[dict[str, Any], str, str, dict[str, Any]]] = [
    (complete_workflow(result="r"), "WorkflowExecutionCompleted", "COMPLETED", {"result": "r"}),
    (
        fail_workflow(reason="why", details="d"),
        "WorkflowExecutionFailed",
        "FAILED",
        {"reason": "why", "details": "d"},
    ),
    (cancel_workflow(details="d"), "WorkflowExecutionCanceled", "CANCELED", {"details": "d"}),
]


def request_cancel_first(run: Run) -> None:
    """The decider closes as cancelled after a cancel request, as deciders usually do."""
    run.do(c.RequestCancelExecution())


@pytest.mark.parametrize(("close", "event_type", "status", "expected"), CLOSES)
def test_closing_decision_closes_the_run(
    close: dict[str, Any], event_type: str, status: str, expected: dict[str, Any]
) -> None:
    run = Run()
    request_cancel_first(run)
    run.advance(7)

    outcome = run.decide([close])

    assert types_of(outcome) == ["DecisionTaskCompleted", event_type]
    assert attrs(outcome, event_type) == {**expected, "decisionTaskCompletedEventId": 5}
    assert outcome.effects.closed
    assert outcome.effects.new_tasks == []
    assert run.state.status == "CLOSED"
    assert not run.state.is_open
    assert run.state.close_status == status
    assert run.state.close_ms == run.now_ms
    assert run.state.decision is None


@pytest.mark.parametrize("close", [complete_workflow(), fail_workflow(), cancel_workflow()])
def test_closing_decision_without_attributes(close: dict[str, Any]) -> None:
    run = Run()
    request_cancel_first(run)

    outcome = run.decide([close])

    assert outcome.events[-1].attributes == {"decisionTaskCompletedEventId": 5}


def test_closing_ends_open_activities_and_timers() -> None:
    run = Run()
    run.running_activity("a1")
    run.signal()
    run.decide([schedule_activity("a2"), start_timer("t1")])
    run.signal()

    outcome = run.decide([complete_workflow()])

    assert outcome.effects.closed
    assert run.state.activities == {}
    assert run.state.timers == {}


def test_open_activities_and_timers_alone_do_not_make_a_close_fail() -> None:
    # Reference §4.1 rule 4: only events that arrived during the task are unhandled.
    run = Run()
    run.decide([schedule_activity("a1"), start_timer("t1")])
    run.signal()

    outcome = run.decide([complete_workflow()])

    assert types_of(outcome)[-1] == "WorkflowExecutionCompleted"


def test_events_that_arrived_before_the_task_started_are_handled() -> None:
    run = Run()
    run.signal("seen")  # joins the scheduled task, so the decider sees it

    outcome = run.decide([complete_workflow()])

    assert types_of(outcome)[-1] == "WorkflowExecutionCompleted"


def test_cancel_workflow_without_a_cancel_request_closes_as_canceled() -> None:
    # Reference §4.2: "A cancel is allowed even without a prior cancel request."
    run = Run()

    outcome = run.decide([cancel_workflow(details="d")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "WorkflowExecutionCanceled"]
    assert run.state.close_status == "CANCELED"


# --- UNHANDLED_DECISION ---------------------------------------------------------------------


def signal_arrives(run: Run) -> None:
    run.signal("late")


def cancel_request_arrives(run: Run) -> None:
    run.do(c.RequestCancelExecution())


def activity_completes(run: Run) -> None:
    run.respond("early", "Completed")


def timer_fires(run: Run) -> None:
    run.advance(1)
    run.fire("timer:soon")


ARRIVALS = [signal_arrives, cancel_request_arrives, activity_completes, timer_fires]


@pytest.mark.parametrize("arrival", ARRIVALS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(
    ("close", "failed_type"),
    [
        (complete_workflow(), "CompleteWorkflowExecutionFailed"),
        (fail_workflow(), "FailWorkflowExecutionFailed"),
        (cancel_workflow(), "CancelWorkflowExecutionFailed"),
    ],
    ids=["complete", "fail", "cancel"],
)
def test_close_with_unhandled_events_fails_and_keeps_the_earlier_decisions(
    close: dict[str, Any], failed_type: str, arrival: Callable[[Run], None]
) -> None:
    run = Run()
    run.running_activity("early")
    run.signal()
    run.decide([start_timer("soon", "1")])
    run.do(c.RequestCancelExecution())
    run.start_decision()
    arrival(run)

    outcome = run.complete_decision([record_marker("m"), schedule_activity("a2"), close])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "MarkerRecorded",
        "ActivityTaskScheduled",
        failed_type,
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, failed_type) == {
        "cause": "UNHANDLED_DECISION",
        "decisionTaskCompletedEventId": outcome.events[0].event_id,
    }
    assert run.state.is_open
    assert not outcome.effects.closed
    assert run.state.activity_by_id("a2") is not None
    assert [t.kind for t in outcome.effects.new_tasks] == ["activity", "decision"]


def test_after_unhandled_decision_the_next_task_can_close() -> None:
    run = Run()
    run.start_decision()
    run.signal("late")
    run.complete_decision([complete_workflow()])

    outcome = run.decide([complete_workflow(result="done")])

    assert types_of(outcome)[-1] == "WorkflowExecutionCompleted"
