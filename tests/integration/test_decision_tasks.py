"""Decision tasks over HTTP with boto3: scheduling, claiming, paging and every way a decision
list is answered (reference §4, §4.1, §4.2, §5.1, §6.3-§6.5 and the checklist in §10)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import TEST_POLL_TIMEOUT_S, make_client, unique
from tests.integration.test_workflow_loop import (
    ACT,
    WF,
    history,
    poll_activity,
    poll_decision,
    schedule,
    types_of,
)

Event = dict[str, Any]
Run = dict[str, str]

# --- helpers ------------------------------------------------------------------------------


def start(swf: Any, domain: str, **kwargs: Any) -> Run:
    workflow_id = unique("wf")
    run_id = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType=WF, **kwargs
    )["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


def respond(swf: Any, task: dict[str, Any], decisions: list[dict[str, Any]], **kw: Any) -> Any:
    return swf.respond_decision_task_completed(
        taskToken=task["taskToken"], decisions=decisions, **kw
    )


def marker(name: str) -> dict[str, Any]:
    return {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": name}}


def start_timer(timer_id: str, seconds: str = "600") -> dict[str, Any]:
    return {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": timer_id, "startToFireTimeout": seconds},
    }


def close(decision_type: str) -> dict[str, Any]:
    member = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    return {"decisionType": decision_type, member: {}}


def after(events: list[Event], event_id: int) -> list[Event]:
    return [event for event in events if event["eventId"] > event_id]


def last_of(events: list[Event], event_type: str) -> Event:
    return [event for event in events if event["eventType"] == event_type][-1]


def attrs(event: Event) -> dict[str, Any]:
    name: str = event["eventType"]
    value: dict[str, Any] = event[name[0].lower() + name[1:] + "EventAttributes"]
    return value


def pending_decisions(swf: Any, domain: str, task_list: str = "decisions") -> int:
    count: int = swf.count_pending_decision_tasks(domain=domain, taskList={"name": task_list})[
        "count"
    ]
    return count


def describe(swf: Any, domain: str, run: Run) -> dict[str, Any]:
    result: dict[str, Any] = swf.describe_workflow_execution(domain=domain, execution=run)
    return result


def validation_message(error: pytest.ExceptionInfo[ClientError]) -> str:
    assert error.value.response["Error"]["Code"] == "ValidationException"
    message: str = error.value.response["Error"]["Message"]
    return message


def raw_call(endpoint: str, operation: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """One SWF call as plain HTTP, to see the JSON exactly as the server wrote it."""
    request = urllib.request.Request(
        endpoint + "/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "X-Amz-Target": f"SimpleWorkflowService.{operation}",
            "Content-Type": "application/x-amz-json-1.0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def register_domain(swf: Any) -> str:
    """The ``domain`` fixture's setup, for tests that run their own server."""
    name = unique("dom")
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=name,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="60",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=name,
        name="act",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )
    return name


def wait_for_parked_poll(server: LocalServer, deadline_s: float = 5.0) -> None:
    """Wait (with a deadline) until a long poll is parked on the server, waiting for a task."""

    def parked() -> bool:
        queues = getattr(server.app.service.matching, "_queues", {})
        return any(not w.done() for queue in queues.values() for w in queue.waiters)

    tick = threading.Event()
    deadline = time.monotonic() + deadline_s
    while not server.call(parked):
        assert time.monotonic() < deadline, "the poll never reached the server"
        tick.wait(0.005)


# --- the first decision task and the ids it carries ----------------------------------------


