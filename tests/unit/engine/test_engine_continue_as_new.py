"""ContinueAsNewWorkflowExecution: the old run closes, the new run starts in the same
transition (reference §4, §4.1, §4.2, §5, §6.10)."""

from __future__ import annotations

from typing import Any

import pytest

from openswf.engine import commands as c
from openswf.engine.effects import TaskSpec, TimerSpec
from openswf.engine.transition import Outcome
from openswf.protocol.faults import UnknownResourceFault
from tests.unit.engine.engine_helpers import (
    ROLE,
    SEC,
    WF_TYPE,
    Run,
    adopt,
    attrs,
    complete_workflow,
    continue_as_new,
    record_marker,
    schedule_activity,
    start_child,
    start_command,
    start_timer,
    timer_keys,
    types_of,
    workflow_type_info,
    workflow_types,
)

WF_V2 = {"name": "wf", "version": "2"}
PARENT = {"workflowId": "parent", "runId": "parent-run"}


def continued(run: Run, *decisions: dict[str, Any], **kwargs: Any) -> Outcome:
    kwargs.setdefault("workflow_types", workflow_types())
    kwargs.setdefault("new_run_id", "run-2")
    return run.decide(list(decisions), **kwargs)


def new_run(outcome: Outcome, run: Run) -> Run:
    assert outcome.continued_as_new is not None, types_of(outcome)
    return adopt(outcome.continued_as_new, run.now_ms)


# --- success --------------------------------------------------------------------------------


def test_the_old_run_closes_continued_as_new_with_the_type_defaults_resolved() -> None:
    run = Run(start_command(tag_list=["t1"], input="first"))
    run.advance(6)

    outcome = continued(run, continue_as_new(input="second"))

    assert types_of(outcome) == ["DecisionTaskCompleted", "WorkflowExecutionContinuedAsNew"]
    assert attrs(outcome, "WorkflowExecutionContinuedAsNew") == {
        "input": "second",
        "decisionTaskCompletedEventId": 4,
        "newExecutionRunId": "run-2",
        "executionStartToCloseTimeout": "7200",
        "taskList": {"name": "type-decisions"},
        "taskPriority": "2",
        "taskStartToCloseTimeout": "30",
        "childPolicy": "REQUEST_CANCEL",
        "tagList": ["t1"],  # carried over: the decision names none
        "workflowType": WF_TYPE,
    }
    assert outcome.effects.closed
    assert outcome.effects.new_tasks == []
    assert run.state.status == "CLOSED"
    assert run.state.close_status == "CONTINUED_AS_NEW"
    assert run.state.close_ms == run.now_ms
    assert run.state.decision is None


def test_the_new_run_starts_in_the_same_transition() -> None:
    run = Run(start_command(tag_list=["t1"]))
    run.advance(6)

    outcome = continued(run, continue_as_new(input="second"))

    assert outcome.continued_as_new is not None
    started = outcome.continued_as_new
    assert types_of(started) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    assert [e.event_id for e in started.events] == [1, 2]
    assert attrs(started, "WorkflowExecutionStarted") == {
        "input": "second",
        "executionStartToCloseTimeout": "7200",
        "taskStartToCloseTimeout": "30",
        "childPolicy": "REQUEST_CANCEL",
        "taskList": {"name": "type-decisions"},
        "taskPriority": "2",
        "workflowType": WF_TYPE,
        "tagList": ["t1"],
        "continuedExecutionRunId": "run-1",
        "parentInitiatedEventId": 0,
    }
    assert attrs(started, "DecisionTaskScheduled") == {
        "taskList": {"name": "type-decisions"},
        "taskPriority": "2",
        "startToCloseTimeout": "30",
    }
    assert started.effects.new_tasks == [
        TaskSpec(kind="decision", task_list="type-decisions", priority=2, scheduled_event_id=2)
    ]
    assert (
        TimerSpec(key="workflow:START_TO_CLOSE", due_ms=run.now_ms + 7200 * SEC)
        in started.effects.timers
    )
    state = started.state
    assert (state.workflow_id, state.run_id) == ("wf-1", "run-2")
    assert state.continued_execution_run_id == "run-1"
    assert state.is_open


