"""One whole workflow, event by event: the SWF core loop as a given-when-then story."""

from __future__ import annotations

from tests.unit.engine.engine_helpers import (
    Run,
    attrs,
    complete_workflow,
    schedule_activity,
    start_timer,
    types_of,
)


def test_schedule_run_complete_wait_and_close() -> None:
    run = Run()
    assert types_of(run.history) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]

    # The first decision schedules two activities and a timer.
    run.start_decision(identity="decider")
    run.complete_decision(
        [schedule_activity("a1", input="x"), schedule_activity("a2"), start_timer("t", "60")],
        execution_context="step-1",
    )
    # Workers pick both up; one completes while no decision task is open.
    run.start_activity("a1", identity="w1")
    run.start_activity("a2", identity="w2")
    run.advance(5)
    run.respond("a1", "Completed", result="y")
    # The decider claims; meanwhile the other activity fails.
    run.start_decision()
    run.respond("a2", "Failed", reason="bad")
    run.complete_decision([])  # the failure arrived during the task: one more task follows
    run.advance(55)
    run.fire("timer:t")  # joins the scheduled decision task
    run.start_decision()
    closing = run.complete_decision([complete_workflow(result="done")])

    assert types_of(run.history) == [
        "WorkflowExecutionStarted",  # 1
        "DecisionTaskScheduled",  # 2
        "DecisionTaskStarted",  # 3
        "DecisionTaskCompleted",  # 4
        "ActivityTaskScheduled",  # 5
        "ActivityTaskScheduled",  # 6
        "TimerStarted",  # 7
        "ActivityTaskStarted",  # 8
        "ActivityTaskStarted",  # 9
        "ActivityTaskCompleted",  # 10
        "DecisionTaskScheduled",  # 11
        "DecisionTaskStarted",  # 12
        "ActivityTaskFailed",  # 13
        "DecisionTaskCompleted",  # 14
        "DecisionTaskScheduled",  # 15
        "TimerFired",  # 16
        "DecisionTaskStarted",  # 17
        "DecisionTaskCompleted",  # 18
        "WorkflowExecutionCompleted",  # 19
    ]
    assert attrs(run.history, "ActivityTaskFailed") == {
        "scheduledEventId": 6,
        "startedEventId": 9,
        "reason": "bad",
    }
    assert attrs(run.history, "TimerFired") == {"timerId": "t", "startedEventId": 7}
    assert attrs(closing, "WorkflowExecutionCompleted") == {
        "result": "done",
        "decisionTaskCompletedEventId": 18,
    }
    assert run.state.previous_started_event_id == 17
    assert run.state.latest_execution_context == "step-1"
    assert run.state.close_status == "COMPLETED"