def test_first_history_and_the_first_decision_task(swf: Any, domain: str) -> None:
    run = start(swf, domain, input="in")
    events = history(swf, domain, run)
    assert [(e["eventId"], e["eventType"]) for e in events] == [
        (1, "WorkflowExecutionStarted"),
        (2, "DecisionTaskScheduled"),
    ]
    assert attrs(events[0])["parentInitiatedEventId"] == 0
    assert attrs(events[1])["taskList"] == {"name": "decisions"}

    task = swf.poll_for_decision_task(
        domain=domain, taskList={"name": "decisions"}, identity="decider-1"
    )
    assert task["taskToken"]
    assert task["startedEventId"] == 3
    assert task["previousStartedEventId"] == 0
    assert task["workflowExecution"] == run
    assert task["workflowType"] == WF
    assert types_of(task["events"]) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    started = history(swf, domain, run)[-1]
    assert started["eventId"] == 3
    assert attrs(started) == {"identity": "decider-1", "scheduledEventId": 2}


def test_previous_started_event_id_is_the_last_completed_tasks_started_event(
    swf: Any, domain: str
) -> None:
    run = start(swf, domain)
    first = poll_decision(swf, domain)
    assert first["previousStartedEventId"] == 0
    respond(swf, first, [schedule("a", "x")])
    task = poll_activity(swf, domain)
    swf.respond_activity_task_completed(taskToken=task["taskToken"], result="y")
    second = poll_decision(swf, domain)
    assert second["previousStartedEventId"] == first["startedEventId"]
    assert second["startedEventId"] == history(swf, domain, run)[-1]["eventId"]
    assert second["events"][-1]["eventType"] == "DecisionTaskStarted"
    respond(swf, second, [schedule("b", "x")])
    task = poll_activity(swf, domain)
    swf.respond_activity_task_completed(taskToken=task["taskToken"], result="z")
    third = poll_decision(swf, domain)
    assert third["previousStartedEventId"] == second["startedEventId"]


# --- at most one decision task per execution ------------------------------------------------


