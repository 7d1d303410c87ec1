"""The decision task lifecycle (reference §6.4, §4.1 rules 2 and 6)."""

from __future__ import annotations

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TaskSpec, TimerSpec
from openswf.engine.transition import StaleTask
from openswf.protocol.faults import UnknownResourceFault
from tests.unit.engine.engine_helpers import (
    SEC,
    Run,
    attrs,
    record_marker,
    start_command,
    types_of,
)

# --- claiming ------------------------------------------------------------------------------


def test_start_decision_task_appends_started_and_removes_the_task_row() -> None:
    run = Run()

    outcome = run.start_decision(identity="decider-1")

    assert types_of(outcome) == ["DecisionTaskStarted"]
    assert attrs(outcome, "DecisionTaskStarted") == {
        "scheduledEventId": 2,
        "identity": "decider-1",
    }
    assert outcome.events[0].event_id == 3
    assert outcome.effects.done_tasks == [("decision", 2)]
    assert outcome.effects.new_tasks == []
    assert run.state.decision is not None and run.state.decision.started_event_id == 3


def test_start_decision_task_without_identity_omits_it() -> None:
    run = Run()

    assert attrs(run.start_decision(), "DecisionTaskStarted") == {"scheduledEventId": 2}


def test_start_decision_task_arms_its_start_to_close_timer() -> None:
    run = Run(start_command(task_start_to_close_timeout="45"))
    run.advance(5)

    outcome = run.start_decision()

    assert TimerSpec(key="decision:2:START_TO_CLOSE", due_ms=run.now_ms + 45 * SEC) in (
        outcome.effects.timers
    )


def test_start_decision_task_with_no_timeout_arms_no_timer() -> None:
    run = Run(start_command(task_start_to_close_timeout="NONE"))

    assert run.start_decision().effects.timers == []


def test_claiming_an_already_started_decision_task_is_stale() -> None:
    run = Run()
    run.start_decision()

    run.fault(c.StartDecisionTask(scheduled_event_id=2), StaleTask)


def test_claiming_a_decision_task_that_is_not_the_open_one_is_stale() -> None:
    run = Run()

    run.fault(c.StartDecisionTask(scheduled_event_id=1), StaleTask)
    run.fault(c.StartDecisionTask(scheduled_event_id=99), StaleTask)


def test_claiming_a_completed_decision_task_is_stale() -> None:
    run = Run()
    run.decide([])

    run.fault(c.StartDecisionTask(scheduled_event_id=2), StaleTask)


def test_claiming_a_decision_task_of_a_closed_run_is_stale() -> None:
    run = Run()
    run.do(c.TerminateExecution())

    run.fault(c.StartDecisionTask(scheduled_event_id=2), StaleTask)


# --- batching ------------------------------------------------------------------------------


def test_events_while_a_decision_task_is_scheduled_join_it() -> None:
    run = Run()

    first = run.signal("one")
    second = run.signal("two")

    assert types_of(first) == ["WorkflowExecutionSignaled"]
    assert types_of(second) == ["WorkflowExecutionSignaled"]
    assert first.effects.new_tasks == [] and second.effects.new_tasks == []
    assert run.decision_scheduled_id == 2


def test_events_while_a_decision_task_is_started_wait_for_its_completion() -> None:
    run = Run()
    scheduled = run.running_activity("a1")[0]
    run.signal("go")
    run.start_decision()

    during = [run.signal("late"), run.respond("a1", "Completed", result="r")]

    for outcome in during:
        assert "DecisionTaskScheduled" not in types_of(outcome)
        assert outcome.effects.new_tasks == []
    assert run.state.decision_needed

    completed = run.complete_decision([])

    assert types_of(completed) == ["DecisionTaskCompleted", "DecisionTaskScheduled"]
    assert [t.kind for t in completed.effects.new_tasks] == ["decision"]
    assert scheduled not in run.state.activities


def test_exactly_one_decision_task_follows_the_decision_events() -> None:
    run = Run()
    run.start_decision()
    run.signal("late")

    completed = run.complete_decision([record_marker("m1"), record_marker("m2")])

    assert types_of(completed) == [
        "DecisionTaskCompleted",
        "MarkerRecorded",
        "MarkerRecorded",
        "DecisionTaskScheduled",
    ]