def test_the_new_run_carries_on() -> None:
    run = Run()
    outcome = continued(run, continue_as_new(input="second"))
    second = new_run(outcome, run)  # checks rebuild(history) == state for the new run

    second.decide([complete_workflow(result="done")])

    assert types_of(second.history) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
        "DecisionTaskCompleted",
        "WorkflowExecutionCompleted",
    ]
    assert second.state.close_status == "COMPLETED"


def test_no_input_means_none_in_either_run() -> None:
    run = Run(start_command(input="first"))

    outcome = continued(run, continue_as_new())

    assert "input" not in attrs(outcome, "WorkflowExecutionContinuedAsNew")
    assert outcome.continued_as_new is not None
    assert "input" not in attrs(outcome.continued_as_new, "WorkflowExecutionStarted")


def test_every_override() -> None:
    run = Run(start_command(tag_list=["old"], lambda_role=ROLE))
    other_role = "arn:aws:iam::123456789012:role/other"

    outcome = continued(
        run,
        continue_as_new(
            input="i",
            executionStartToCloseTimeout="500",
            taskList={"name": "next"},
            taskPriority="9",
            taskStartToCloseTimeout="15",
            childPolicy="ABANDON",
            tagList=["n1", "n2"],
            lambdaRole=other_role,
        ),
    )

    assert attrs(outcome, "WorkflowExecutionContinuedAsNew") == {
        "input": "i",
        "decisionTaskCompletedEventId": 4,
        "newExecutionRunId": "run-2",
        "executionStartToCloseTimeout": "500",
        "taskList": {"name": "next"},
        "taskPriority": "9",
        "taskStartToCloseTimeout": "15",
        "childPolicy": "ABANDON",
        "tagList": ["n1", "n2"],
        "workflowType": WF_TYPE,
        "lambdaRole": other_role,
    }
    assert outcome.continued_as_new is not None
    started = attrs(outcome.continued_as_new, "WorkflowExecutionStarted")
    assert started == {
        "input": "i",
        "executionStartToCloseTimeout": "500",
        "taskStartToCloseTimeout": "15",
        "childPolicy": "ABANDON",
        "taskList": {"name": "next"},
        "taskPriority": "9",
        "workflowType": WF_TYPE,
        "tagList": ["n1", "n2"],
        "continuedExecutionRunId": "run-1",
        "parentInitiatedEventId": 0,
        "lambdaRole": other_role,
    }
    state = outcome.continued_as_new.state
    assert (state.task_list, state.task_priority, state.child_policy) == ("next", 9, "ABANDON")
    assert state.tag_list == ["n1", "n2"]
    assert timer_keys(outcome.continued_as_new)["workflow:START_TO_CLOSE"] == run.now_ms + 500 * SEC


def test_workflow_type_version_picks_the_version_and_its_defaults() -> None:
    types = workflow_types(
        (WF_TYPE, workflow_type_info()),
        (WF_V2, workflow_type_info(defaultTaskList={"name": "v2"}, defaultChildPolicy="ABANDON")),
    )
    run = Run()

    outcome = continued(run, continue_as_new(workflowTypeVersion="2"), workflow_types=types)

    event = attrs(outcome, "WorkflowExecutionContinuedAsNew")
    assert event["workflowType"] == WF_V2
    assert (event["taskList"], event["childPolicy"]) == ({"name": "v2"}, "ABANDON")
    assert outcome.continued_as_new is not None
    assert attrs(outcome.continued_as_new, "WorkflowExecutionStarted")["workflowType"] == WF_V2
    assert outcome.continued_as_new.state.workflow_type == WF_V2


def test_the_type_name_is_always_the_runs() -> None:
    other = {"name": "other", "version": "1"}
    types = workflow_types((other, workflow_type_info()))
    run = Run()

    outcome = continued(run, continue_as_new(), workflow_types=types)

    assert attrs(outcome, "ContinueAsNewWorkflowExecutionFailed")["cause"] == (
        "WORKFLOW_TYPE_DOES_NOT_EXIST"
    )


def test_tags_are_replaced_when_the_decision_names_some() -> None:
    run = Run(start_command(tag_list=["old"]))

    outcome = continued(run, continue_as_new(tagList=["new"]))

    assert attrs(outcome, "WorkflowExecutionContinuedAsNew")["tagList"] == ["new"]


def test_no_tags_anywhere_means_no_tag_list() -> None:
    run = Run()

    outcome = continued(run, continue_as_new())

    assert "tagList" not in attrs(outcome, "WorkflowExecutionContinuedAsNew")
    assert outcome.continued_as_new is not None
    assert "tagList" not in attrs(outcome.continued_as_new, "WorkflowExecutionStarted")