def test_a_second_poll_while_the_task_is_started_gets_nothing(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    poll_decision(swf, domain)
    second = swf.poll_for_decision_task(domain=domain, taskList={"name": "decisions"})
    assert "taskToken" not in second or not second["taskToken"]
    assert second["startedEventId"] == 0
    assert describe(swf, domain, run)["openCounts"]["openDecisionTasks"] == 1


def test_signal_during_a_started_task_waits_for_its_completion(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s1")
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s2")
    # No second task while the first is started.
    assert pending_decisions(swf, domain) == 0
    assert describe(swf, domain, run)["openCounts"]["openDecisionTasks"] == 1
    assert types_of(history(swf, domain, run))[-2:] == [
        "WorkflowExecutionSignaled",
        "WorkflowExecutionSignaled",
    ]
    respond(swf, task, [marker("m")])
    tail = after(history(swf, domain, run), task["startedEventId"])
    assert types_of(tail) == [
        "WorkflowExecutionSignaled",
        "WorkflowExecutionSignaled",
        "DecisionTaskCompleted",
        "MarkerRecorded",
        "DecisionTaskScheduled",
    ]
    assert pending_decisions(swf, domain) == 1
    nxt = poll_decision(swf, domain)
    signals = [e for e in nxt["events"] if e["eventType"] == "WorkflowExecutionSignaled"]
    assert [attrs(e)["signalName"] for e in signals] == ["s1", "s2"]


def test_activity_completions_while_a_task_is_scheduled_join_that_task(
    swf: Any, domain: str
) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    respond(swf, task, [schedule(f"a{i}", str(i)) for i in range(3)])
    workers = [poll_activity(swf, domain) for _ in range(3)]
    for worker in workers:
        swf.respond_activity_task_completed(taskToken=worker["taskToken"], result="ok")
    events = history(swf, domain, run)
    completed_at = last_of(events, "DecisionTaskCompleted")["eventId"]
    tail = after(events, completed_at)
    assert types_of(tail).count("DecisionTaskScheduled") == 1
    assert types_of(tail).count("ActivityTaskCompleted") == 3
    assert pending_decisions(swf, domain) == 1
    nxt = poll_decision(swf, domain)
    assert types_of(after(nxt["events"], completed_at)).count("ActivityTaskCompleted") == 3


# --- empty polls and the hold ----------------------------------------------------------------


def test_empty_poll_holds_then_answers_the_exact_empty_body(
    server: LocalServer, domain: str
) -> None:
    began = time.monotonic()
    status, body = raw_call(
        server.endpoint,
        "PollForDecisionTask",
        {"domain": domain, "taskList": {"name": "decisions"}, "identity": "d"},
    )
    held = time.monotonic() - began
    assert status == 200
    assert body == {"previousStartedEventId": 0, "startedEventId": 0}
    assert held >= TEST_POLL_TIMEOUT_S * 0.9


def test_a_waiting_poll_is_woken_at_once_by_a_new_task() -> None:
    with LocalServer(settings=Settings(poll_timeout_s=10)) as local:
        swf = make_client(local.endpoint)
        domain = register_domain(swf)
        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(
                swf.poll_for_decision_task, domain=domain, taskList={"name": "decisions"}
            )
            wait_for_parked_poll(local)
            began = time.monotonic()
            run = start(swf, domain)
            task = waiting.result(timeout=10)
            assert time.monotonic() - began < 3.0
        assert task["taskToken"]
        assert task["workflowExecution"] == run


# --- paging the history of a decision task -------------------------------------------------


def _run_with_signals(swf: Any, domain: str, signals: int) -> Run:
    run = start(swf, domain)
    for i in range(signals):
        swf.signal_workflow_execution(
            domain=domain, workflowId=run["workflowId"], signalName=f"s{i}"
        )
    return run


def test_history_pages_of_two_and_continuations_claim_nothing(swf: Any, domain: str) -> None:
    run = _run_with_signals(swf, domain, 4)  # 1 Started, 2 Scheduled, 3-6 Signaled
    request = {"domain": domain, "taskList": {"name": "decisions"}, "maximumPageSize": 2}
    page = swf.poll_for_decision_task(**request)
    assert page["workflowExecution"] == run
    # A second execution waits on the same list: a continuation must not claim it.
    other = start(swf, domain)
    head = {k: page[k] for k in ("taskToken", "startedEventId", "previousStartedEventId")}
    assert head["startedEventId"] == 7
    pages = [[e["eventId"] for e in page["events"]]]
    while "nextPageToken" in page:
        page = swf.poll_for_decision_task(**request, nextPageToken=page["nextPageToken"])
        assert {k: page[k] for k in head} == head
        assert page["workflowExecution"] == run
        assert page["workflowType"] == WF
        pages.append([e["eventId"] for e in page["events"]])
    assert pages == [[1, 2], [3, 4], [5, 6], [7]]
    assert pending_decisions(swf, domain) == 1
    assert types_of(history(swf, domain, other)) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
    ]
    assert types_of(history(swf, domain, run)).count("DecisionTaskStarted") == 1
    # A decision-task page token is no GetWorkflowExecutionHistory token.
    first = swf.poll_for_decision_task(**request)
    assert first["workflowExecution"] == other
    with pytest.raises(ClientError) as error:
        swf.get_workflow_execution_history(
            domain=domain, execution=other, nextPageToken=first["nextPageToken"]
        )
    assert error.value.response["Error"]["Code"] == "ValidationException"
    respond(swf, first, [])
    # The token of the paged task still completes it.
    respond(swf, page, [])


def test_boto3_paginator_gets_the_whole_decision_task(swf: Any, domain: str) -> None:
    run = _run_with_signals(swf, domain, 3)
    paginator = swf.get_paginator("poll_for_decision_task")
    result = paginator.paginate(
        domain=domain, taskList={"name": "decisions"}, PaginationConfig={"PageSize": 2}
    ).build_full_result()
    assert [e["eventId"] for e in result["events"]] == [1, 2, 3, 4, 5, 6]
    assert result["workflowExecution"] == run
    assert result["startedEventId"] == 6
    respond(swf, result, [])
    assert history(swf, domain, run)[-1]["eventType"] == "DecisionTaskCompleted"


def test_reverse_order_pages_newest_first(swf: Any, domain: str) -> None:
    _run_with_signals(swf, domain, 4)
    request = {
        "domain": domain,
        "taskList": {"name": "decisions"},
        "maximumPageSize": 3,
        "reverseOrder": True,
    }
    page = swf.poll_for_decision_task(**request)
    token = page["taskToken"]
    pages = [[e["eventId"] for e in page["events"]]]
    while "nextPageToken" in page:
        page = swf.poll_for_decision_task(**request, nextPageToken=page["nextPageToken"])
        assert page["taskToken"] == token
        pages.append([e["eventId"] for e in page["events"]])
    assert pages == [[7, 6, 5], [4, 3, 2], [1]]
    assert page["events"][-1]["eventType"] == "WorkflowExecutionStarted"


def test_start_at_previous_started_event(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    first = swf.poll_for_decision_task(
        domain=domain, taskList={"name": "decisions"}, startAtPreviousStartedEvent=True
    )
    # No previous task: the whole history.
    assert [e["eventId"] for e in first["events"]] == [1, 2, 3]
    respond(swf, first, [])  # 4 DecisionTaskCompleted
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="go")
    task = swf.poll_for_decision_task(
        domain=domain, taskList={"name": "decisions"}, startAtPreviousStartedEvent=True
    )
    assert task["previousStartedEventId"] == first["startedEventId"] == 3
    ids = [e["eventId"] for e in task["events"]]
    assert ids == list(range(3, task["startedEventId"] + 1))
    assert task["events"][0]["eventType"] == "DecisionTaskStarted"
    assert types_of(task["events"])[1:] == [
        "DecisionTaskCompleted",
        "WorkflowExecutionSignaled",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]


# --- tokens ------------------------------------------------------------------------------------


def test_repeated_and_stale_tokens_are_unknown_and_record_nothing(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    first = poll_decision(swf, domain)
    respond(swf, first, [])
    before = history(swf, domain, run)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        respond(swf, first, [marker("again")])
    assert history(swf, domain, run) == before
    # The old token stays dead while a newer task of the same run is started.
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s")
    current = poll_decision(swf, domain)
    before = history(swf, domain, run)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        respond(swf, first, [close("CompleteWorkflowExecution")])
    assert history(swf, domain, run) == before
    respond(swf, current, [close("CompleteWorkflowExecution")])
    assert history(swf, domain, run)[-1]["eventType"] == "WorkflowExecutionCompleted"


# --- validation: the whole list or nothing ------------------------------------------------


def test_close_decision_not_last_is_rejected_and_the_token_stays_usable(
    swf: Any, domain: str
) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    before = history(swf, domain, run)
    with pytest.raises(ClientError) as error:
        respond(swf, task, [marker("m"), close("CompleteWorkflowExecution"), marker("n")])
    assert validation_message(error) == "Close must be last decision in list"
    assert history(swf, domain, run) == before
    respond(swf, task, [marker("m"), close("CompleteWorkflowExecution")])
    assert types_of(history(swf, domain, run))[-3:] == [
        "DecisionTaskCompleted",
        "MarkerRecorded",
        "WorkflowExecutionCompleted",
    ]


def test_decision_without_its_attributes_member_is_rejected(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    before = history(swf, domain, run)
    with pytest.raises(ClientError) as error:
        respond(swf, task, [{"decisionType": "ScheduleActivityTask"}])
    assert validation_message(error) == (
        "ScheduleActivityTaskDecisionAttributes must be specified "
        "for decision of type ScheduleActivityTask"
    )
    assert history(swf, domain, run) == before
    respond(swf, task, [])


@pytest.mark.parametrize(
    ("decisions", "path"),
    [
        (
            [
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityType": ACT,
                        "activityId": None,
                    },
                }
            ],
            "decisions.1.member.scheduleActivityTaskDecisionAttributes.activityId",
        ),
        (
            [
                marker("ok"),
                {
                    "decisionType": "StartTimer",
                    "startTimerDecisionAttributes": {"timerId": "t", "startToFireTimeout": None},
                },
            ],
            "decisions.2.member.startTimerDecisionAttributes.startToFireTimeout",
        ),
    ],
    ids=["first-decision", "second-decision"],
)
def test_null_required_attribute_gets_the_coral_message(
    server: LocalServer, swf: Any, domain: str, decisions: list[dict[str, Any]], path: str
) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    before = history(swf, domain, run)
    status, body = raw_call(
        server.endpoint,
        "RespondDecisionTaskCompleted",
        {"taskToken": task["taskToken"], "decisions": decisions},
    )
    assert status == 400
    assert body["__type"].endswith("#ValidationException")
    assert body["message"] == (
        f"1 validation error detected: Value null at '{path}' "
        "failed to satisfy constraint: Member must not be null"
    )
    assert history(swf, domain, run) == before
    respond(swf, task, [])


# --- semantic failures: a *Failed event, HTTP 200, a new decision task --------------------


def _bare_type(swf: Any, domain: str) -> dict[str, str]:
    swf.register_activity_type(domain=domain, name="bare", version="1")
    return {"name": "bare", "version": "1"}


def _deprecated_type(swf: Any, domain: str) -> dict[str, str]:
    swf.register_activity_type(
        domain=domain,
        name="old",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="60",
        defaultTaskScheduleToCloseTimeout="60",
        defaultTaskStartToCloseTimeout="60",
        defaultTaskHeartbeatTimeout="NONE",
    )
    swf.deprecate_activity_type(domain=domain, activityType={"name": "old", "version": "1"})
    return {"name": "old", "version": "1"}


_FULL_BARE = {
    "taskList": {"name": "activities"},
    "scheduleToStartTimeout": "60",
    "scheduleToCloseTimeout": "120",
    "startToCloseTimeout": "60",
    "heartbeatTimeout": "30",
}


def _bare_without(member: str) -> Callable[[Any, str], list[dict[str, Any]]]:
    def decisions(swf: Any, domain: str) -> list[dict[str, Any]]:
        given = {k: v for k, v in _FULL_BARE.items() if k != member}
        return [
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": _bare_type(swf, domain),
                    "activityId": "a",
                    **given,
                },
            }
        ]

    return decisions


