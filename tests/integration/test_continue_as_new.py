"""ContinueAsNewWorkflowExecution through boto3."""

from __future__ import annotations

from typing import Any

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
)


def test_the_old_run_closes_and_the_new_run_starts_under_the_same_workflow_id(
    swf: Any, domain: str
) -> None:
    old = start(swf, domain, unique("again"), tagList=["t1"], input="first")
    decide(
        swf,
        domain,
        [decision("ContinueAsNewWorkflowExecution", input="second", taskStartToCloseTimeout="45")],
    )
    old_events = history(swf, domain, old)
    continued = last(old_events, "WorkflowExecutionContinuedAsNew")
    new = {"workflowId": old["workflowId"], "runId": continued["newExecutionRunId"]}
    assert continued["input"] == "second"
    assert continued["workflowType"] == WF
    assert continued["taskStartToCloseTimeout"] == "45"
    assert continued["executionStartToCloseTimeout"] == "3600"  # the type's default
    assert continued["tagList"] == ["t1"]  # carried over when the decision names none
    old_info = swf.describe_workflow_execution(domain=domain, execution=old)["executionInfo"]
    assert old_info["closeStatus"] == "CONTINUED_AS_NEW"

    started = attributes(history(swf, domain, new)[0])
    assert started["continuedExecutionRunId"] == old["runId"]
    assert started["input"] == "second"
    assert started["tagList"] == ["t1"]
    # The new run is the open run of the workflowId, and it gets decision tasks.
    task = poll_decision(swf, domain)
    assert task["workflowExecution"] == new
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("CompleteWorkflowExecution")]
    )
    # The workflowId was never free: a start while the old run closed would have failed;
    # now that the new run closed, it is free again.
    start(swf, domain, old["workflowId"])


def test_continue_as_new_with_an_unknown_version_fails(swf: Any, domain: str) -> None:
    run = start(swf, domain, unique("again"))
    decide(swf, domain, [decision("ContinueAsNewWorkflowExecution", workflowTypeVersion="404")])
    events = history(swf, domain, run)
    assert last(events, "ContinueAsNewWorkflowExecutionFailed")["cause"] == (
        "WORKFLOW_TYPE_DOES_NOT_EXIST"
    )
    info = swf.describe_workflow_execution(domain=domain, execution=run)["executionInfo"]
    assert info["executionStatus"] == "OPEN"


def test_continue_as_new_with_unhandled_events_fails(swf: Any, domain: str) -> None:
    run = start(swf, domain, unique("again"))
    task = poll_decision(swf, domain)
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s")
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=[decision("ContinueAsNewWorkflowExecution")]
    )
    events = history(swf, domain, run)
    assert last(events, "ContinueAsNewWorkflowExecutionFailed")["cause"] == "UNHANDLED_DECISION"
    assert events[-1]["eventType"] == "DecisionTaskScheduled"
