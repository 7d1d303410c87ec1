"""Activity tasks: start, respond, heartbeat (reference §6.6)."""

from __future__ import annotations

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TimerSpec
from openswf.engine.transition import StaleTask
from openswf.protocol.faults import UnknownResourceFault
from tests.unit.engine.engine_helpers import (
    SEC,
    Run,
    attrs,
    request_cancel_activity,
    schedule_activity,
    types_of,
)

ALL_KINDS = ("SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE", "START_TO_CLOSE", "HEARTBEAT")

# --- start ---------------------------------------------------------------------------------


def test_start_activity_records_started_and_arms_its_timers() -> None:
    run = Run()
    scheduled = run.schedule("a1")
    run.advance(4)

    outcome = run.start_activity("a1", identity="worker-1")

    assert types_of(outcome) == ["ActivityTaskStarted"]
    assert attrs(outcome, "ActivityTaskStarted") == {
        "scheduledEventId": scheduled,
        "identity": "worker-1",
    }
    assert outcome.effects.done_tasks == [("activity", scheduled)]
    assert f"activity:{scheduled}:SCHEDULE_TO_START" in outcome.effects.cleared_timers
    assert f"activity:{scheduled}:SCHEDULE_TO_CLOSE" not in outcome.effects.cleared_timers
    assert outcome.effects.timers == [
        TimerSpec(key=f"activity:{scheduled}:START_TO_CLOSE", due_ms=run.now_ms + 300 * SEC),
        TimerSpec(key=f"activity:{scheduled}:HEARTBEAT", due_ms=run.now_ms + 60 * SEC),
    ]
    activity = run.state.activities[scheduled]
    assert activity.started_event_id == outcome.events[0].event_id
    assert activity.started_ms == run.now_ms


def test_start_activity_without_identity_or_timeouts() -> None:
    run = Run()
    run.schedule("a1", startToCloseTimeout="NONE", heartbeatTimeout="NONE")

    outcome = run.start_activity("a1")

    assert attrs(outcome, "ActivityTaskStarted") == {"scheduledEventId": run.scheduled_id("a1")}
    assert outcome.effects.timers == []


def test_start_activity_schedules_no_decision_task() -> None:
    run = Run()
    run.schedule("a1")

    outcome = run.start_activity("a1")

    assert outcome.effects.new_tasks == []
    assert run.state.decision is None


def test_starting_an_activity_twice_is_stale() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")

    run.fault(c.StartActivityTask(scheduled_event_id=scheduled), StaleTask)


def test_starting_an_unknown_activity_is_stale() -> None:
    run = Run()

    run.fault(c.StartActivityTask(scheduled_event_id=2), StaleTask)
    run.fault(c.StartActivityTask(scheduled_event_id=42), StaleTask)


def test_starting_an_activity_of_a_closed_run_is_stale() -> None:
    run = Run()
    scheduled = run.schedule("a1")
    run.do(c.TerminateExecution())

    run.fault(c.StartActivityTask(scheduled_event_id=scheduled), StaleTask)


# --- respond -------------------------------------------------------------------------------


def test_completed() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")

    outcome = run.respond("a1", "Completed", result="42")

    assert types_of(outcome) == ["ActivityTaskCompleted", "DecisionTaskScheduled"]
    assert attrs(outcome, "ActivityTaskCompleted") == {
        "scheduledEventId": scheduled,
        "startedEventId": started,
        "result": "42",
    }
    assert [t.kind for t in outcome.effects.new_tasks] == ["decision"]
    assert run.state.activities == {}


def test_completed_without_result() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")

    outcome = run.respond("a1", "Completed")

    assert attrs(outcome, "ActivityTaskCompleted") == {
        "scheduledEventId": scheduled,
        "startedEventId": started,
    }


def test_failed() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")

    outcome = run.respond("a1", "Failed", reason="boom", details="trace")

    assert types_of(outcome) == ["ActivityTaskFailed", "DecisionTaskScheduled"]
    assert attrs(outcome, "ActivityTaskFailed") == {
        "scheduledEventId": scheduled,
        "startedEventId": started,
        "reason": "boom",
        "details": "trace",
    }


def test_canceled() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")

    outcome = run.respond("a1", "Canceled", details="bye")

    assert types_of(outcome) == ["ActivityTaskCanceled", "DecisionTaskScheduled"]
    assert attrs(outcome, "ActivityTaskCanceled") == {
        "scheduledEventId": scheduled,
        "startedEventId": started,
        "details": "bye",
    }