def _typed(type_of: Callable[[Any, str], dict[str, str]]) -> Any:
    def decisions(swf: Any, domain: str) -> list[dict[str, Any]]:
        return [
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": type_of(swf, domain),
                    "activityId": "a",
                },
            }
        ]

    return decisions


_SEMANTIC_FAILURES: list[tuple[str, Any, str, str]] = [
    (
        "unknown-type",
        _typed(lambda swf, domain: {"name": "nope", "version": "1"}),
        "ScheduleActivityTaskFailed",
        "ACTIVITY_TYPE_DOES_NOT_EXIST",
    ),
    (
        "deprecated-type",
        _typed(_deprecated_type),
        "ScheduleActivityTaskFailed",
        "ACTIVITY_TYPE_DEPRECATED",
    ),
    (
        "activity-id-in-use",
        lambda swf, domain: [schedule("dup", "1"), schedule("dup", "2")],
        "ScheduleActivityTaskFailed",
        "ACTIVITY_ID_ALREADY_IN_USE",
    ),
    (
        "no-task-list",
        _bare_without("taskList"),
        "ScheduleActivityTaskFailed",
        "DEFAULT_TASK_LIST_UNDEFINED",
    ),
    (
        "no-schedule-to-start",
        _bare_without("scheduleToStartTimeout"),
        "ScheduleActivityTaskFailed",
        "DEFAULT_SCHEDULE_TO_START_TIMEOUT_UNDEFINED",
    ),
    (
        "no-schedule-to-close",
        _bare_without("scheduleToCloseTimeout"),
        "ScheduleActivityTaskFailed",
        "DEFAULT_SCHEDULE_TO_CLOSE_TIMEOUT_UNDEFINED",
    ),
    (
        "no-start-to-close",
        _bare_without("startToCloseTimeout"),
        "ScheduleActivityTaskFailed",
        "DEFAULT_START_TO_CLOSE_TIMEOUT_UNDEFINED",
    ),
    (
        "no-heartbeat",
        _bare_without("heartbeatTimeout"),
        "ScheduleActivityTaskFailed",
        "DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED",
    ),
    (
        "timer-id-in-use",
        lambda swf, domain: [start_timer("t"), start_timer("t")],
        "StartTimerFailed",
        "TIMER_ID_ALREADY_IN_USE",
    ),
    (
        "unknown-timer",
        lambda swf, domain: [
            {"decisionType": "CancelTimer", "cancelTimerDecisionAttributes": {"timerId": "no"}}
        ],
        "CancelTimerFailed",
        "TIMER_ID_UNKNOWN",
    ),
    (
        "unknown-activity-id",
        lambda swf, domain: [
            {
                "decisionType": "RequestCancelActivityTask",
                "requestCancelActivityTaskDecisionAttributes": {"activityId": "no"},
            }
        ],
        "RequestCancelActivityTaskFailed",
        "ACTIVITY_ID_UNKNOWN",
    ),
]


