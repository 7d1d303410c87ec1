"""Child workflows through boto3: start, every close, failures, and child policies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique
from tests.integration.swf_helpers import (
    WF,
    attributes,
    decide,
    decision,
    history,
    last,
    poll_decision,
    start,
    types_of,
    wait_for_event,
)


def start_child(workflow_id: str, **attrs: Any) -> dict[str, Any]:
    return decision(
        "StartChildWorkflowExecution",
        workflowType=WF,
        workflowId=workflow_id,
        taskList={"name": "children"},
        **attrs,
    )


def open_child(
    swf: Any, domain: str, child_policy: str = "TERMINATE", **child_attrs: Any
) -> tuple[dict[str, str], dict[str, str], str]:
    """A parent that started one child. Returns the parent, the child, and the token of the
    child's first decision task (started)."""
    parent = start(swf, domain, unique("parent"), childPolicy=child_policy)
    child_id = unique("child")
    decide(swf, domain, [start_child(child_id, input="for the child", **child_attrs)])
    task = poll_decision(swf, domain, "children")
    assert task["workflowExecution"]["workflowId"] == child_id
    return parent, task["workflowExecution"], task["taskToken"]


def initiated_id(events: list[dict[str, Any]]) -> int:
    return next(
        e["eventId"] for e in events if e["eventType"] == "StartChildWorkflowExecutionInitiated"
    )


def test_a_child_starts_linked_to_its_parent_and_the_parent_hears_of_it(
    swf: Any, domain: str
) -> None:
    parent, child, _ = open_child(swf, domain, tagList=["kid"], control="c1")
    started = attributes(history(swf, domain, child)[0])
    parent_events = history(swf, domain, parent)
    assert started["parentWorkflowExecution"] == parent
    assert started["parentInitiatedEventId"] == initiated_id(parent_events)
    assert started["input"] == "for the child"
    assert started["tagList"] == ["kid"]
    assert started["taskList"] == {"name": "children"}
    initiated = last(parent_events, "StartChildWorkflowExecutionInitiated")
    assert initiated["control"] == "c1"
    assert initiated["childPolicy"] == "TERMINATE"  # the type's default, resolved
    assert last(parent_events, "ChildWorkflowExecutionStarted") == {
        "workflowExecution": child,
        "workflowType": WF,
        "initiatedEventId": initiated_id(parent_events),
    }
    assert types_of(parent_events)[-1] == "DecisionTaskScheduled"
    assert (
        swf.describe_workflow_execution(domain=domain, execution=child)["executionInfo"]["parent"]
        == parent
    )
    counts = swf.describe_workflow_execution(domain=domain, execution=parent)["openCounts"]
    assert counts["openChildWorkflowExecutions"] == 1


@pytest.mark.parametrize(
    ("close", "parent_event", "expected"),
    [
        (
            decision("CompleteWorkflowExecution", result="42"),
            "ChildWorkflowExecutionCompleted",
            {"result": "42"},
        ),
        (
            decision("FailWorkflowExecution", reason="r", details="d"),
            "ChildWorkflowExecutionFailed",
            {"reason": "r", "details": "d"},
        ),
    ],
)
def test_the_parent_gets_the_child_close(
    swf: Any, domain: str, close: dict[str, Any], parent_event: str, expected: dict[str, Any]
) -> None:
    parent, child, token = open_child(swf, domain)
    swf.respond_decision_task_completed(taskToken=token, decisions=[close])
    events = wait_for_event(swf, domain, parent, parent_event)
    started_id = next(
        e["eventId"] for e in events if e["eventType"] == "ChildWorkflowExecutionStarted"
    )
    assert last(events, parent_event) == {
        "workflowExecution": child,
        "workflowType": WF,
        **expected,
        "initiatedEventId": initiated_id(events),
        "startedEventId": started_id,
    }
    assert started_id != initiated_id(events)
    counts = swf.describe_workflow_execution(domain=domain, execution=parent)["openCounts"]
    assert counts["openChildWorkflowExecutions"] == 0


