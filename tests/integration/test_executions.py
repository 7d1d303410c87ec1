"""Executions from the outside through boto3: StartWorkflowExecution and its defaults,
DescribeWorkflowExecution, GetWorkflowExecutionHistory paging, and Signal, RequestCancel and
Terminate (reference §2.3, §6.2, §6.11)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from openswf.testing import LocalServer
from tests.conftest import make_client, unique

WF = {"name": "wf", "version": "1"}
ACT = {"name": "act", "version": "1"}
LAMBDA_ROLE = "arn:aws:iam::123456789012:role/swf-lambda"


@pytest.fixture(scope="module")
def swf(server: LocalServer) -> Any:
    """This module's domains (the ``domain`` fixture's too) live in a region of their own, so
    the suite as a whole stays under SWF's quota of 100 domains per region."""
    return make_client(server.endpoint, region="us-west-2")


def start(swf: Any, domain: str, workflow_id: str | None = None, **extra: Any) -> dict[str, str]:
    workflow_id = workflow_id or unique("wf")
    run_id = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType=extra.pop("workflowType", WF), **extra
    )["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


def history(swf: Any, domain: str, run: dict[str, str], **kwargs: Any) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = swf.get_workflow_execution_history(
        domain=domain, execution=run, **kwargs
    )["events"]
    return events


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [event["eventType"] for event in events]


def describe(swf: Any, domain: str, run: dict[str, str]) -> dict[str, Any]:
    detail: dict[str, Any] = swf.describe_workflow_execution(domain=domain, execution=run)
    return detail


def poll_decision(swf: Any, domain: str, task_list: str = "decisions") -> dict[str, Any]:
    task: dict[str, Any] = swf.poll_for_decision_task(
        domain=domain, taskList={"name": task_list}, identity="decider"
    )
    assert task.get("taskToken"), "expected a decision task"
    return task


def complete_decision(swf: Any, domain: str, run: dict[str, str], **kwargs: Any) -> None:
    task = poll_decision(swf, domain)
    assert task["workflowExecution"] == run
    swf.respond_decision_task_completed(taskToken=task["taskToken"], **kwargs)


def register_bare_type(swf: Any, domain: str, name: str = "bare") -> dict[str, str]:
    swf.register_workflow_type(domain=domain, name=name, version="1")
    return {"name": name, "version": "1"}


# --- StartWorkflowExecution ---------------------------------------------------------------


def test_start_with_every_parameter(swf: Any, domain: str) -> None:
    run = start(
        swf,
        domain,
        taskList={"name": "custom-list"},
        taskPriority="5",
        input="the input",
        executionStartToCloseTimeout="600",
        tagList=["red", "green"],
        taskStartToCloseTimeout="30",
        childPolicy="ABANDON",
        lambdaRole=LAMBDA_ROLE,
    )
    assert 1 <= len(run["runId"]) <= 64
    events = history(swf, domain, run)
    assert types_of(events) == ["WorkflowExecutionStarted", "DecisionTaskScheduled"]
    assert [e["eventId"] for e in events] == [1, 2]
    assert events[0]["workflowExecutionStartedEventAttributes"] == {
        "input": "the input",
        "executionStartToCloseTimeout": "600",
        "taskStartToCloseTimeout": "30",
        "childPolicy": "ABANDON",
        "taskList": {"name": "custom-list"},
        "taskPriority": "5",
        "workflowType": WF,
        "tagList": ["red", "green"],
        "lambdaRole": LAMBDA_ROLE,
        "parentInitiatedEventId": 0,
    }
    scheduled = events[1]["decisionTaskScheduledEventAttributes"]
    assert scheduled["taskList"] == {"name": "custom-list"}
    assert scheduled["taskPriority"] == "5"
    assert scheduled["startToCloseTimeout"] == "30"

    detail = describe(swf, domain, run)
    assert detail["executionConfiguration"] == {
        "taskStartToCloseTimeout": "30",
        "executionStartToCloseTimeout": "600",
        "taskList": {"name": "custom-list"},
        "taskPriority": "5",
        "childPolicy": "ABANDON",
        "lambdaRole": LAMBDA_ROLE,
    }
    info = detail["executionInfo"]
    assert info["execution"] == run
    assert info["workflowType"] == WF
    assert info["executionStatus"] == "OPEN"
    assert info["tagList"] == ["red", "green"]
    assert info["cancelRequested"] is False
    assert "closeStatus" not in info and "closeTimestamp" not in info
    assert info["startTimestamp"] == events[0]["eventTimestamp"]
    # The decision task went to the requested task list, not the type's default.
    task = poll_decision(swf, domain, "custom-list")
    assert task["workflowExecution"] == run


def test_start_resolves_every_default_from_the_type(swf: Any, domain: str) -> None:
    swf.register_workflow_type(
        domain=domain,
        name="full",
        version="1",
        defaultTaskList={"name": "full-list"},
        defaultExecutionStartToCloseTimeout="900",
        defaultTaskStartToCloseTimeout="45",
        defaultChildPolicy="REQUEST_CANCEL",
        defaultTaskPriority="3",
        defaultLambdaRole=LAMBDA_ROLE,
    )
    run = start(swf, domain, workflowType={"name": "full", "version": "1"})
    started = history(swf, domain, run)[0]["workflowExecutionStartedEventAttributes"]
    assert started == {
        "executionStartToCloseTimeout": "900",
        "taskStartToCloseTimeout": "45",
        "childPolicy": "REQUEST_CANCEL",
        "taskList": {"name": "full-list"},
        "taskPriority": "3",
        "workflowType": {"name": "full", "version": "1"},
        "lambdaRole": LAMBDA_ROLE,
        "parentInitiatedEventId": 0,
    }
    assert describe(swf, domain, run)["executionConfiguration"] == {
        "taskStartToCloseTimeout": "45",
        "executionStartToCloseTimeout": "900",
        "taskList": {"name": "full-list"},
        "taskPriority": "3",
        "childPolicy": "REQUEST_CANCEL",
        "lambdaRole": LAMBDA_ROLE,
    }


def test_priority_defaults_to_zero_and_request_values_beat_type_defaults(
    swf: Any, domain: str
) -> None:
    run = start(swf, domain)
    config = describe(swf, domain, run)["executionConfiguration"]
    assert config == {
        "taskStartToCloseTimeout": "60",
        "executionStartToCloseTimeout": "3600",
        "taskList": {"name": "decisions"},
        "taskPriority": "0",
        "childPolicy": "TERMINATE",
    }
    run = start(swf, domain, childPolicy="REQUEST_CANCEL", taskStartToCloseTimeout="NONE")
    config = describe(swf, domain, run)["executionConfiguration"]
    assert config["childPolicy"] == "REQUEST_CANCEL"
    assert config["taskStartToCloseTimeout"] == "NONE"
    assert config["executionStartToCloseTimeout"] == "3600"


EVERYTHING = {
    "taskList": {"name": "given"},
    "executionStartToCloseTimeout": "600",
    "taskStartToCloseTimeout": "30",
    "childPolicy": "TERMINATE",
}


EVERYTHING_DEFAULTS = {
    "defaultTaskList": {"name": "decisions"},
    "defaultExecutionStartToCloseTimeout": "3600",
    "defaultTaskStartToCloseTimeout": "60",
    "defaultChildPolicy": "TERMINATE",
}


@pytest.mark.parametrize("missing", sorted(EVERYTHING))
def test_each_undefined_default_is_a_default_undefined_fault(
    swf: Any, domain: str, missing: str
) -> None:
    bare = register_bare_type(swf, domain)
    given = {key: value for key, value in EVERYTHING.items() if key != missing}
    workflow_id = unique("undef")
    with pytest.raises(swf.exceptions.DefaultUndefinedFault):
        start(swf, domain, workflow_id, workflowType=bare, **given)
    # Nothing was started.
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.terminate_workflow_execution(domain=domain, workflowId=workflow_id)
    run = start(swf, domain, workflow_id, workflowType=bare, **EVERYTHING)
    config = describe(swf, domain, run)["executionConfiguration"]
    assert config == {**EVERYTHING, "taskPriority": "0"}


def test_a_deprecated_type_cannot_be_started(swf: Any, domain: str) -> None:
    swf.deprecate_workflow_type(domain=domain, workflowType=WF)
    with pytest.raises(swf.exceptions.TypeDeprecatedFault):
        start(swf, domain)
    swf.undeprecate_workflow_type(domain=domain, workflowType=WF)
    start(swf, domain)


def test_a_type_in_a_deprecated_domain_cannot_be_started(swf: Any, domain: str) -> None:
    swf.deprecate_domain(name=domain)
    with pytest.raises(swf.exceptions.TypeDeprecatedFault):
        start(swf, domain)


def test_unknown_type_or_domain_is_an_unknown_resource(swf: Any, domain: str) -> None:
    for unknown in ({"name": "wf", "version": "2"}, {"name": "other", "version": "1"}):
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            start(swf, domain, workflowType=unknown)
    name = unique("nope")
    with pytest.raises(swf.exceptions.UnknownResourceFault) as caught:
        start(swf, name)
    assert caught.value.response["Error"]["Message"] == f"Unknown domain: {name}"
    swf.deprecate_workflow_type(domain=domain, workflowType=WF)
    swf.delete_workflow_type(domain=domain, workflowType=WF)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        start(swf, domain)


def test_open_workflow_id_cannot_be_started_twice_but_is_reused_after_close(
    swf: Any, domain: str
) -> None:
    first = start(swf, domain)
    workflow_id = first["workflowId"]
    with pytest.raises(swf.exceptions.WorkflowExecutionAlreadyStartedFault):
        start(swf, domain, workflow_id)
    # Another workflowId, and the same workflowId in another domain, are independent.
    start(swf, domain)
    other_domain = unique("dom")
    swf.register_domain(name=other_domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(domain=other_domain, **WF, **EVERYTHING_DEFAULTS)
    start(swf, other_domain, workflow_id)

    swf.terminate_workflow_execution(domain=domain, workflowId=workflow_id)
    second = start(swf, domain, workflow_id)
    assert second["runId"] != first["runId"]
    assert describe(swf, domain, first)["executionInfo"]["executionStatus"] == "CLOSED"
    assert describe(swf, domain, second)["executionInfo"]["executionStatus"] == "OPEN"


# --- DescribeWorkflowExecution ------------------------------------------------------------


def test_describe_tracks_open_counts_and_latest_values(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    detail = describe(swf, domain, run)
    assert detail["openCounts"] == {
        "openActivityTasks": 0,
        "openDecisionTasks": 1,
        "openTimers": 0,
        "openChildWorkflowExecutions": 0,
        "openLambdaFunctions": 0,
    }
    assert "latestActivityTaskTimestamp" not in detail
    assert "latestExecutionContext" not in detail

    task = poll_decision(swf, domain)
    assert describe(swf, domain, run)["openCounts"]["openDecisionTasks"] == 1  # started

    before = time.time()
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        executionContext="context one",
        decisions=[
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {"activityType": ACT, "activityId": "a1"},
            },
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {"activityType": ACT, "activityId": "a2"},
            },
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {"timerId": "t1", "startToFireTimeout": "3600"},
            },
        ],
    )
    after = time.time()
    detail = describe(swf, domain, run)
    assert detail["openCounts"]["openActivityTasks"] == 2
    assert detail["openCounts"]["openDecisionTasks"] == 0
    assert detail["openCounts"]["openTimers"] == 1
    assert detail["latestExecutionContext"] == "context one"
    stamp = detail["latestActivityTaskTimestamp"].timestamp()
    assert before - 0.002 <= stamp <= after + 0.002
    scheduled = [e for e in history(swf, domain, run) if e["eventType"] == "ActivityTaskScheduled"]
    assert detail["latestActivityTaskTimestamp"] == scheduled[-1]["eventTimestamp"]

    # A signal schedules a decision task; the next decision updates the context.
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="go")
    assert describe(swf, domain, run)["openCounts"]["openDecisionTasks"] == 1
    complete_decision(swf, domain, run, executionContext="context two")
    detail = describe(swf, domain, run)
    assert detail["latestExecutionContext"] == "context two"
    assert detail["openCounts"]["openDecisionTasks"] == 0


