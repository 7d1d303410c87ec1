"""Every timeout SWF defines, enforced by the server, on a manual clock: no test sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import Databases, make_client, unique

WF = {"name": "wf", "version": "1"}
ACT = {"name": "act", "version": "1"}


@pytest.fixture(scope="module")
def timed(backend: str, session_databases: Databases) -> Iterator[LocalServer]:
    """A server on a manual clock, on every storage backend (its own database: a manual
    clock's timers must not meet the session server's)."""
    url = session_databases.new(backend)
    with LocalServer(url, settings=Settings(poll_timeout_s=0.2), clock=ManualClock()) as server:
        yield server
    session_databases.drop(url)


@pytest.fixture
def client(timed: LocalServer) -> Any:
    return make_client(timed.endpoint)


@pytest.fixture
def dom(client: Any) -> str:
    name = unique("time")
    client.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    client.register_workflow_type(
        domain=name,
        name="wf",
        version="1",
        defaultTaskList={"name": "decisions"},
        defaultExecutionStartToCloseTimeout="86400",
        defaultTaskStartToCloseTimeout="30",
        defaultChildPolicy="TERMINATE",
    )
    client.register_activity_type(
        domain=name,
        name="act",
        version="1",
        defaultTaskList={"name": "activities"},
        defaultTaskScheduleToStartTimeout="100",
        defaultTaskScheduleToCloseTimeout="1000",
        defaultTaskStartToCloseTimeout="300",
        defaultTaskHeartbeatTimeout="60",
    )
    return name


def start(client: Any, dom: str, **kwargs: Any) -> dict[str, str]:
    workflow_id = unique("wf")
    run_id = client.start_workflow_execution(
        domain=dom, workflowId=workflow_id, workflowType=WF, **kwargs
    )["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


def decide(client: Any, dom: str, decisions: list[dict[str, Any]]) -> dict[str, Any]:
    task = client.poll_for_decision_task(domain=dom, taskList={"name": "decisions"})
    client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
    return task


def schedule(**attrs: Any) -> dict[str, Any]:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": ACT,
            "activityId": "a1",
            **attrs,
        },
    }


def events(client: Any, dom: str, run: dict[str, str]) -> list[dict[str, Any]]:
    return client.get_workflow_execution_history(domain=dom, execution=run)["events"]


def last_of(evs: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    found = [e for e in evs if e["eventType"] == event_type]
    assert found, f"no {event_type} in {[e['eventType'] for e in evs]}"
    attrs: dict[str, Any] = found[-1][event_type[0].lower() + event_type[1:] + "EventAttributes"]
    return attrs


def test_decision_task_start_to_close(timed: LocalServer, client: Any, dom: str) -> None:
    run = start(client, dom)
    task = client.poll_for_decision_task(domain=dom, taskList={"name": "decisions"})
    timed.advance(29)
    assert events(client, dom, run)[-1]["eventType"] == "DecisionTaskStarted"
    timed.advance(1)
    evs = events(client, dom, run)
    assert [e["eventType"] for e in evs[-2:]] == ["DecisionTaskTimedOut", "DecisionTaskScheduled"]
    assert last_of(evs, "DecisionTaskTimedOut") == {
        "timeoutType": "START_TO_CLOSE",
        "scheduledEventId": 2,
        "startedEventId": 3,
    }
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[])
    # The new decision task is handed out and works.
    decide(client, dom, [])


def test_workflow_execution_start_to_close(timed: LocalServer, client: Any, dom: str) -> None:
    run = start(client, dom, executionStartToCloseTimeout="3600")
    decide(client, dom, [schedule()])
    timed.advance(3600)
    evs = events(client, dom, run)
    assert evs[-1]["eventType"] == "WorkflowExecutionTimedOut"
    assert last_of(evs, "WorkflowExecutionTimedOut") == {
        "timeoutType": "START_TO_CLOSE",
        "childPolicy": "TERMINATE",
    }
    info = client.describe_workflow_execution(domain=dom, execution=run)
    assert info["executionInfo"]["closeStatus"] == "TIMED_OUT"
    assert info["openCounts"]["openActivityTasks"] == 0
    # The activity of a timed-out run is never handed out.
    assert not client.poll_for_activity_task(domain=dom, taskList={"name": "activities"}).get(
        "taskToken"
    )


def test_activity_schedule_to_start(timed: LocalServer, client: Any, dom: str) -> None:
    run = start(client, dom)
    decide(client, dom, [schedule(scheduleToStartTimeout="10")])
    timed.advance(10)
    evs = events(client, dom, run)
    assert last_of(evs, "ActivityTaskTimedOut") == {
        "timeoutType": "SCHEDULE_TO_START",
        "scheduledEventId": 5,
        "startedEventId": 0,
    }
    assert evs[-1]["eventType"] == "DecisionTaskScheduled"
    assert not client.poll_for_activity_task(domain=dom, taskList={"name": "activities"}).get(
        "taskToken"
    )


def test_activity_start_to_close_and_late_answer(timed: LocalServer, client: Any, dom: str) -> None:
    run = start(client, dom)
    decide(client, dom, [schedule(startToCloseTimeout="20", heartbeatTimeout="NONE")])
    task = client.poll_for_activity_task(domain=dom, taskList={"name": "activities"})
    timed.advance(20)
    attrs = last_of(events(client, dom, run), "ActivityTaskTimedOut")
    assert attrs["timeoutType"] == "START_TO_CLOSE"
    assert attrs["startedEventId"] == task["startedEventId"]
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.respond_activity_task_completed(taskToken=task["taskToken"], result="late")
    with pytest.raises(client.exceptions.UnknownResourceFault):
        client.record_activity_task_heartbeat(taskToken=task["taskToken"])


def test_activity_schedule_to_close(timed: LocalServer, client: Any, dom: str) -> None:
    run = start(client, dom)
    decide(client, dom, [schedule(scheduleToCloseTimeout="50", heartbeatTimeout="NONE")])
    client.poll_for_activity_task(domain=dom, taskList={"name": "activities"})
    timed.advance(50)
    attrs = last_of(events(client, dom, run), "ActivityTaskTimedOut")
    assert attrs["timeoutType"] == "SCHEDULE_TO_CLOSE"


def test_heartbeats_push_the_deadline_and_the_last_details_are_reported(
    timed: LocalServer, client: Any, dom: str
) -> None:
    run = start(client, dom)
    decide(client, dom, [schedule(heartbeatTimeout="60")])
    task = client.poll_for_activity_task(domain=dom, taskList={"name": "activities"})
    for step in range(3):
        timed.advance(50)
        answer = client.record_activity_task_heartbeat(
            taskToken=task["taskToken"], details=f"step {step}"
        )
        assert answer["cancelRequested"] is False
    assert "ActivityTaskTimedOut" not in [e["eventType"] for e in events(client, dom, run)]
    timed.advance(60)
    attrs = last_of(events(client, dom, run), "ActivityTaskTimedOut")
    assert attrs["timeoutType"] == "HEARTBEAT"
    assert attrs["details"] == "step 2"


def test_a_long_timer_fires_once_after_a_month(timed: LocalServer, client: Any, dom: str) -> None:
    run = start(client, dom, executionStartToCloseTimeout="31536000")
    decide(
        client,
        dom,
        [
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {
                    "timerId": "month",
                    "startToFireTimeout": "2592000",
                },
            }
        ],
    )
    timed.advance(2592000 - 1)
    assert "TimerFired" not in [e["eventType"] for e in events(client, dom, run)]
    timed.advance(1)
    timed.advance(1)
    evs = events(client, dom, run)
    assert [e["eventType"] for e in evs].count("TimerFired") == 1
    assert last_of(evs, "TimerFired") == {"timerId": "month", "startedEventId": 5}
    assert evs[-1]["eventType"] == "DecisionTaskScheduled"
