"""Timeouts and timers firing through ``FireTimer`` (reference §6.1, §6.8; DESIGN.md inv. 4)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TaskSpec, TimerSpec
from openswf.engine.transition import StaleTask
from openswf.protocol.faults import UnknownResourceFault
from tests.unit.engine.engine_helpers import (
    SEC,
    T0,
    Run,
    attrs,
    cancel_timer,
    complete_workflow,
    start_command,
    start_timer,
    types_of,
)

ACTIVITY_KINDS = ("SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE", "START_TO_CLOSE", "HEARTBEAT")

# --- workflow start-to-close ----------------------------------------------------------------


def test_workflow_times_out_when_its_timer_falls_due() -> None:
    run = Run(start_command(execution_start_to_close_timeout="100", child_policy="ABANDON"))

    outcome = run.fire("workflow:START_TO_CLOSE", at_ms=T0 + 100 * SEC)

    assert types_of(outcome) == ["WorkflowExecutionTimedOut"]
    assert attrs(outcome, "WorkflowExecutionTimedOut") == {
        "timeoutType": "START_TO_CLOSE",
        "childPolicy": "ABANDON",
    }
    assert outcome.effects.closed
    assert run.state.close_status == "TIMED_OUT"
    assert run.state.decision is None


def test_workflow_timeout_ends_open_work_and_tokens() -> None:
    run = Run(start_command(execution_start_to_close_timeout="1000"))
    scheduled, started = run.running_activity("a1")
    run.signal()
    run.start_decision()
    decision = run.state.decision
    assert decision is not None

    run.fire("workflow:START_TO_CLOSE", at_ms=T0 + 1000 * SEC)

    assert run.state.activities == {}
    run.fault(
        c.CompleteDecisionTask(
            scheduled_event_id=decision.scheduled_event_id,
            started_event_id=decision.started_event_id,
            decisions=[],
        ),
        UnknownResourceFault,
    )
    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=started, outcome="Completed"
        ),
        UnknownResourceFault,
    )


def test_workflow_timer_of_a_closed_run_does_nothing() -> None:
    run = Run(start_command(execution_start_to_close_timeout="100"))
    run.decide([complete_workflow()])

    outcome = run.fire("workflow:START_TO_CLOSE", at_ms=T0 + 100 * SEC)

    assert outcome.events == []
    assert run.state.close_status == "COMPLETED"


# --- decision start-to-close ----------------------------------------------------------------


def test_decision_task_start_to_close_timeout() -> None:
    run = Run(start_command(task_start_to_close_timeout="30"))
    run.advance(5)
    run.start_decision()  # 3

    outcome = run.fire("decision:2:START_TO_CLOSE", at_ms=run.now_ms + 30 * SEC)

    assert types_of(outcome) == ["DecisionTaskTimedOut", "DecisionTaskScheduled"]
    assert attrs(outcome, "DecisionTaskTimedOut") == {
        "timeoutType": "START_TO_CLOSE",
        "scheduledEventId": 2,
        "startedEventId": 3,
    }
    assert attrs(outcome, "DecisionTaskScheduled") == {
        "taskList": {"name": "decisions"},
        "taskPriority": "0",
        "startToCloseTimeout": "30",
    }
    assert outcome.effects.new_tasks == [
        TaskSpec(kind="decision", task_list="decisions", priority=0, scheduled_event_id=5)
    ]
    assert run.decision_scheduled_id == 5


def test_a_timed_out_decision_token_no_longer_completes() -> None:
    run = Run()
    run.start_decision()
    run.advance(60)
    run.fire("decision:2:START_TO_CLOSE")

    run.fault(
        c.CompleteDecisionTask(scheduled_event_id=2, started_event_id=3, decisions=[]),
        UnknownResourceFault,
    )
    # The new task works.
    run.start_decision()
    assert types_of(run.complete_decision([])) == ["DecisionTaskCompleted"]


def test_events_during_a_timed_out_task_are_delivered_by_one_new_task() -> None:
    run = Run()
    run.start_decision()
    run.signal("late")
    run.advance(60)

    outcome = run.fire("decision:2:START_TO_CLOSE")

    assert types_of(outcome) == ["DecisionTaskTimedOut", "DecisionTaskScheduled"]
    run.start_decision()
    assert types_of(run.complete_decision([])) == ["DecisionTaskCompleted"]


def test_decision_timer_after_the_task_completed_does_nothing() -> None:
    run = Run()
    run.decide([])
    run.advance(60)

    assert run.fire("decision:2:START_TO_CLOSE").events == []


def test_decision_start_to_close_on_an_override_list_reverts_the_override() -> None:
    run = Run()
    run.start_decision()
    run.signal()
    run.complete_decision([], task_list="fast", task_list_schedule_to_start_timeout="10")
    scheduled = run.decision_scheduled_id
    run.start_decision()
    run.advance(60)

    outcome = run.fire(f"decision:{scheduled}:START_TO_CLOSE")

    assert attrs(outcome, "DecisionTaskScheduled")["taskList"] == {"name": "decisions"}
    assert "scheduleToStartTimeout" not in attrs(outcome, "DecisionTaskScheduled")
    assert run.state.task_list == "decisions"
    assert run.state.original_task_list is None


# --- decision schedule-to-start (task-list override) ----------------------------------------


def override_run() -> tuple[Run, int]:
    run = Run()
    run.start_decision()
    run.signal()
    run.complete_decision([], task_list="fast", task_list_schedule_to_start_timeout="10")
    return run, run.decision_scheduled_id


def test_decision_schedule_to_start_reverts_the_task_list_override() -> None:
    run, scheduled = override_run()

    outcome = run.fire(f"decision:{scheduled}:SCHEDULE_TO_START", at_ms=run.now_ms + 10 * SEC)

    assert types_of(outcome) == ["DecisionTaskTimedOut", "DecisionTaskScheduled"]
    assert attrs(outcome, "DecisionTaskTimedOut") == {
        "timeoutType": "SCHEDULE_TO_START",
        "scheduledEventId": scheduled,
        "startedEventId": 0,
    }
    rescheduled = attrs(outcome, "DecisionTaskScheduled")
    assert rescheduled["taskList"] == {"name": "decisions"}
    assert "scheduleToStartTimeout" not in rescheduled
    assert ("decision", scheduled) in outcome.effects.done_tasks
    assert [(t.kind, t.task_list) for t in outcome.effects.new_tasks] == [("decision", "decisions")]
    assert not any(t.key.endswith("SCHEDULE_TO_START") for t in outcome.effects.timers)
    assert run.state.task_list == "decisions"
    assert run.state.original_task_list is None
    assert run.state.override_schedule_to_start_timeout is None


def test_decision_schedule_to_start_timed_out_task_cannot_be_claimed() -> None:
    run, scheduled = override_run()
    run.fire(f"decision:{scheduled}:SCHEDULE_TO_START", at_ms=run.now_ms + 10 * SEC)

    run.fault(c.StartDecisionTask(scheduled_event_id=scheduled), StaleTask)


def test_decision_schedule_to_start_after_the_task_started_does_nothing() -> None:
    run, scheduled = override_run()
    run.start_decision()

    outcome = run.fire(f"decision:{scheduled}:SCHEDULE_TO_START", at_ms=run.now_ms + 10 * SEC)

    assert outcome.events == []


# --- activity timeouts ----------------------------------------------------------------------


def test_activity_schedule_to_start_timeout() -> None:
    run = Run()
    scheduled = run.schedule("a1", scheduleToStartTimeout="20")

    outcome = run.fire(f"activity:{scheduled}:SCHEDULE_TO_START", at_ms=run.now_ms + 20 * SEC)

    assert types_of(outcome) == ["ActivityTaskTimedOut", "DecisionTaskScheduled"]
    assert attrs(outcome, "ActivityTaskTimedOut") == {
        "timeoutType": "SCHEDULE_TO_START",
        "scheduledEventId": scheduled,
        "startedEventId": 0,
    }
    assert ("activity", scheduled) in outcome.effects.done_tasks
    for kind in ACTIVITY_KINDS:
        assert f"activity:{scheduled}:{kind}" in outcome.effects.cleared_timers
    assert run.state.activities == {}
    # Never handed out afterwards.
    run.fault(c.StartActivityTask(scheduled_event_id=scheduled), StaleTask)


def test_activity_schedule_to_start_after_the_start_does_nothing() -> None:
    run = Run()
    scheduled = run.schedule("a1", scheduleToStartTimeout="20")
    run.start_activity("a1")

    outcome = run.fire(f"activity:{scheduled}:SCHEDULE_TO_START", at_ms=run.now_ms + 20 * SEC)

    assert outcome.events == []


def test_activity_schedule_to_close_timeout_before_the_start() -> None:
    run = Run()
    scheduled = run.schedule("a1", scheduleToCloseTimeout="50")

    outcome = run.fire(f"activity:{scheduled}:SCHEDULE_TO_CLOSE", at_ms=run.now_ms + 50 * SEC)

    assert attrs(outcome, "ActivityTaskTimedOut") == {
        "timeoutType": "SCHEDULE_TO_CLOSE",
        "scheduledEventId": scheduled,
        "startedEventId": 0,
    }
    assert ("activity", scheduled) in outcome.effects.done_tasks
    assert types_of(outcome)[-1] == "DecisionTaskScheduled"


def test_activity_schedule_to_close_timeout_after_the_start() -> None:
    run = Run()
    scheduled = run.schedule("a1", scheduleToCloseTimeout="50")
    run.advance(10)
    run.start_activity("a1")
    started = run.started_id("a1")

    outcome = run.fire(f"activity:{scheduled}:SCHEDULE_TO_CLOSE", at_ms=T0 + 50 * SEC)

    assert attrs(outcome, "ActivityTaskTimedOut") == {
        "timeoutType": "SCHEDULE_TO_CLOSE",
        "scheduledEventId": scheduled,
        "startedEventId": started,
    }
    assert outcome.effects.done_tasks == []
    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=started, outcome="Completed"
        ),
        UnknownResourceFault,
    )


def test_activity_start_to_close_timeout_holds_despite_heartbeats() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1", startToCloseTimeout="100")
    start_ms = run.now_ms
    for _ in range(4):
        run.advance(25)
        run.heartbeat("a1", details="alive")

    outcome = run.fire(f"activity:{scheduled}:START_TO_CLOSE", at_ms=start_ms + 100 * SEC)

    assert types_of(outcome) == ["ActivityTaskTimedOut", "DecisionTaskScheduled"]
    timed_out = attrs(outcome, "ActivityTaskTimedOut")
    assert timed_out["timeoutType"] == "START_TO_CLOSE"
    assert timed_out["scheduledEventId"] == scheduled
    assert timed_out["startedEventId"] == started
    for kind in ACTIVITY_KINDS:
        assert f"activity:{scheduled}:{kind}" in outcome.effects.cleared_timers
    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=started, outcome="Completed"
        ),
        UnknownResourceFault,
    )


def test_activity_heartbeat_timeout_without_any_heartbeat() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1", heartbeatTimeout="15")

    outcome = run.fire(f"activity:{scheduled}:HEARTBEAT", at_ms=run.now_ms + 15 * SEC)

    assert attrs(outcome, "ActivityTaskTimedOut") == {
        "timeoutType": "HEARTBEAT",
        "scheduledEventId": scheduled,
        "startedEventId": started,
    }
    assert types_of(outcome)[-1] == "DecisionTaskScheduled"


def test_activity_heartbeat_timeout_carries_the_last_heartbeat_details() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1", heartbeatTimeout="15")
    run.advance(5)
    run.heartbeat("a1", details="first")
    run.advance(5)
    run.heartbeat("a1", details="last")
    last_beat = run.now_ms

    outcome = run.fire(f"activity:{scheduled}:HEARTBEAT", at_ms=last_beat + 15 * SEC)

    assert attrs(outcome, "ActivityTaskTimedOut") == {
        "timeoutType": "HEARTBEAT",
        "scheduledEventId": scheduled,
        "startedEventId": started,
        "details": "last",
    }
    run.fault(
        c.RecordHeartbeat(scheduled_event_id=scheduled, started_event_id=started),
        UnknownResourceFault,
    )


def test_a_heartbeat_since_the_timer_was_set_re_arms_it() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1", heartbeatTimeout="15")
    started_ms = run.now_ms
    run.advance(10)
    run.heartbeat("a1")

    outcome = run.fire(f"activity:{scheduled}:HEARTBEAT", at_ms=started_ms + 15 * SEC)

    assert outcome.events == []
    assert outcome.effects.timers == [
        TimerSpec(key=f"activity:{scheduled}:HEARTBEAT", due_ms=started_ms + 25 * SEC)
    ]
    assert scheduled in run.state.activities

    # The re-armed timer then times the activity out.
    final = run.fire(f"activity:{scheduled}:HEARTBEAT", at_ms=started_ms + 25 * SEC)
    assert attrs(final, "ActivityTaskTimedOut")["timeoutType"] == "HEARTBEAT"


@pytest.mark.parametrize("kind", ACTIVITY_KINDS)
def test_activity_timer_after_the_activity_completed_does_nothing(kind: str) -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")
    run.respond("a1", "Completed")

    outcome = run.fire(f"activity:{scheduled}:{kind}", at_ms=run.now_ms + 10_000 * SEC)

    assert outcome.events == []
    assert outcome.effects.new_tasks == []


@pytest.mark.parametrize("kind", ACTIVITY_KINDS)
def test_activity_timer_of_an_unknown_activity_does_nothing(kind: str) -> None:
    run = Run()

    assert run.fire(f"activity:77:{kind}", at_ms=run.now_ms + 10_000 * SEC).events == []


def test_activity_timeout_while_the_decision_task_is_started_waits_for_it() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1", startToCloseTimeout="10")
    run.signal()
    run.start_decision()

    outcome = run.fire(f"activity:{scheduled}:START_TO_CLOSE", at_ms=run.now_ms + 10 * SEC)

    assert types_of(outcome) == ["ActivityTaskTimedOut"]
    assert types_of(run.complete_decision([])) == [
        "DecisionTaskCompleted",
        "DecisionTaskScheduled",
    ]


# --- user timers ----------------------------------------------------------------------------


def test_timer_fired() -> None:
    run = Run()
    run.decide([start_timer("t1", "30", control="c")])
    started_id = run.state.timers["t1"].started_event_id

    outcome = run.fire("timer:t1", at_ms=run.now_ms + 30 * SEC)

    assert types_of(outcome) == ["TimerFired", "DecisionTaskScheduled"]
    assert attrs(outcome, "TimerFired") == {"timerId": "t1", "startedEventId": started_id}
    assert [t.kind for t in outcome.effects.new_tasks] == ["decision"]
    assert run.state.timers == {}


def test_timer_fired_while_a_decision_task_is_scheduled_joins_it() -> None:
    run = Run()
    run.decide([start_timer("t1", "30")])
    run.signal()

    outcome = run.fire("timer:t1", at_ms=run.now_ms + 30 * SEC)

    assert types_of(outcome) == ["TimerFired"]


def test_timer_fired_while_a_decision_task_is_started_waits_for_it() -> None:
    run = Run()
    run.decide([start_timer("t1", "30")])
    run.signal()
    run.start_decision()

    outcome = run.fire("timer:t1", at_ms=run.now_ms + 30 * SEC)

    assert types_of(outcome) == ["TimerFired"]
    assert types_of(run.complete_decision([]))[-1] == "DecisionTaskScheduled"


def test_a_restarted_timer_is_not_fired_by_the_old_deadline() -> None:
    run = Run()
    run.decide([start_timer("t1", "10")])
    first_due = run.now_ms + 10 * SEC
    run.signal()
    run.advance(5)
    run.decide([cancel_timer("t1"), start_timer("t1", "10")])

    assert run.fire("timer:t1", at_ms=first_due).events == []


def test_timers_of_a_closed_run_do_nothing() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")
    run.signal()
    run.decide([start_timer("t1", "1")])
    run.do(c.TerminateExecution())
    run.advance(100_000)

    for key in ("timer:t1", f"activity:{scheduled}:START_TO_CLOSE", "workflow:START_TO_CLOSE"):
        assert run.fire(key).events == []


# --- timers that fire before their deadline (timers are hints) ------------------------------


def workflow_timer(run: Run) -> tuple[str, int]:
    return "workflow:START_TO_CLOSE", T0 + 3600 * SEC


def user_timer(run: Run) -> tuple[str, int]:
    run.decide([start_timer("t1", "30")])
    return "timer:t1", run.state.timers["t1"].fire_ms


def activity_schedule_to_start(run: Run) -> tuple[str, int]:
    scheduled = run.schedule("a1")
    return f"activity:{scheduled}:SCHEDULE_TO_START", run.now_ms + 600 * SEC


def activity_schedule_to_close(run: Run) -> tuple[str, int]:
    scheduled = run.schedule("a1")
    return f"activity:{scheduled}:SCHEDULE_TO_CLOSE", run.now_ms + 1200 * SEC


def activity_start_to_close(run: Run) -> tuple[str, int]:
    scheduled, _ = run.running_activity("a1")
    return f"activity:{scheduled}:START_TO_CLOSE", run.now_ms + 300 * SEC


def activity_heartbeat(run: Run) -> tuple[str, int]:
    scheduled, _ = run.running_activity("a1")
    return f"activity:{scheduled}:HEARTBEAT", run.now_ms + 60 * SEC


def decision_start_to_close(run: Run) -> tuple[str, int]:
    run.start_decision()
    return "decision:2:START_TO_CLOSE", run.now_ms + 60 * SEC


def decision_schedule_to_start(run: Run) -> tuple[str, int]:
    run.start_decision()
    run.signal()
    run.complete_decision([], task_list="fast", task_list_schedule_to_start_timeout="10")
    return f"decision:{run.decision_scheduled_id}:SCHEDULE_TO_START", run.now_ms + 10 * SEC


EARLY = [
    workflow_timer,
    user_timer,
    activity_schedule_to_start,
    activity_schedule_to_close,
    activity_start_to_close,
    activity_heartbeat,
    decision_start_to_close,
    decision_schedule_to_start,
]


@pytest.mark.parametrize("arm", EARLY, ids=lambda f: f.__name__)
def test_a_timer_fired_before_its_deadline_records_nothing(
    arm: Callable[[Run], tuple[str, int]],
) -> None:
    run = Run()
    run.advance(1)
    key, due = arm(run)

    outcome = run.fire(key, at_ms=due - 1)

    assert outcome.events == []


@pytest.mark.parametrize("arm", EARLY, ids=lambda f: f.__name__)
def test_a_timer_fired_before_its_deadline_stays_armed(
    arm: Callable[[Run], tuple[str, int]],
) -> None:
    # The fired row is deleted with this transition, so a deadline that still stands must be
    # written again, or the timeout would never be enforced (reference §6.1).
    run = Run()
    run.advance(1)
    key, due = arm(run)

    outcome = run.fire(key, at_ms=due - 1)

    assert TimerSpec(key=key, due_ms=due) in outcome.effects.timers


@pytest.mark.parametrize("arm", EARLY, ids=lambda f: f.__name__)
def test_a_timer_fired_at_its_deadline_records_the_timeout(
    arm: Callable[[Run], tuple[str, int]],
) -> None:
    run = Run()
    run.advance(1)
    key, due = arm(run)

    outcome = run.fire(key, at_ms=due)

    assert outcome.events, f"{key} due at {due} recorded nothing"