def test_empty_decision_list_with_nothing_new_schedules_nothing() -> None:
    run = Run()
    run.start_decision()

    outcome = run.complete_decision([])

    assert types_of(outcome) == ["DecisionTaskCompleted"]
    assert outcome.effects.new_tasks == []
    assert run.state.decision is None


def test_an_event_after_an_idle_completion_schedules_a_new_decision_task() -> None:
    run = Run()
    run.decide([])

    outcome = run.signal("wake")

    assert types_of(outcome) == ["WorkflowExecutionSignaled", "DecisionTaskScheduled"]
    assert outcome.effects.new_tasks == [
        TaskSpec(kind="decision", task_list="decisions", priority=0, scheduled_event_id=6)
    ]


# --- completing ----------------------------------------------------------------------------


def test_decision_task_completed_attributes() -> None:
    run = Run()
    run.start_decision()

    outcome = run.complete_decision([])

    assert attrs(outcome, "DecisionTaskCompleted") == {"scheduledEventId": 2, "startedEventId": 3}
    assert "decision:2:START_TO_CLOSE" in outcome.effects.cleared_timers


def test_previous_started_event_id_is_zero_until_a_decision_task_completes() -> None:
    run = Run()
    run.start_decision()
    assert run.state.previous_started_event_id == 0

    run.complete_decision([])

    assert run.state.previous_started_event_id == 3


def test_previous_started_event_id_tracks_the_last_completed_task() -> None:
    run = Run()
    run.decide([])  # started 3, completed 4
    run.signal()  # 5, scheduled 6
    run.start_decision()  # 7
    assert run.state.previous_started_event_id == 3

    run.complete_decision([])

    assert run.state.previous_started_event_id == 7


def test_previous_started_event_id_ignores_a_timed_out_task() -> None:
    run = Run()
    run.decide([])  # started 3
    run.signal()  # scheduled 6
    run.start_decision()  # started 7
    run.advance(60)
    run.fire("decision:6:START_TO_CLOSE")

    assert run.state.previous_started_event_id == 3


@pytest.mark.parametrize(
    ("scheduled", "started"),
    [(2, 4), (2, 2), (2, 0), (1, 3), (99, 3)],
    ids=["wrong-started", "scheduled-as-started", "zero", "wrong-scheduled", "unknown"],
)
def test_completing_with_wrong_ids_is_unknown_and_records_nothing(
    scheduled: int, started: int
) -> None:
    run = Run()
    run.start_decision()

    run.fault(
        c.CompleteDecisionTask(
            scheduled_event_id=scheduled, started_event_id=started, decisions=[]
        ),
        UnknownResourceFault,
    )


def test_completing_a_scheduled_but_not_started_task_is_unknown() -> None:
    run = Run()

    run.fault(
        c.CompleteDecisionTask(scheduled_event_id=2, started_event_id=0, decisions=[]),
        UnknownResourceFault,
    )


def test_completing_twice_is_unknown() -> None:
    run = Run()
    run.start_decision()
    token = c.CompleteDecisionTask(scheduled_event_id=2, started_event_id=3, decisions=[])
    run.do(token)

    run.fault(token, UnknownResourceFault)


def test_completing_a_stale_task_after_a_new_one_started_is_unknown() -> None:
    run = Run()
    run.decide([])  # task 2/3
    run.signal()
    run.start_decision()  # task 6/7

    run.fault(
        c.CompleteDecisionTask(scheduled_event_id=2, started_event_id=3, decisions=[]),
        UnknownResourceFault,
    )


def test_completing_on_a_closed_run_is_unknown() -> None:
    run = Run()
    run.start_decision()
    run.do(c.TerminateExecution())

    run.fault(
        c.CompleteDecisionTask(scheduled_event_id=2, started_event_id=3, decisions=[]),
        UnknownResourceFault,
    )


def test_execution_context_is_recorded_and_exposed() -> None:
    run = Run()
    run.start_decision()

    outcome = run.complete_decision([], execution_context="ctx-1")

    assert attrs(outcome, "DecisionTaskCompleted")["executionContext"] == "ctx-1"
    assert run.state.latest_execution_context == "ctx-1"