def test_the_lambda_role_comes_from_the_type_then_from_the_run() -> None:
    type_role = "arn:aws:iam::123456789012:role/type"
    with_default = workflow_types((WF_TYPE, workflow_type_info(defaultLambdaRole=type_role)))

    from_type = continued(
        Run(start_command(lambda_role=ROLE)), continue_as_new(), workflow_types=with_default
    )
    from_run = continued(Run(start_command(lambda_role=ROLE)), continue_as_new())
    nowhere = continued(Run(), continue_as_new())

    assert attrs(from_type, "WorkflowExecutionContinuedAsNew")["lambdaRole"] == type_role
    assert attrs(from_run, "WorkflowExecutionContinuedAsNew")["lambdaRole"] == ROLE
    assert "lambdaRole" not in attrs(nowhere, "WorkflowExecutionContinuedAsNew")


def test_priority_without_any_default_is_zero() -> None:
    types = workflow_types((WF_TYPE, workflow_type_info(defaultTaskPriority=None)))
    run = Run(start_command(task_priority="5"))

    outcome = continued(run, continue_as_new(), workflow_types=types)

    assert attrs(outcome, "WorkflowExecutionContinuedAsNew")["taskPriority"] == "0"


def test_the_parent_link_is_carried_and_the_parent_is_not_told() -> None:
    run = Run(start_command(parent=dict(PARENT), parent_initiated_event_id=11))

    outcome = continued(run, continue_as_new())

    assert "msg:notify-parent" not in timer_keys(outcome)
    second = new_run(outcome, run)
    started = attrs(second.start_outcome, "WorkflowExecutionStarted")
    assert started["parentWorkflowExecution"] == PARENT
    assert started["parentInitiatedEventId"] == 11
    assert started["continuedExecutionRunId"] == "run-1"
    # The last run of the chain is the one that tells the parent.
    closing = second.decide([complete_workflow()])
    assert "msg:notify-parent" in timer_keys(closing)


def test_open_work_of_the_old_run_is_gone() -> None:
    run = Run()
    scheduled, started = run.running_activity("a1")
    run.signal()
    run.decide([start_timer("t1", "60")])
    run.signal()

    outcome = continued(run, continue_as_new())

    assert "WorkflowExecutionContinuedAsNew" in types_of(outcome)
    assert run.state.activities == {} and run.state.timers == {}
    run.fault(
        c.RespondActivityTask(
            scheduled_event_id=scheduled, started_event_id=started, outcome="Completed"
        ),
        UnknownResourceFault,
    )
    run.fault(c.SignalExecution(signal_name="late"), UnknownResourceFault)


def test_children_stay_with_the_old_run_and_get_no_policy() -> None:
    child_types = workflow_types((WF_TYPE, workflow_type_info()))
    run = Run()
    run.decide([start_child("kid")], workflow_types=child_types)
    run.do(c.ChildStarted(initiated_event_id=5, run_id="child-run"))

    outcome = continued(run, continue_as_new())

    assert not any(k.startswith("msg:child-policy") for k in timer_keys(outcome))
    assert list(run.state.children) == [5]
    assert outcome.continued_as_new is not None
    assert outcome.continued_as_new.state.children == {}


def test_other_decisions_before_it_are_applied() -> None:
    run = Run()

    outcome = continued(run, record_marker("m"), schedule_activity("a1"), continue_as_new())

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "MarkerRecorded",
        "ActivityTaskScheduled",
        "WorkflowExecutionContinuedAsNew",
    ]


# --- failures -------------------------------------------------------------------------------


def assert_failed(outcome: Outcome, run: Run, cause: str) -> None:
    assert types_of(outcome)[-2:] == [
        "ContinueAsNewWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(outcome, "ContinueAsNewWorkflowExecutionFailed") == {
        "cause": cause,
        "decisionTaskCompletedEventId": outcome.events[0].event_id,
    }
    assert outcome.continued_as_new is None
    assert not outcome.effects.closed
    assert run.state.is_open