def test_canceled_children(swf: Any, domain: str) -> None:
    parent, child, token = open_child(swf, domain)
    swf.request_cancel_workflow_execution(domain=domain, workflowId=child["workflowId"])
    swf.respond_decision_task_completed(taskToken=token, decisions=[])
    task = poll_decision(swf, domain, "children")
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[decision("CancelWorkflowExecution", details="bye")],
    )
    events = wait_for_event(swf, domain, parent, "ChildWorkflowExecutionCanceled")
    assert last(events, "ChildWorkflowExecutionCanceled")["details"] == "bye"


def test_terminated_children(swf: Any, domain: str) -> None:
    parent, child, _ = open_child(swf, domain)
    swf.terminate_workflow_execution(domain=domain, workflowId=child["workflowId"])
    wait_for_event(swf, domain, parent, "ChildWorkflowExecutionTerminated")


def test_a_child_with_a_running_workflow_id_fails_asynchronously(swf: Any, domain: str) -> None:
    taken = start(swf, domain, unique("taken"), taskList={"name": "elsewhere"})
    parent = start(swf, domain, unique("parent"))
    decide(swf, domain, [start_child(taken["workflowId"], control="ctl")])
    events = wait_for_event(swf, domain, parent, "StartChildWorkflowExecutionFailed")
    failed = last(events, "StartChildWorkflowExecutionFailed")
    assert failed["cause"] == "WORKFLOW_ALREADY_RUNNING"
    assert failed["initiatedEventId"] == initiated_id(events)
    assert failed["control"] == "ctl"
    assert types_of(events)[-1] == "DecisionTaskScheduled"


@pytest.mark.parametrize(
    ("child_decision", "cause"),
    [
        (
            decision(
                "StartChildWorkflowExecution",
                workflowType={"name": "nope", "version": "1"},
                workflowId="x",
            ),
            "WORKFLOW_TYPE_DOES_NOT_EXIST",
        ),
        (
            decision(
                "StartChildWorkflowExecution",
                workflowType={"name": "bare", "version": "1"},
                workflowId="x",
            ),
            "DEFAULT_EXECUTION_START_TO_CLOSE_TIMEOUT_UNDEFINED",
        ),
    ],
)
def test_synchronous_child_failures_have_no_initiated_event(
    swf: Any, domain: str, child_decision: dict[str, Any], cause: str
) -> None:
    swf.register_workflow_type(domain=domain, name="bare", version="1")
    parent = start(swf, domain, unique("parent"))
    decide(swf, domain, [child_decision])
    events = history(swf, domain, parent)
    assert "StartChildWorkflowExecutionInitiated" not in types_of(events)
    failed = last(events, "StartChildWorkflowExecutionFailed")
    assert (failed["cause"], failed["initiatedEventId"]) == (cause, 0)


def test_terminating_the_parent_terminates_its_children(swf: Any, domain: str) -> None:
    parent, child, _ = open_child(swf, domain, child_policy="TERMINATE")
    swf.terminate_workflow_execution(domain=domain, workflowId=parent["workflowId"])
    child_events = wait_for_event(swf, domain, child, "WorkflowExecutionTerminated")
    assert last(child_events, "WorkflowExecutionTerminated")["cause"] == "CHILD_POLICY_APPLIED"


def test_request_cancel_policy_asks_the_children_to_cancel(swf: Any, domain: str) -> None:
    parent, child, _ = open_child(swf, domain)
    swf.terminate_workflow_execution(
        domain=domain, workflowId=parent["workflowId"], childPolicy="REQUEST_CANCEL"
    )
    child_events = wait_for_event(swf, domain, child, "WorkflowExecutionCancelRequested")
    assert last(child_events, "WorkflowExecutionCancelRequested") == {
        "cause": "CHILD_POLICY_APPLIED",
        "externalInitiatedEventId": 0,
    }
    info = swf.describe_workflow_execution(domain=domain, execution=child)["executionInfo"]
    assert info["executionStatus"] == "OPEN"
    assert info["cancelRequested"] is True


def test_abandon_leaves_the_children_running(swf: Any, domain: str) -> None:
    parent, child, _ = open_child(swf, domain)
    swf.terminate_workflow_execution(
        domain=domain, workflowId=parent["workflowId"], childPolicy="ABANDON"
    )
    child_events = history(swf, domain, child)
    assert types_of(child_events)[-1] == "DecisionTaskStarted"
    info = swf.describe_workflow_execution(domain=domain, execution=child)["executionInfo"]
    assert info["executionStatus"] == "OPEN"