def test_latest_execution_context_is_the_last_one_given() -> None:
    run = Run()
    run.decide([], execution_context="ctx-1")
    run.signal()
    run.start_decision()

    outcome = run.complete_decision([])

    assert "executionContext" not in attrs(outcome, "DecisionTaskCompleted")
    assert run.state.latest_execution_context == "ctx-1"

    run.signal()
    run.decide([], execution_context="ctx-2")
    assert run.state.latest_execution_context == "ctx-2"


# --- task-list override --------------------------------------------------------------------


def test_task_list_override_without_timeout_is_permanent() -> None:
    run = Run()
    run.start_decision()
    run.signal()  # so that a decision task follows the completion

    outcome = run.complete_decision([], task_list="fast")

    assert attrs(outcome, "DecisionTaskCompleted")["taskList"] == {"name": "fast"}
    assert "taskListScheduleToStartTimeout" not in attrs(outcome, "DecisionTaskCompleted")
    scheduled = attrs(outcome, "DecisionTaskScheduled")
    assert scheduled["taskList"] == {"name": "fast"}
    assert "scheduleToStartTimeout" not in scheduled
    assert [t.task_list for t in outcome.effects.new_tasks] == ["fast"]
    assert run.state.task_list == "fast"
    assert run.state.original_task_list is None

    # Later decision tasks stay on the new list.
    run.decide([])
    later = run.signal()
    assert attrs(later, "DecisionTaskScheduled")["taskList"] == {"name": "fast"}


def test_task_list_override_with_schedule_to_start_timeout() -> None:
    run = Run()
    run.start_decision()
    run.signal()

    outcome = run.complete_decision([], task_list="fast", task_list_schedule_to_start_timeout="10")

    completed = attrs(outcome, "DecisionTaskCompleted")
    assert completed["taskList"] == {"name": "fast"}
    assert completed["taskListScheduleToStartTimeout"] == "10"
    scheduled = attrs(outcome, "DecisionTaskScheduled")
    assert scheduled["taskList"] == {"name": "fast"}
    assert scheduled["scheduleToStartTimeout"] == "10"
    new_id = run.decision_scheduled_id
    assert TimerSpec(key=f"decision:{new_id}:SCHEDULE_TO_START", due_ms=run.now_ms + 10 * SEC) in (
        outcome.effects.timers
    )
    assert [t.task_list for t in outcome.effects.new_tasks] == ["fast"]
    assert run.state.task_list == "fast"
    assert run.state.original_task_list == "decisions"


def test_claiming_an_override_task_clears_its_schedule_to_start_timer() -> None:
    run = Run()
    run.start_decision()
    run.signal()
    run.complete_decision([], task_list="fast", task_list_schedule_to_start_timeout="10")
    new_id = run.decision_scheduled_id

    outcome = run.start_decision()

    assert f"decision:{new_id}:SCHEDULE_TO_START" in outcome.effects.cleared_timers


def test_a_timed_override_holds_until_a_decision_task_times_out_on_it() -> None:
    run = Run()
    run.start_decision()
    run.signal()
    run.complete_decision([], task_list="fast", task_list_schedule_to_start_timeout="10")
    run.decide([])  # picked up in time, completed without a new override

    later = run.signal()

    scheduled = attrs(later, "DecisionTaskScheduled")
    assert scheduled["taskList"] == {"name": "fast"}
    assert scheduled["scheduleToStartTimeout"] == "10"
    assert run.state.original_task_list == "decisions"


def test_a_new_permanent_override_ends_a_timed_one() -> None:
    run = Run()
    run.start_decision()
    run.signal()
    run.complete_decision([], task_list="fast", task_list_schedule_to_start_timeout="10")
    run.start_decision()
    run.signal()

    outcome = run.complete_decision([], task_list="steady")

    scheduled = attrs(outcome, "DecisionTaskScheduled")
    assert scheduled["taskList"] == {"name": "steady"}
    assert "scheduleToStartTimeout" not in scheduled
    assert run.state.original_task_list is None
