"""Activity tasks over HTTP with boto3: polls, answers, heartbeats, cancellation, counts,
priority and exclusive hand-out (reference §4.1, §5.1, §6.3, §6.6 and the checklist in §10)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.config import Config

from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import make_client, unique
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


def start(swf: Any, domain: str) -> Run:
    workflow_id = unique("wf")
    run_id = swf.start_workflow_execution(domain=domain, workflowId=workflow_id, workflowType=WF)[
        "runId"
    ]
    return {"workflowId": workflow_id, "runId": run_id}


def decide(swf: Any, domain: str, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    """Take the next decision task and answer it with ``decisions``."""
    task = poll_decision(swf, domain)
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
    return task


def run_with(swf: Any, domain: str, *decisions: dict[str, Any]) -> Run:
    """A new execution whose first decision task was answered with ``decisions``."""
    run = start(swf, domain)
    decide(swf, domain, list(decisions))
    return run


def scheduled(
    activity_id: str, *, priority: str | None = None, task_list: str | None = None, **extra: Any
) -> dict[str, Any]:
    decision = schedule(activity_id, "in-" + activity_id)
    member = decision["scheduleActivityTaskDecisionAttributes"]
    if priority is not None:
        member["taskPriority"] = priority
    if task_list is not None:
        member["taskList"] = {"name": task_list}
    member.update(extra)
    return decision


def cancel_activity(activity_id: str) -> dict[str, Any]:
    return {
        "decisionType": "RequestCancelActivityTask",
        "requestCancelActivityTaskDecisionAttributes": {"activityId": activity_id},
    }


def signal(swf: Any, domain: str, run: Run, name: str = "poke") -> None:
    swf.signal_workflow_execution(domain=domain, workflowId=run["workflowId"], signalName=name)


def after(events: list[Event], event_id: int) -> list[Event]:
    return [event for event in events if event["eventId"] > event_id]


def last_of(events: list[Event], event_type: str) -> Event:
    return [event for event in events if event["eventType"] == event_type][-1]


def attrs(event: Event) -> dict[str, Any]:
    name: str = event["eventType"]
    value: dict[str, Any] = event[name[0].lower() + name[1:] + "EventAttributes"]
    return value


def pending_activities(swf: Any, domain: str, task_list: str = "activities") -> int:
    count: int = swf.count_pending_activity_tasks(domain=domain, taskList={"name": task_list})[
        "count"
    ]
    return count


def is_empty(answer: dict[str, Any]) -> bool:
    return not answer.get("taskToken") and answer["startedEventId"] == 0


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


# --- the poll and its answer --------------------------------------------------------------


def test_poll_starts_the_task_and_answers_everything_a_worker_needs(swf: Any, domain: str) -> None:
    run = run_with(swf, domain, scheduled("a1", control="not-for-workers"))
    task = swf.poll_for_activity_task(
        domain=domain, taskList={"name": "activities"}, identity="worker-7"
    )
    events = history(swf, domain, run)
    scheduled_event = last_of(events, "ActivityTaskScheduled")
    started = events[-1]
    assert started["eventType"] == "ActivityTaskStarted"
    assert attrs(started) == {
        "identity": "worker-7",
        "scheduledEventId": scheduled_event["eventId"],
    }
    assert task["taskToken"]
    assert task["activityId"] == "a1"
    assert task["startedEventId"] == started["eventId"]
    assert task["workflowExecution"] == run
    assert task["activityType"] == ACT
    assert task["input"] == "in-a1"
    assert "control" not in task
    # Starting an activity is nothing the decider has to react to.
    assert (
        swf.count_pending_decision_tasks(domain=domain, taskList={"name": "decisions"})["count"]
        == 0
    )


def test_empty_poll_answers_the_exact_empty_body(server: LocalServer, domain: str) -> None:
    status, body = raw_call(
        server.endpoint,
        "PollForActivityTask",
        {"domain": domain, "taskList": {"name": "activities"}, "identity": "w"},
    )
    assert status == 200
    assert body == {"startedEventId": 0}


def test_a_waiting_poll_is_woken_at_once_by_a_new_activity_task() -> None:
    with LocalServer(settings=Settings(poll_timeout_s=10)) as local:
        swf = make_client(local.endpoint)
        domain = unique("dom")
        swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(
            domain=domain,
            name="wf",
            version="1",
            defaultTaskList={"name": "decisions"},
            defaultExecutionStartToCloseTimeout="3600",
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
        swf.register_activity_type(
            domain=domain,
            name="act",
            version="1",
            defaultTaskList={"name": "activities"},
            defaultTaskScheduleToStartTimeout="600",
            defaultTaskScheduleToCloseTimeout="1200",
            defaultTaskStartToCloseTimeout="600",
            defaultTaskHeartbeatTimeout="NONE",
        )
        start(swf, domain)
        with ThreadPoolExecutor(max_workers=1) as pool:
            waiting = pool.submit(
                swf.poll_for_activity_task, domain=domain, taskList={"name": "activities"}
            )
            _wait_for_parked_poll(local)
            began = time.monotonic()
            decide(swf, domain, [scheduled("a1")])
            task = waiting.result(timeout=10)
            assert time.monotonic() - began < 3.0
        assert task["activityId"] == "a1"


def _wait_for_parked_poll(server: LocalServer, deadline_s: float = 5.0) -> None:
    def parked() -> bool:
        queues = getattr(server.app.service.matching, "_queues", {})
        return any(not w.done() for queue in queues.values() for w in queue.waiters)

    tick = threading.Event()
    deadline = time.monotonic() + deadline_s
    while not server.call(parked):
        assert time.monotonic() < deadline, "the poll never reached the server"
        tick.wait(0.005)


# --- answers -------------------------------------------------------------------------------

_OUTCOMES = {
    "completed": ("respond_activity_task_completed", {"result": "r"}, "ActivityTaskCompleted"),
    "failed": (
        "respond_activity_task_failed",
        {"reason": "why", "details": "trace"},
        "ActivityTaskFailed",
    ),
    "canceled": ("respond_activity_task_canceled", {"details": "undone"}, "ActivityTaskCanceled"),
}


@pytest.mark.parametrize("outcome", list(_OUTCOMES))
def test_each_answer_records_its_event_and_a_decision_task(
    swf: Any, domain: str, outcome: str
) -> None:
    method, arguments, event_type = _OUTCOMES[outcome]
    run = run_with(swf, domain, scheduled("a1"))
    task = poll_activity(swf, domain)
    getattr(swf, method)(taskToken=task["taskToken"], **arguments)
    events = history(swf, domain, run)
    assert types_of(events)[-2:] == [event_type, "DecisionTaskScheduled"]
    recorded = attrs(events[-2])
    assert recorded["startedEventId"] == task["startedEventId"]
    assert (
        recorded["scheduledEventId"]
        == attrs(last_of(events, "ActivityTaskStarted"))["scheduledEventId"]
    )
    for member, value in arguments.items():
        assert recorded[member] == value
    decision = poll_decision(swf, domain)
    assert event_type in types_of(decision["events"])
    # Exactly one outcome per token: any second answer is unknown and records nothing.
    before = history(swf, domain, run)
    for other_method, other_arguments, _ in _OUTCOMES.values():
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            getattr(swf, other_method)(taskToken=task["taskToken"], **other_arguments)
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.record_activity_task_heartbeat(taskToken=task["taskToken"])
    assert history(swf, domain, run) == before


# --- heartbeats and cancellation -------------------------------------------------------------


def _started_then_cancel_requested(
    swf: Any, domain: str
) -> tuple[Run, dict[str, Any], dict[str, Any]]:
    """A started activity whose cancellation the decider then asked for. Returns the run,
    the activity task and the heartbeat answer from before the request."""
    run = run_with(swf, domain, scheduled("a1"))
    task = poll_activity(swf, domain)
    before = history(swf, domain, run)
    beat = swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details="25%")
    assert history(swf, domain, run) == before
    signal(swf, domain, run)
    decision = decide(swf, domain, [cancel_activity("a1")])
    tail = after(history(swf, domain, run), decision["startedEventId"])
    # The task had started: cancellation is only a request, and nothing for the decider yet.
    assert types_of(tail) == ["DecisionTaskCompleted", "ActivityTaskCancelRequested"]
    assert attrs(tail[1]) == {
        "decisionTaskCompletedEventId": tail[0]["eventId"],
        "activityId": "a1",
    }
    return run, task, beat


def test_heartbeat_reports_the_cancel_request_and_adds_no_history(swf: Any, domain: str) -> None:
    run, task, beat = _started_then_cancel_requested(swf, domain)
    assert beat["cancelRequested"] is False
    before = history(swf, domain, run)
    beat = swf.record_activity_task_heartbeat(taskToken=task["taskToken"], details="50%")
    assert beat["cancelRequested"] is True
    assert swf.record_activity_task_heartbeat(taskToken=task["taskToken"])["cancelRequested"]
    assert history(swf, domain, run) == before
    # The worker may still finish normally.
    swf.respond_activity_task_completed(taskToken=task["taskToken"], result="done anyway")
    assert types_of(history(swf, domain, run))[-2:] == [
        "ActivityTaskCompleted",
        "DecisionTaskScheduled",
    ]


def test_canceled_after_a_cancel_request_names_the_request(swf: Any, domain: str) -> None:
    run, task, _ = _started_then_cancel_requested(swf, domain)
    requested = last_of(history(swf, domain, run), "ActivityTaskCancelRequested")
    swf.respond_activity_task_canceled(taskToken=task["taskToken"], details="rolled back")
    events = history(swf, domain, run)
    assert types_of(events)[-2:] == ["ActivityTaskCanceled", "DecisionTaskScheduled"]
    assert attrs(events[-2]) == {
        "scheduledEventId": attrs(last_of(events, "ActivityTaskStarted"))["scheduledEventId"],
        "startedEventId": task["startedEventId"],
        "details": "rolled back",
        "latestCancelRequestedEventId": requested["eventId"],
    }


def test_cancel_of_an_unstarted_task_cancels_it_at_once(swf: Any, domain: str) -> None:
    run = run_with(swf, domain, scheduled("a1"))
    scheduled_id = last_of(history(swf, domain, run), "ActivityTaskScheduled")["eventId"]
    assert pending_activities(swf, domain) == 1
    signal(swf, domain, run)
    decision = decide(swf, domain, [cancel_activity("a1")])
    tail = after(history(swf, domain, run), decision["startedEventId"])
    assert types_of(tail) == [
        "DecisionTaskCompleted",
        "ActivityTaskCancelRequested",
        "ActivityTaskCanceled",
        "DecisionTaskScheduled",
    ]
    assert attrs(tail[2]) == {
        "scheduledEventId": scheduled_id,
        "startedEventId": 0,
        "latestCancelRequestedEventId": tail[1]["eventId"],
    }
    assert pending_activities(swf, domain) == 0
    info = swf.describe_workflow_execution(domain=domain, execution=run)
    assert info["openCounts"]["openActivityTasks"] == 0
    # The task is gone from the list: a worker never gets it.
    answer = swf.poll_for_activity_task(domain=domain, taskList={"name": "activities"})
    assert is_empty(answer)
    # And the activityId is free again.
    decide(swf, domain, [scheduled("a1")])
    assert poll_activity(swf, domain)["activityId"] == "a1"


# --- a closed run ------------------------------------------------------------------------------


def test_worker_answers_after_termination_are_unknown(swf: Any, domain: str) -> None:
    run = run_with(swf, domain, scheduled("a1"), scheduled("a2"))
    task = poll_activity(swf, domain)
    swf.terminate_workflow_execution(domain=domain, workflowId=run["workflowId"])
    before = history(swf, domain, run)
    assert before[-1]["eventType"] == "WorkflowExecutionTerminated"
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.record_activity_task_heartbeat(taskToken=task["taskToken"])
    for method, arguments, _ in _OUTCOMES.values():
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            getattr(swf, method)(taskToken=task["taskToken"], **arguments)
    assert history(swf, domain, run) == before
    # The activity that never started went with the run.
    assert pending_activities(swf, domain) == 0


# --- counts, priority, exclusive hand-out ---------------------------------------------------


def test_count_pending_activity_tasks(swf: Any, domain: str) -> None:
    assert pending_activities(swf, domain) == 0
    run_with(swf, domain, scheduled("a1"), scheduled("a2"), scheduled("b", task_list="other"))
    answer = swf.count_pending_activity_tasks(domain=domain, taskList={"name": "activities"})
    assert (answer["count"], answer["truncated"]) == (2, False)
    assert pending_activities(swf, domain, "other") == 1
    poll_activity(swf, domain)
    assert pending_activities(swf, domain) == 1
    assert pending_activities(swf, domain, "never-used") == 0
    # Decision and activity task lists are separate namespaces.
    assert (
        swf.count_pending_decision_tasks(domain=domain, taskList={"name": "activities"})["count"]
        == 0
    )


def test_higher_task_priority_is_handed_out_first(swf: Any, domain: str) -> None:
    run_with(
        swf,
        domain,
        scheduled("low", priority="-5"),
        scheduled("first-9", priority="9"),
        scheduled("default"),
        scheduled("top", priority="10"),
        scheduled("second-9", priority="9"),
    )
    order = [poll_activity(swf, domain)["activityId"] for _ in range(5)]
    assert order == ["top", "first-9", "second-9", "default", "low"]


def test_concurrent_pollers_never_share_a_task(server: LocalServer, domain: str) -> None:
    tasks, pollers = 4, 12
    client = boto3.client(
        "swf",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret",
        config=Config(read_timeout=70, retries={"max_attempts": 1}, max_pool_connections=32),
    )
    run = run_with(client, domain, *(scheduled(f"a{i}") for i in range(tasks)))
    with ThreadPoolExecutor(max_workers=pollers) as pool:
        answers = list(
            pool.map(
                lambda n: client.poll_for_activity_task(
                    domain=domain, taskList={"name": "activities"}, identity=f"w{n}"
                ),
                range(pollers),
            )
        )
    given = [answer for answer in answers if not is_empty(answer)]
    assert sorted(answer["activityId"] for answer in given) == [f"a{i}" for i in range(tasks)]
    assert len({answer["taskToken"] for answer in given}) == tasks
    started = [e for e in history(client, domain, run) if e["eventType"] == "ActivityTaskStarted"]
    assert len(started) == tasks
    assert len({attrs(e)["scheduledEventId"] for e in started}) == tasks
    assert sorted(answer["startedEventId"] for answer in given) == sorted(
        e["eventId"] for e in started
    )
    for answer in given:
        client.respond_activity_task_completed(taskToken=answer["taskToken"])