@pytest.mark.parametrize(
    ("types", "decision_attrs", "cause"),
    [
        ({}, {}, "WORKFLOW_TYPE_DOES_NOT_EXIST"),
        (workflow_types(), {"workflowTypeVersion": "404"}, "WORKFLOW_TYPE_DOES_NOT_EXIST"),
        (
            workflow_types((WF_TYPE, workflow_type_info(status="DEPRECATED"))),
            {},
            "WORKFLOW_TYPE_DEPRECATED",
        ),
    ],
    ids=["no-type", "unknown-version", "deprecated"],
)
def test_the_type_must_exist_and_be_registered(
    types: dict[tuple[str, str], c.WorkflowTypeInfo], decision_attrs: dict[str, Any], cause: str
) -> None:
    run = Run()

    outcome = continued(run, continue_as_new(**decision_attrs), workflow_types=types)

    assert_failed(outcome, run, cause)


BARE = workflow_types((WF_TYPE, c.WorkflowTypeInfo(status="REGISTERED", configuration={})))


@pytest.mark.parametrize(
    ("given", "cause"),
    [
        ({}, "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        ({"executionStartToCloseTimeout": "100"}, "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        (
            {"executionStartToCloseTimeout": "100", "taskStartToCloseTimeout": "10"},
            "DEFAULT_TASK_LIST_UNDEFINED",
        ),
        (
            {
                "executionStartToCloseTimeout": "100",
                "taskStartToCloseTimeout": "10",
                "taskList": {"name": "next"},
            },
            "DEFAULT_CHILD_POLICY_UNDEFINED",
        ),
    ],
)
def test_undefined_defaults_in_enum_order(given: dict[str, Any], cause: str) -> None:
    # ContinueAsNewWorkflowExecutionFailedCause lists them in this order, which is not the
    # order of StartChildWorkflowExecutionFailedCause.
    run = Run()

    outcome = continued(run, continue_as_new(**given), workflow_types=BARE)

    assert_failed(outcome, run, cause)


@pytest.mark.parametrize(
    ("missing", "cause"),
    [
        (
            "defaultExecutionStartToCloseTimeout",
            "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        ),
        ("defaultTaskStartToCloseTimeout", "DEFAULT_TASK_START_TO_CLOSE_TIMEOUT_UNDEFINED"),
        ("defaultTaskList", "DEFAULT_TASK_LIST_UNDEFINED"),
        ("defaultChildPolicy", "DEFAULT_CHILD_POLICY_UNDEFINED"),
    ],
)
def test_each_default_undefined_alone(missing: str, cause: str) -> None:
    run = Run()
    types = workflow_types((WF_TYPE, workflow_type_info(**{missing: None})))

    outcome = continued(run, continue_as_new(), workflow_types=types)

    assert_failed(outcome, run, cause)


def test_the_decision_supplies_what_the_type_leaves_undefined() -> None:
    run = Run()

    outcome = continued(
        run,
        continue_as_new(
            executionStartToCloseTimeout="100",
            taskStartToCloseTimeout="10",
            taskList={"name": "next"},
            childPolicy="TERMINATE",
        ),
        workflow_types=BARE,
    )

    assert types_of(outcome)[-1] == "WorkflowExecutionContinuedAsNew"
    assert attrs(outcome, "WorkflowExecutionContinuedAsNew")["taskPriority"] == "0"


def test_unhandled_events_fail_it_after_the_other_decisions_applied() -> None:
    run = Run()
    run.start_decision()
    run.signal()  # arrives while the decision task is started

    outcome = run.complete_decision(
        [record_marker("m"), continue_as_new()],
        workflow_types=workflow_types(),
        new_run_id="run-2",
    )

    assert types_of(outcome) == [
        "DecisionTaskCompleted",
        "MarkerRecorded",
        "ContinueAsNewWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    assert_failed(outcome, run, "UNHANDLED_DECISION")


def test_unhandled_decision_comes_first_in_enum_order() -> None:
    run = Run()
    run.start_decision()
    run.signal()

    outcome = run.complete_decision([continue_as_new()], workflow_types={}, new_run_id="run-2")

    assert_failed(outcome, run, "UNHANDLED_DECISION")


def test_a_failed_continue_as_new_can_be_retried() -> None:
    run = Run()
    continued(run, continue_as_new(), workflow_types={})

    outcome = continued(run, continue_as_new())

    assert types_of(outcome)[-1] == "WorkflowExecutionContinuedAsNew"
    assert run.state.close_status == "CONTINUED_AS_NEW"