def test_describe_a_closed_execution(swf: Any, domain: str) -> None:
    run = start(swf, domain, tagList=["t"])
    swf.terminate_workflow_execution(domain=domain, workflowId=run["workflowId"])
    detail = describe(swf, domain, run)
    info = detail["executionInfo"]
    assert info["executionStatus"] == "CLOSED"
    assert info["closeStatus"] == "TERMINATED"
    assert info["closeTimestamp"] >= info["startTimestamp"]
    assert detail["openCounts"]["openDecisionTasks"] == 0
    assert detail["executionConfiguration"]["taskList"] == {"name": "decisions"}


def test_describe_unknown_execution(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    for execution in (
        {"workflowId": run["workflowId"], "runId": "0" * 32},
        {"workflowId": unique("nope"), "runId": run["runId"]},
    ):
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            swf.describe_workflow_execution(domain=domain, execution=execution)
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            swf.get_workflow_execution_history(domain=domain, execution=execution)


# --- GetWorkflowExecutionHistory ----------------------------------------------------------


def seven_events(swf: Any, domain: str) -> dict[str, str]:
    """An execution with exactly seven events."""
    run = start(swf, domain)  # 1 WorkflowExecutionStarted, 2 DecisionTaskScheduled
    complete_decision(  # 3 DecisionTaskStarted, 4 DecisionTaskCompleted, 5 MarkerRecorded
        swf,
        domain,
        run,
        decisions=[
            {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": "m"}}
        ],
    )
    # 6 WorkflowExecutionSignaled, 7 DecisionTaskScheduled
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s")
    return run


def history_pages(swf: Any, domain: str, run: dict[str, str], **kwargs: Any) -> list[Any]:
    pages = [swf.get_workflow_execution_history(domain=domain, execution=run, **kwargs)]
    while "nextPageToken" in pages[-1]:
        assert len(pages) < 20, "paging does not end"
        token = pages[-1]["nextPageToken"]
        pages.append(
            swf.get_workflow_execution_history(
                domain=domain, execution=run, nextPageToken=token, **kwargs
            )
        )
    return pages


def test_history_pages_forward(swf: Any, domain: str) -> None:
    run = seven_events(swf, domain)
    full = history(swf, domain, run)
    assert [e["eventId"] for e in full] == [1, 2, 3, 4, 5, 6, 7]
    assert types_of(full)[4:] == [
        "MarkerRecorded",
        "WorkflowExecutionSignaled",
        "DecisionTaskScheduled",
    ]
    pages = history_pages(swf, domain, run, maximumPageSize=2)
    assert [[e["eventId"] for e in p["events"]] for p in pages] == [[1, 2], [3, 4], [5, 6], [7]]
    assert ["nextPageToken" in p for p in pages] == [True, True, True, False]
    assert [e for p in pages for e in p["events"]] == full
    # A last page that is exactly full carries no token; 0 means the default page size.
    assert "nextPageToken" not in history_pages(swf, domain, run, maximumPageSize=7)[0]
    assert len(history_pages(swf, domain, run, maximumPageSize=0)[0]["events"]) == 7


def test_history_pages_in_reverse_order(swf: Any, domain: str) -> None:
    run = seven_events(swf, domain)
    full = history(swf, domain, run)
    assert history(swf, domain, run, reverseOrder=True) == full[::-1]
    pages = history_pages(swf, domain, run, maximumPageSize=2, reverseOrder=True)
    assert [[e["eventId"] for e in p["events"]] for p in pages] == [[7, 6], [5, 4], [3, 2], [1]]
    assert "nextPageToken" not in pages[-1]


def test_history_with_a_bad_page_token_is_a_validation_error(swf: Any, domain: str) -> None:
    run = seven_events(swf, domain)
    for token in ("not-a-token", "AAAAKgAAAAEAAAAAAAAAA"):
        with pytest.raises(swf.exceptions.ClientError) as caught:
            swf.get_workflow_execution_history(domain=domain, execution=run, nextPageToken=token)
        assert caught.value.response["Error"]["Code"] == "ValidationException"


# --- Signal, RequestCancel, Terminate -----------------------------------------------------


def test_signal_records_the_input_and_schedules_a_decision_task(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    complete_decision(swf, domain, run, decisions=[])
    assert describe(swf, domain, run)["openCounts"]["openDecisionTasks"] == 0
    swf.signal_workflow_execution(
        domain=domain, workflowId=run["workflowId"], signalName="approve", input="yes"
    )
    events = history(swf, domain, run)
    assert types_of(events)[-2:] == ["WorkflowExecutionSignaled", "DecisionTaskScheduled"]
    assert events[-2]["workflowExecutionSignaledEventAttributes"] == {
        "signalName": "approve",
        "input": "yes",
        "externalInitiatedEventId": 0,  # SWF writes it as 0 for a signal from the API
    }
    task = poll_decision(swf, domain)
    assert task["workflowExecution"] == run
    assert "WorkflowExecutionSignaled" in types_of(task["events"])

    # With an explicit runId, and without input.
    swf.signal_workflow_execution(
        domain=domain, workflowId=run["workflowId"], runId=run["runId"], signalName="again"
    )
    signaled = history(swf, domain, run)[-1]
    assert signaled["workflowExecutionSignaledEventAttributes"] == {
        "signalName": "again",
        "externalInitiatedEventId": 0,
    }


def closed_then_open(swf: Any, domain: str) -> tuple[dict[str, str], dict[str, str]]:
    """Two runs of one workflowId: the first terminated, the second open."""
    closed = start(swf, domain)
    swf.terminate_workflow_execution(domain=domain, workflowId=closed["workflowId"])
    return closed, start(swf, domain, closed["workflowId"])


def test_calls_without_run_id_target_the_open_run(swf: Any, domain: str) -> None:
    closed, open_run = closed_then_open(swf, domain)
    workflow_id = open_run["workflowId"]
    closed_events = history(swf, domain, closed)

    swf.signal_workflow_execution(domain=domain, workflowId=workflow_id, signalName="s")
    assert "WorkflowExecutionSignaled" in types_of(history(swf, domain, open_run))

    swf.request_cancel_workflow_execution(domain=domain, workflowId=workflow_id)
    assert describe(swf, domain, open_run)["executionInfo"]["cancelRequested"] is True
    assert types_of(history(swf, domain, open_run))[-1] == "WorkflowExecutionCancelRequested"

    swf.terminate_workflow_execution(domain=domain, workflowId=workflow_id, reason="done")
    assert describe(swf, domain, open_run)["executionInfo"]["closeStatus"] == "TERMINATED"
    assert history(swf, domain, closed) == closed_events


def test_request_cancel_records_the_request_and_schedules_a_decision_task(
    swf: Any, domain: str
) -> None:
    run = start(swf, domain)
    complete_decision(swf, domain, run, decisions=[])
    swf.request_cancel_workflow_execution(
        domain=domain, workflowId=run["workflowId"], runId=run["runId"]
    )
    events = history(swf, domain, run)
    assert types_of(events)[-2:] == ["WorkflowExecutionCancelRequested", "DecisionTaskScheduled"]
    detail = describe(swf, domain, run)
    assert detail["executionInfo"]["cancelRequested"] is True
    assert detail["executionInfo"]["executionStatus"] == "OPEN"


def test_terminate_with_reason_details_and_child_policy_override(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    swf.terminate_workflow_execution(
        domain=domain,
        workflowId=run["workflowId"],
        runId=run["runId"],
        reason="operator said so",
        details="ticket 42",
        childPolicy="ABANDON",
    )
    events = history(swf, domain, run)
    assert events[-1]["eventType"] == "WorkflowExecutionTerminated"
    assert events[-1]["workflowExecutionTerminatedEventAttributes"] == {
        "reason": "operator said so",
        "details": "ticket 42",
        "childPolicy": "ABANDON",
    }
    info = describe(swf, domain, run)["executionInfo"]
    assert (info["executionStatus"], info["closeStatus"]) == ("CLOSED", "TERMINATED")
    assert describe(swf, domain, run)["openCounts"]["openDecisionTasks"] == 0
    # Without an override the execution's own policy is recorded.
    run = start(swf, domain, childPolicy="REQUEST_CANCEL")
    swf.terminate_workflow_execution(domain=domain, workflowId=run["workflowId"])
    attrs = history(swf, domain, run)[-1]["workflowExecutionTerminatedEventAttributes"]
    assert attrs == {"childPolicy": "REQUEST_CANCEL"}


def test_calls_on_a_closed_run_are_unknown_resources(swf: Any, domain: str) -> None:
    closed, open_run = closed_then_open(swf, domain)
    workflow_id, run_id = closed["workflowId"], closed["runId"]
    before = history(swf, domain, closed)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.signal_workflow_execution(
            domain=domain, workflowId=workflow_id, runId=run_id, signalName="s"
        )
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.request_cancel_workflow_execution(domain=domain, workflowId=workflow_id, runId=run_id)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.terminate_workflow_execution(domain=domain, workflowId=workflow_id, runId=run_id)
    assert history(swf, domain, closed) == before
    assert describe(swf, domain, open_run)["executionInfo"]["executionStatus"] == "OPEN"
    assert len(history(swf, domain, open_run)) == 2


def test_calls_on_an_unknown_workflow_id_are_unknown_resources(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    for workflow_id, run_id in ((unique("nope"), None), (run["workflowId"], "f" * 32)):
        target: dict[str, Any] = {"domain": domain, "workflowId": workflow_id}
        if run_id:
            target["runId"] = run_id
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            swf.signal_workflow_execution(signalName="s", **target)
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            swf.request_cancel_workflow_execution(**target)
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            swf.terminate_workflow_execution(**target)
    name = unique("nope")
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.signal_workflow_execution(domain=name, workflowId=run["workflowId"], signalName="s")
    assert len(history(swf, domain, run)) == 2