@pytest.mark.parametrize(
    ("build", "failed_type", "cause"),
    [case[1:] for case in _SEMANTIC_FAILURES],
    ids=[case[0] for case in _SEMANTIC_FAILURES],
)
def test_semantic_failure_records_failed_event_and_a_new_decision_task(
    swf: Any,
    domain: str,
    build: Callable[[Any, str], list[dict[str, Any]]],
    failed_type: str,
    cause: str,
) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    answer = respond(swf, task, build(swf, domain))
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    tail = after(history(swf, domain, run), task["startedEventId"])
    completed = tail[0]
    assert completed["eventType"] == "DecisionTaskCompleted"
    failed = last_of(tail, failed_type)
    assert attrs(failed)["cause"] == cause
    assert attrs(failed)["decisionTaskCompletedEventId"] == completed["eventId"]
    assert tail[-1]["eventType"] == "DecisionTaskScheduled"
    assert types_of(tail).count("DecisionTaskScheduled") == 1
    assert describe(swf, domain, run)["executionInfo"]["executionStatus"] == "OPEN"
    assert pending_decisions(swf, domain) == 1


def test_activity_type_without_defaults_schedules_with_every_value_given(
    swf: Any, domain: str
) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    respond(swf, task, _bare_without("nothing")(swf, domain))
    tail = after(history(swf, domain, run), task["startedEventId"])
    assert types_of(tail) == ["DecisionTaskCompleted", "ActivityTaskScheduled"]
    scheduled = attrs(tail[1])
    for member, value in _FULL_BARE.items():
        assert scheduled[member] == value
    assert pending_decisions(swf, domain) == 0