def test_canceled_after_a_cancel_request_names_the_request() -> None:
    run = Run()
    run.running_activity("a1")
    run.signal()
    requested = run.decide([request_cancel_activity("a1")]).events[1]

    outcome = run.respond("a1", "Canceled")

    assert attrs(outcome, "ActivityTaskCanceled")["latestCancelRequestedEventId"] == (
        requested.event_id
    )


@pytest.mark.parametrize("result", ["Completed", "Failed"])
def test_a_worker_may_complete_or_fail_after_a_cancel_request(result: str) -> None:
    run = Run()
    run.running_activity("a1")
    run.signal()
    run.decide([request_cancel_activity("a1")])

    outcome = run.respond("a1", result)

    assert types_of(outcome) == ["ActivityTask" + result, "DecisionTaskScheduled"]


@pytest.mark.parametrize("result", ["Completed", "Failed", "Canceled"])
def test_respond_clears_every_activity_timer(result: str) -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")

    outcome = run.respond("a1", result)

    for kind in ALL_KINDS:
        assert f"activity:{scheduled}:{kind}" in outcome.effects.cleared_timers


@pytest.mark.parametrize("result", ["Completed", "Failed", "Canceled"])
def test_responding_twice_is_unknown(result: str) -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")
    answer = c.RespondActivityTask(
        scheduled_event_id=scheduled, started_event_id=started, outcome=result
    )
    run.do(answer)

    run.fault(answer, UnknownResourceFault)
    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=started, outcome="Completed"
        ),
        UnknownResourceFault,
    )


@pytest.mark.parametrize("started", [0, 1, 999], ids=["zero", "other-event", "unknown"])
def test_responding_with_a_stale_started_id_is_unknown(started: int) -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")

    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=started, outcome="Completed"
        ),
        UnknownResourceFault,
    )


def test_responding_to_a_scheduled_but_not_started_activity_is_unknown() -> None:
    run = Run()
    scheduled = run.schedule("a1")

    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=0, outcome="Completed"
        ),
        UnknownResourceFault,
    )


def test_responding_after_the_run_closed_is_unknown() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")
    run.do(c.TerminateExecution())

    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=started, outcome="Completed"
        ),
        UnknownResourceFault,
    )
    run.fault(
        c.RecordHeartbeat(scheduled_event_id=scheduled, started_event_id=started),
        UnknownResourceFault,
    )


def test_two_completions_while_the_decision_task_is_scheduled_batch() -> None:
    run = Run()
    run.decide([schedule_activity("a1"), schedule_activity("a2")])
    run.start_activity("a1")
    run.start_activity("a2")

    first = run.respond("a1", "Completed")
    second = run.respond("a2", "Completed")

    assert types_of(first) == ["ActivityTaskCompleted", "DecisionTaskScheduled"]
    assert types_of(second) == ["ActivityTaskCompleted"]


# --- heartbeat -----------------------------------------------------------------------------


def test_heartbeat_stores_details_and_records_nothing() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")
    run.advance(3)

    outcome = run.heartbeat("a1", details="50%")

    assert outcome.events == []
    assert outcome.reply is False
    assert outcome.effects.new_tasks == [] and outcome.effects.timers == []
    beat = run.state.heartbeats[scheduled]
    assert beat.details == "50%"
    assert beat.at_ms == run.now_ms


def test_heartbeat_without_details_keeps_the_last_details() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")
    run.heartbeat("a1", details="50%")
    run.advance(1)

    run.heartbeat("a1")

    assert run.state.heartbeats[scheduled].details == "50%"
    assert run.state.heartbeats[scheduled].at_ms == run.now_ms


def test_heartbeat_of_a_scheduled_but_not_started_activity_is_unknown() -> None:
    run = Run()
    scheduled = run.schedule("a1")

    run.fault(
        c.RecordHeartbeat(scheduled_event_id=scheduled, started_event_id=0),
        UnknownResourceFault,
    )


def test_heartbeat_after_completion_is_unknown() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")
    run.respond("a1", "Completed")

    run.fault(
        c.RecordHeartbeat(scheduled_event_id=scheduled, started_event_id=started),
        UnknownResourceFault,
    )


def test_heartbeat_is_forgotten_when_the_activity_closes() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")
    run.heartbeat("a1", details="x")

    run.respond("a1", "Completed")

    assert scheduled not in run.state.heartbeats
