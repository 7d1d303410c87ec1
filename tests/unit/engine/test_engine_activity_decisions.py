"""ScheduleActivityTask and RequestCancelActivityTask decisions (reference §4, §4.2)."""

from __future__ import annotations

from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TaskSpec, TimerSpec
from openswf.engine.transition import StaleTask
from tests.unit.engine.engine_helpers import (
    ACT_TYPE,
    SEC,
    Run,
    activity_type_info,
    attrs,
    request_cancel_activity,
    schedule_activity,
    timer_keys,
    types_of,
)

# --- ScheduleActivityTask: success ----------------------------------------------------------


def test_schedule_activity_with_type_defaults_writes_the_resolved_values() -> None:
    run = Run()

    outcome = run.decide([schedule_activity("a1", input="in", control="ctl")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "ActivityTaskScheduled"]
    assert attrs(outcome, "ActivityTaskScheduled") == {
        "activityType": ACT_TYPE,
        "activityId": "a1",
        "input": "in",
        "control": "ctl",
        "taskList": {"name": "activities"},
        "taskPriority": "3",
        "scheduleToStartTimeout": "600",
        "scheduleToCloseTimeout": "1200",
        "startToCloseTimeout": "300",
        "heartbeatTimeout": "60",
        "decisionTaskCompletedEventId": 4,
    }


def test_schedule_activity_decision_values_override_type_defaults() -> None:
    run = Run()

    outcome = run.decide(
        [
            schedule_activity(
                "a1",
                taskList={"name": "special"},
                taskPriority="9",
                scheduleToStartTimeout="5",
                scheduleToCloseTimeout="NONE",
                startToCloseTimeout="7",
                heartbeatTimeout="NONE",
            )
        ]
    )

    scheduled = attrs(outcome, "ActivityTaskScheduled")
    assert scheduled["taskList"] == {"name": "special"}
    assert scheduled["taskPriority"] == "9"
    assert scheduled["scheduleToStartTimeout"] == "5"
    assert scheduled["scheduleToCloseTimeout"] == "NONE"
    assert scheduled["startToCloseTimeout"] == "7"
    assert scheduled["heartbeatTimeout"] == "NONE"


def test_schedule_activity_priority_defaults_to_zero() -> None:
    run = Run()
    types = {("act", "1"): activity_type_info(defaultTaskPriority=None)}

    outcome = run.decide([schedule_activity("a1")], activity_types=types)

    assert attrs(outcome, "ActivityTaskScheduled")["taskPriority"] == "0"
    assert outcome.effects.new_tasks[0].priority == 0


def test_schedule_activity_omits_input_and_control_when_not_given() -> None:
    run = Run()

    scheduled = attrs(run.decide([schedule_activity("a1")]), "ActivityTaskScheduled")

    assert "input" not in scheduled and "control" not in scheduled


def test_schedule_activity_creates_the_task_with_its_payload() -> None:
    run = Run()

    outcome = run.decide([schedule_activity("a1", input="in", control="ctl")])

    assert outcome.effects.new_tasks == [
        TaskSpec(
            kind="activity",
            task_list="activities",
            priority=3,
            scheduled_event_id=5,
            payload={"activityId": "a1", "activityType": ACT_TYPE, "input": "in"},
        )
    ]


def test_schedule_activity_arms_schedule_to_start_and_schedule_to_close() -> None:
    run = Run()
    run.advance(10)

    outcome = run.decide([schedule_activity("a1")])

    assert outcome.effects.timers == [
        TimerSpec(key="activity:5:SCHEDULE_TO_START", due_ms=run.now_ms + 600 * SEC),
        TimerSpec(key="activity:5:SCHEDULE_TO_CLOSE", due_ms=run.now_ms + 1200 * SEC),
    ]


def test_schedule_activity_with_none_timeouts_arms_no_timer() -> None:
    run = Run()

    outcome = run.decide(
        [schedule_activity("a1", scheduleToStartTimeout="NONE", scheduleToCloseTimeout="NONE")]
    )

    assert not any(key.startswith("activity:") for key in timer_keys(outcome))


def test_schedule_activity_alone_schedules_no_decision_task() -> None:
    run = Run()

    outcome = run.decide([schedule_activity("a1")])

    assert "DecisionTaskScheduled" not in types_of(outcome)
    assert run.state.decision is None


def test_scheduled_activity_is_open_in_the_state() -> None:
    run = Run()
    run.advance(3)

    scheduled = run.schedule("a1")

    activity = run.state.activities[scheduled]
    assert activity.activity_id == "a1"
    assert activity.task_list == "activities"
    assert activity.started_event_id == 0
    assert run.state.latest_activity_task_ms == run.now_ms


def test_several_activities_in_one_batch() -> None:
    run = Run()

    outcome = run.decide([schedule_activity("a1"), schedule_activity("a2")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "ActivityTaskScheduled",
        "ActivityTaskScheduled",
    ]
    assert [t.scheduled_event_id for t in outcome.effects.new_tasks] == [5, 6]


def test_an_activity_id_can_be_reused_once_the_activity_is_closed() -> None:
    run = Run()
    run.running_activity("a1")
    run.respond("a1", "Completed")

    outcome = run.decide([schedule_activity("a1")])

    assert "ActivityTaskScheduled" in types_of(outcome)


# --- ScheduleActivityTask: failures ---------------------------------------------------------


def schedule_failure(
    run: Run, decision: dict[str, Any], types: dict[tuple[str, str], c.ActivityTypeInfo] | None
) -> dict[str, Any]:
    outcome = run.decide([decision], activity_types=types)
    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "ScheduleActivityTaskFailed",
        "DecisionTaskScheduled",
    ]
    assert [t.kind for t in outcome.effects.new_tasks] == ["decision"]
    assert outcome.effects.timers == []
    return attrs(outcome, "ScheduleActivityTaskFailed")


def test_unknown_activity_type_fails() -> None:
    run = Run()

    failed = schedule_failure(run, schedule_activity("a1"), {})

    assert failed == {
        "activityType": ACT_TYPE,
        "activityId": "a1",
        "cause": "ACTIVITY_TYPE_DOES_NOT_EXIST",
        "decisionTaskCompletedEventId": 4,
    }
    assert run.state.activities == {}


def test_unknown_activity_type_version_fails() -> None:
    run = Run()

    failed = schedule_failure(
        run, schedule_activity("a1", activityType={"name": "act", "version": "2"}), None
    )

    assert failed["cause"] == "ACTIVITY_TYPE_DOES_NOT_EXIST"


def test_deprecated_activity_type_fails() -> None:
    run = Run()
    types = {("act", "1"): activity_type_info(status="DEPRECATED")}

    failed = schedule_failure(run, schedule_activity("a1"), types)

    assert failed["cause"] == "ACTIVITY_TYPE_DEPRECATED"


def test_activity_id_of_an_open_activity_fails() -> None:
    run = Run()
    run.schedule("a1")
    run.signal()

    failed = schedule_failure(run, schedule_activity("a1"), None)

    assert failed["cause"] == "ACTIVITY_ID_ALREADY_IN_USE"
    assert len(run.state.activities) == 1


def test_activity_id_repeated_in_one_batch_fails_the_second() -> None:
    run = Run()

    outcome = run.decide([schedule_activity("a1"), schedule_activity("a1")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "ActivityTaskScheduled",
        "ScheduleActivityTaskFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "ScheduleActivityTaskFailed")["cause"] == "ACTIVITY_ID_ALREADY_IN_USE"


def test_open_activities_limit() -> None:
    run = Run(limits=c.Limits(max_open_activities=2))

    outcome = run.decide(
        [schedule_activity("a1"), schedule_activity("a2"), schedule_activity("a3")]
    )

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "ActivityTaskScheduled",
        "ActivityTaskScheduled",
        "ScheduleActivityTaskFailed",
        "DecisionTaskScheduled",
    ]
    failed = attrs(outcome, "ScheduleActivityTaskFailed")
    assert failed["cause"] == "OPEN_ACTIVITIES_LIMIT_EXCEEDED"
    assert failed["activityId"] == "a3"


def test_open_activities_limit_frees_up_when_an_activity_closes() -> None:
    run = Run(limits=c.Limits(max_open_activities=1))
    run.running_activity("a1")
    run.respond("a1", "Completed")

    outcome = run.decide([schedule_activity("a2")])

    assert "ActivityTaskScheduled" in types_of(outcome)


@pytest.mark.parametrize(
    ("default", "cause"),
    [
        ("defaultTaskList", "DEFAULT_TASK_LIST_UNDEFINED"),
        ("defaultTaskScheduleToStartTimeout", "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED"),
        ("defaultTaskScheduleToCloseTimeout", "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED"),
        ("defaultTaskStartToCloseTimeout", "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        ("defaultTaskHeartbeatTimeout", "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED"),
    ],
)
def test_undefined_default_fails(default: str, cause: str) -> None:
    run = Run()
    types = {("act", "1"): activity_type_info(**{default: None})}

    failed = schedule_failure(run, schedule_activity("a1"), types)

    assert failed["cause"] == cause


@pytest.mark.parametrize(
    ("default", "member"),
    [
        ("defaultTaskList", "taskList"),
        ("defaultTaskScheduleToStartTimeout", "scheduleToStartTimeout"),
        ("defaultTaskScheduleToCloseTimeout", "scheduleToCloseTimeout"),
        ("defaultTaskStartToCloseTimeout", "startToCloseTimeout"),
        ("defaultTaskHeartbeatTimeout", "heartbeatTimeout"),
    ],
)
def test_a_value_in_the_decision_makes_an_undefined_default_harmless(
    default: str, member: str
) -> None:
    run = Run()
    types = {("act", "1"): activity_type_info(**{default: None})}
    value: Any = {"name": "given"} if member == "taskList" else "11"

    outcome = run.decide([schedule_activity("a1", **{member: value})], activity_types=types)

    assert attrs(outcome, "ActivityTaskScheduled")[member] == value


def test_a_failed_decision_does_not_stop_the_rest_of_the_batch() -> None:
    run = Run()

    outcome = run.decide(
        [
            schedule_activity("bad", activityType={"name": "nope", "version": "1"}),
            schedule_activity("good"),
        ]
    )

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "ScheduleActivityTaskFailed",
        "ActivityTaskScheduled",
        "DecisionTaskScheduled",
    ]
    assert run.state.activity_by_id("good") is not None


# --- RequestCancelActivityTask --------------------------------------------------------------


def test_cancel_of_a_scheduled_activity_cancels_it_at_once() -> None:
    run = Run()
    scheduled = run.schedule("a1")
    run.signal()

    outcome = run.decide([request_cancel_activity("a1")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "ActivityTaskCancelRequested",
        "ActivityTaskCanceled",
        "DecisionTaskScheduled",
    ]
    completed_id = outcome.events[0].event_id
    requested = outcome.events[1]
    assert requested.attributes == {
        "decisionTaskCompletedEventId": completed_id,
        "activityId": "a1",
    }
    assert attrs(outcome, "ActivityTaskCanceled") == {
        "scheduledEventId": scheduled,
        "startedEventId": 0,
        "latestCancelRequestedEventId": requested.event_id,
    }
    assert ("activity", scheduled) in outcome.effects.done_tasks
    for kind in ("SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE"):
        assert f"activity:{scheduled}:{kind}" in outcome.effects.cleared_timers
    assert run.state.activities == {}


def test_a_cancelled_scheduled_activity_is_never_handed_out() -> None:
    run = Run()
    scheduled = run.schedule("a1")
    run.signal()
    run.decide([request_cancel_activity("a1")])

    run.fault(c.StartActivityTask(scheduled_event_id=scheduled), StaleTask)


def test_cancel_of_a_started_activity_only_requests_it() -> None:
    run = Run()
    scheduled, _ = run.running_activity("a1")
    run.signal()

    outcome = run.decide([request_cancel_activity("a1")])

    assert types_of(outcome) == ["DecisionTaskCompleted", "ActivityTaskCancelRequested"]
    assert outcome.effects.done_tasks == []
    assert not any(key.startswith("activity:") for key in outcome.effects.cleared_timers)
    activity = run.state.activities[scheduled]
    assert activity.cancel_requested_event_id == outcome.events[1].event_id
    assert run.state.decision is None


def test_heartbeat_reports_the_cancel_request() -> None:
    run = Run()
    run.running_activity("a1")
    assert run.heartbeat("a1").reply is False
    run.signal()

    run.decide([request_cancel_activity("a1")])

    assert run.heartbeat("a1").reply is True


def test_cancel_of_an_unknown_activity_fails() -> None:
    run = Run()

    outcome = run.decide([request_cancel_activity("ghost")])

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "RequestCancelActivityTaskFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "RequestCancelActivityTaskFailed") == {
        "activityId": "ghost",
        "cause": "ACTIVITY_ID_UNKNOWN",
        "decisionTaskCompletedEventId": 4,
    }


def test_cancel_of_a_closed_activity_fails_as_unknown() -> None:
    run = Run()
    run.running_activity("a1")
    run.respond("a1", "Completed")

    outcome = run.decide([request_cancel_activity("a1")])

    assert attrs(outcome, "RequestCancelActivityTaskFailed")["cause"] == "ACTIVITY_ID_UNKNOWN"