def test_schedule_failure_attributes_name_the_activity(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    respond(swf, task, _typed(lambda s, d: {"name": "nope", "version": "9"})(swf, domain))
    failed = last_of(history(swf, domain, run), "ScheduleActivityTaskFailed")
    assert attrs(failed)["activityType"] == {"name": "nope", "version": "9"}
    assert attrs(failed)["activityId"] == "a"


# --- closing with unhandled events --------------------------------------------------------


@pytest.mark.parametrize(
    "close_type",
    ["CompleteWorkflowExecution", "FailWorkflowExecution", "CancelWorkflowExecution"],
)
def test_close_with_an_unhandled_signal_fails_and_keeps_the_run_open(
    swf: Any, domain: str, close_type: str
) -> None:
    run = start(swf, domain)
    if close_type == "CancelWorkflowExecution":
        swf.request_cancel_workflow_execution(domain=domain, workflowId=run["workflowId"])
    task = poll_decision(swf, domain)
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="late")
    answer = respond(swf, task, [marker("m"), schedule("a", "x"), close(close_type)])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    tail = after(history(swf, domain, run), task["startedEventId"])
    assert types_of(tail) == [
        "WorkflowExecutionSignaled",
        "DecisionTaskCompleted",
        "MarkerRecorded",
        "ActivityTaskScheduled",
        close_type + "Failed",
        "DecisionTaskScheduled",
    ]
    assert attrs(tail[4])["cause"] == "UNHANDLED_DECISION"
    assert attrs(tail[4])["decisionTaskCompletedEventId"] == tail[1]["eventId"]
    info = describe(swf, domain, run)
    assert info["executionInfo"]["executionStatus"] == "OPEN"
    assert info["openCounts"]["openActivityTasks"] == 1
    # The earlier decisions took effect: the activity is there for a worker.
    assert poll_activity(swf, domain)["activityId"] == "a"
    nxt = poll_decision(swf, domain)
    assert "WorkflowExecutionSignaled" in types_of(nxt["events"])


