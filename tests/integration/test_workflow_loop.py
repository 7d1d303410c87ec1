"""Whole workflows driven by boto3 against the real server: the SWF core loop."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import unique

WF = {"name": "wf", "version": "1"}
ACT = {"name": "act", "version": "1"}


def schedule(activity_id: str, input: str) -> dict[str, Any]:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": ACT,
            "activityId": activity_id,
            "input": input,
        },
    }


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [event["eventType"] for event in events]


def poll_decision(swf: Any, domain: str) -> dict[str, Any]:
    task = swf.poll_for_decision_task(
        domain=domain, taskList={"name": "decisions"}, identity="decider"
    )
    assert task.get("taskToken"), "expected a decision task"
    return task


def poll_activity(swf: Any, domain: str) -> dict[str, Any]:
    task = swf.poll_for_activity_task(
        domain=domain, taskList={"name": "activities"}, identity="worker"
    )
    assert task.get("taskToken"), "expected an activity task"
    return task


def history(swf: Any, domain: str, run: dict[str, str]) -> list[dict[str, Any]]:
    return swf.get_workflow_execution_history(domain=domain, execution=run)["events"]


def test_three_activities_in_sequence_then_complete(swf: Any, domain: str) -> None:
    workflow_id = unique("chain")
    run_id = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType=WF, input="0"
    )["runId"]
    run = {"workflowId": workflow_id, "runId": run_id}
    value = "0"
    for step in range(3):
        decision = poll_decision(swf, domain)
        assert decision["workflowExecution"] == run
        swf.respond_decision_task_completed(
            taskToken=decision["taskToken"], decisions=[schedule(f"step-{step}", value)]
        )
        task = poll_activity(swf, domain)
        assert task["activityId"] == f"step-{step}"
        assert task["input"] == value
        value = str(int(task["input"]) + 1)
        swf.respond_activity_task_completed(taskToken=task["taskToken"], result=value)
    decision = poll_decision(swf, domain)
    assert decision["previousStartedEventId"] > 0
    swf.respond_decision_task_completed(
        taskToken=decision["taskToken"],
        decisions=[
            {
                "decisionType": "CompleteWorkflowExecution",
                "completeWorkflowExecutionDecisionAttributes": {"result": value},
            }
        ],
    )
    events = history(swf, domain, run)
    assert types_of(events)[:3] == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    assert types_of(events).count("ActivityTaskCompleted") == 3
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted"
    assert events[-1]["workflowExecutionCompletedEventAttributes"]["result"] == "3"
    assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
    info = swf.describe_workflow_execution(domain=domain, execution=run)["executionInfo"]
    assert info["executionStatus"] == "CLOSED"
    assert info["closeStatus"] == "COMPLETED"


def test_failed_activity_reaches_the_decider_which_fails_the_workflow(
    swf: Any, domain: str
) -> None:
    workflow_id = unique("fail")
    run_id = swf.start_workflow_execution(domain=domain, workflowId=workflow_id, workflowType=WF)[
        "runId"
    ]
    decision = poll_decision(swf, domain)
    swf.respond_decision_task_completed(
        taskToken=decision["taskToken"], decisions=[schedule("a", "x")]
    )
    task = poll_activity(swf, domain)
    swf.respond_activity_task_failed(taskToken=task["taskToken"], reason="boom", details="trace")
    decision = poll_decision(swf, domain)
    failed = [e for e in decision["events"] if e["eventType"] == "ActivityTaskFailed"]
    assert failed[0]["activityTaskFailedEventAttributes"]["reason"] == "boom"
    assert failed[0]["activityTaskFailedEventAttributes"]["details"] == "trace"
    swf.respond_decision_task_completed(
        taskToken=decision["taskToken"],
        decisions=[
            {
                "decisionType": "FailWorkflowExecution",
                "failWorkflowExecutionDecisionAttributes": {"reason": "activity failed"},
            }
        ],
    )
    info = swf.describe_workflow_execution(
        domain=domain, execution={"workflowId": workflow_id, "runId": run_id}
    )["executionInfo"]
    assert info["closeStatus"] == "FAILED"
    # A second answer for the same task token changes nothing.
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.respond_activity_task_completed(taskToken=task["taskToken"], result="late")


def test_cancel_request_then_cancel_decision(swf: Any, domain: str) -> None:
    workflow_id = unique("cancel")
    run_id = swf.start_workflow_execution(domain=domain, workflowId=workflow_id, workflowType=WF)[
        "runId"
    ]
    run = {"workflowId": workflow_id, "runId": run_id}
    decision = poll_decision(swf, domain)
    swf.respond_decision_task_completed(taskToken=decision["taskToken"], decisions=[])
    swf.request_cancel_workflow_execution(domain=domain, workflowId=workflow_id)
    assert swf.describe_workflow_execution(domain=domain, execution=run)["executionInfo"][
        "cancelRequested"
    ]
    decision = poll_decision(swf, domain)
    assert types_of(decision["events"])[-3:] == [
        "WorkflowExecutionCancelRequested",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    swf.respond_decision_task_completed(
        taskToken=decision["taskToken"],
        decisions=[
            {
                "decisionType": "CancelWorkflowExecution",
                "cancelWorkflowExecutionDecisionAttributes": {"details": "as asked"},
            }
        ],
    )
    assert history(swf, domain, run)[-1]["eventType"] == "WorkflowExecutionCanceled"


def test_terminate_closes_at_once_and_invalidates_tokens(swf: Any, domain: str) -> None:
    workflow_id = unique("term")
    run_id = swf.start_workflow_execution(domain=domain, workflowId=workflow_id, workflowType=WF)[
        "runId"
    ]
    decision = poll_decision(swf, domain)
    swf.terminate_workflow_execution(
        domain=domain, workflowId=workflow_id, reason="stop", details="now"
    )
    events = history(swf, domain, {"workflowId": workflow_id, "runId": run_id})
    attrs = events[-1]["workflowExecutionTerminatedEventAttributes"]
    assert attrs == {"reason": "stop", "details": "now", "childPolicy": "TERMINATE"}
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.respond_decision_task_completed(taskToken=decision["taskToken"], decisions=[])
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.terminate_workflow_execution(domain=domain, workflowId=workflow_id)
    # The workflowId is free again once the run closed.
    swf.start_workflow_execution(domain=domain, workflowId=workflow_id, workflowType=WF)
