"""Starting an execution: WorkflowExecutionStarted, the first decision task, the run timer."""

from __future__ import annotations

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TaskSpec, TimerSpec
from openswf.engine.machine import handle, new_execution
from openswf.engine.state import rebuild
from tests.unit.engine.engine_helpers import (
    SEC,
    T0,
    WF_TYPE,
    Run,
    attrs,
    start_command,
    timer_keys,
    types_of,
)


def test_a_new_history_is_started_then_decision_task_scheduled() -> None:
    run = Run()

    assert types_of(run.start_outcome) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    assert [e.event_id for e in run.history] == [1, 2]
    assert all(e.timestamp_ms == T0 for e in run.history)


def test_started_attributes_carry_the_resolved_configuration() -> None:
    run = Run(start_command(task_priority="5", input="hello", lambda_role="arn:aws:iam::1:role/x"))

    assert attrs(run.start_outcome, "WorkflowExecutionStarted") == {
        "executionStartToCloseTimeout": "3600",
        "taskStartToCloseTimeout": "60",
        "childPolicy": "TERMINATE",
        "taskList": {"name": "decisions"},
        "taskPriority": "5",
        "workflowType": WF_TYPE,
        "parentInitiatedEventId": 0,
        "input": "hello",
        "lambdaRole": "arn:aws:iam::1:role/x",
    }


def test_started_omits_input_tags_and_lambda_role_when_not_given() -> None:
    started = attrs(Run().start_outcome, "WorkflowExecutionStarted")

    assert "input" not in started
    assert "tagList" not in started
    assert "lambdaRole" not in started
    assert started["parentInitiatedEventId"] == 0


def test_started_has_tag_list_only_when_given() -> None:
    started = attrs(
        Run(start_command(tag_list=["a", "b"])).start_outcome, "WorkflowExecutionStarted"
    )

    assert started["tagList"] == ["a", "b"]


def test_first_decision_task_is_scheduled_on_the_execution_task_list() -> None:
    run = Run(start_command(task_list="deciders", task_priority="7"))

    assert attrs(run.start_outcome, "DecisionTaskScheduled") == {
        "taskList": {"name": "deciders"},
        "taskPriority": "7",
        "startToCloseTimeout": "60",
    }
    assert run.start_outcome.effects.new_tasks == [
        TaskSpec(kind="decision", task_list="deciders", priority=7, scheduled_event_id=2)
    ]


def test_start_arms_the_workflow_start_to_close_timer() -> None:
    run = Run(start_command(execution_start_to_close_timeout="120"))

    assert run.start_outcome.effects.timers == [
        TimerSpec(key="workflow:START_TO_CLOSE", due_ms=T0 + 120 * SEC)
    ]
    assert not run.start_outcome.effects.closed
    assert run.start_outcome.effects.done_tasks == []


def test_start_with_no_execution_timeout_arms_no_timer() -> None:
    run = Run(start_command(execution_start_to_close_timeout="NONE"))

    assert "workflow:START_TO_CLOSE" not in timer_keys(run.start_outcome)


def test_state_after_start() -> None:
    run = Run(start_command(child_policy="ABANDON", tag_list=["t"], task_priority="2"))
    state = run.state

    assert state.is_open and state.close_status is None
    assert state.run_id == "run-1" and state.workflow_id == "wf-1"
    assert state.workflow_type == WF_TYPE
    assert state.task_list == "decisions"
    assert state.task_priority == 2
    assert state.child_policy == "ABANDON"
    assert state.tag_list == ["t"]
    assert state.start_ms == T0
    assert state.decision is not None and state.decision.scheduled_event_id == 2
    assert state.decision.started_event_id == 0
    assert state.previous_started_event_id == 0
    assert state.activities == {} and state.timers == {}
    assert state.execution() == {"workflowId": "wf-1", "runId": "run-1"}


@pytest.mark.parametrize("timeout", ["1", "31536000"])
def test_decision_task_timeout_is_copied_into_decision_task_scheduled(timeout: str) -> None:
    run = Run(start_command(task_start_to_close_timeout=timeout))

    assert attrs(run.start_outcome, "DecisionTaskScheduled")["startToCloseTimeout"] == timeout


def test_a_clock_set_back_does_not_set_the_history_back() -> None:
    # A machine's clock stepped back (NTP, a restored VM): new events keep the time of the
    # newest one, so a history's timestamps never decrease.
    command = start_command()
    started = new_execution(command, T0)
    signaled = handle(started.state, c.SignalExecution(signal_name="s", input=None), T0 - 30 * SEC)

    assert [e.timestamp_ms for e in signaled.events] == [T0]
    events = [*started.events, *signaled.events]
    again = rebuild(events, run_id=command.run_id, workflow_id=command.workflow_id)
    assert again.last_event_ms == T0