def test_close_with_an_unhandled_activity_completion_fails(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    respond(swf, poll_decision(swf, domain), [schedule("a", "x")])
    worker = poll_activity(swf, domain)
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s")
    task = poll_decision(swf, domain)
    swf.respond_activity_task_completed(taskToken=worker["taskToken"], result="r")
    respond(swf, task, [close("CompleteWorkflowExecution")])
    tail = after(history(swf, domain, run), task["startedEventId"])
    assert types_of(tail) == [
        "ActivityTaskCompleted",
        "DecisionTaskCompleted",
        "CompleteWorkflowExecutionFailed",
        "DecisionTaskScheduled",
    ]
    assert attrs(tail[2])["cause"] == "UNHANDLED_DECISION"
    # Once the decider has seen the completion, it may close.
    respond(swf, poll_decision(swf, domain), [close("CompleteWorkflowExecution")])
    assert describe(swf, domain, run)["executionInfo"]["closeStatus"] == "COMPLETED"


def test_signal_before_the_task_started_is_handled_by_it(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s")
    task = poll_decision(swf, domain)
    assert "WorkflowExecutionSignaled" in types_of(task["events"])
    respond(swf, task, [close("CompleteWorkflowExecution")])
    assert describe(swf, domain, run)["executionInfo"]["closeStatus"] == "COMPLETED"


def test_close_without_new_events_succeeds_with_open_activities(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    respond(swf, task, [schedule("a", "x")])
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s")
    task = poll_decision(swf, domain)
    respond(swf, task, [close("CompleteWorkflowExecution")])
    assert describe(swf, domain, run)["executionInfo"]["closeStatus"] == "COMPLETED"


# --- what schedules a decision task and what does not ----------------------------------------


def test_record_marker_alone_schedules_no_decision_task(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    task = poll_decision(swf, domain)
    swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "RecordMarker",
                "recordMarkerDecisionAttributes": {"markerName": "m", "details": "d"},
            }
        ],
    )
    events = history(swf, domain, run)
    assert types_of(events)[-2:] == ["DecisionTaskCompleted", "MarkerRecorded"]
    assert attrs(events[-1]) == {
        "markerName": "m",
        "details": "d",
        "decisionTaskCompletedEventId": events[-2]["eventId"],
    }
    assert pending_decisions(swf, domain) == 0
    assert describe(swf, domain, run)["openCounts"]["openDecisionTasks"] == 0


def test_empty_decision_list_schedules_nothing(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    respond(swf, poll_decision(swf, domain), [])
    assert history(swf, domain, run)[-1]["eventType"] == "DecisionTaskCompleted"
    assert pending_decisions(swf, domain) == 0


def test_start_timer_schedules_no_decision_task_until_it_fires() -> None:
    clock = ManualClock()
    with LocalServer(settings=Settings(poll_timeout_s=5), clock=clock) as local:
        swf = make_client(local.endpoint)
        domain = register_domain(swf)
        run = start(swf, domain)
        task = poll_decision(swf, domain)
        respond(swf, task, [start_timer("t", "30")])
        events = history(swf, domain, run)
        assert types_of(events)[-2:] == ["DecisionTaskCompleted", "TimerStarted"]
        timer_started = events[-1]
        assert pending_decisions(swf, domain) == 0
        assert describe(swf, domain, run)["openCounts"]["openTimers"] == 1
        local.call(clock.advance, 29)
        assert pending_decisions(swf, domain) == 0
        local.call(clock.advance, 1)
        fired = poll_decision(swf, domain)
        tail = after(fired["events"], timer_started["eventId"])
        assert types_of(tail) == ["TimerFired", "DecisionTaskScheduled", "DecisionTaskStarted"]
        assert attrs(tail[0]) == {"timerId": "t", "startedEventId": timer_started["eventId"]}


# --- execution context, counts, priority ---------------------------------------------------


def test_execution_context_is_recorded_and_described(swf: Any, domain: str) -> None:
    run = start(swf, domain)
    assert "latestExecutionContext" not in describe(swf, domain, run)
    task = poll_decision(swf, domain)
    respond(swf, task, [], executionContext="ctx-1")
    completed = history(swf, domain, run)[-1]
    assert attrs(completed)["executionContext"] == "ctx-1"
    assert describe(swf, domain, run)["latestExecutionContext"] == "ctx-1"
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName="s")
    respond(swf, poll_decision(swf, domain), [], executionContext="ctx-2")
    assert describe(swf, domain, run)["latestExecutionContext"] == "ctx-2"


def test_count_pending_decision_tasks(swf: Any, domain: str) -> None:
    assert pending_decisions(swf, domain) == 0
    runs = [start(swf, domain), start(swf, domain)]
    start(swf, domain, taskList={"name": "elsewhere"})
    answer = swf.count_pending_decision_tasks(domain=domain, taskList={"name": "decisions"})
    assert (answer["count"], answer["truncated"]) == (2, False)
    assert pending_decisions(swf, domain, "elsewhere") == 1
    claimed = poll_decision(swf, domain)["workflowExecution"]
    assert pending_decisions(swf, domain) == 1
    assert pending_decisions(swf, domain, "never-used") == 0
    answer = swf.count_pending_decision_tasks(domain=domain, taskList={"name": "never-used"})
    assert (answer["count"], answer["truncated"]) == (0, False)
    # A closed run takes its scheduled decision task with it.
    waiting = [run for run in runs if run != claimed][0]
    swf.terminate_workflow_execution(domain=domain, workflowId=waiting["workflowId"])
    assert pending_decisions(swf, domain) == 0


def test_higher_task_priority_is_handed_out_first(swf: Any, domain: str) -> None:
    runs = {
        priority: start(swf, domain, taskPriority=priority) for priority in ("1", "10", "-3", "9")
    }
    runs["default"] = start(swf, domain)
    order = []
    by_run = {run["runId"]: priority for priority, run in runs.items()}
    for _ in runs:
        task = poll_decision(swf, domain)
        order.append(by_run[task["workflowExecution"]["runId"]])
    assert order == ["10", "9", "1", "default", "-3"]


def test_concurrent_pollers_never_share_a_decision_task(server: LocalServer, domain: str) -> None:
    executions, pollers = 3, 8
    client = boto3.client(
        "swf",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(read_timeout=70, retries={"max_attempts": 1}, max_pool_connections=32),
    )
    runs = [start(client, domain) for _ in range(executions)]
    with ThreadPoolExecutor(max_workers=pollers) as pool:
        answers = list(
            pool.map(
                lambda n: client.poll_for_decision_task(
                    domain=domain, taskList={"name": "decisions"}, identity=f"d{n}"
                ),
                range(pollers),
            )
        )
    given = [answer for answer in answers if answer.get("taskToken")]
    assert len(given) == executions
    assert sorted(a["workflowExecution"]["runId"] for a in given) == sorted(
        run["runId"] for run in runs
    )
    for run in runs:
        assert types_of(history(client, domain, run)).count("DecisionTaskStarted") == 1
