"""Every SWF timeout enforced on the real clock, end to end through boto3, with short (1-2 s)
timeouts.

All of them are armed at once by one module fixture, so the whole file waits about as long as
the longest timeout, not their sum. Each test then waits for its event with a deadline, and
checks that it came neither early nor late: the event's timestamp, minus the timestamp of the
event that started its clock, is the timeout (within LATE_S).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import unique

WF = {"name": "wf", "version": "1"}
ACT = {"name": "act", "version": "1"}
DEADLINE_S = 15.0  # generous on a loaded machine; a passing run waits ~2 s in all
LATE_S = 1.0  # how late an event may be stamped after its due time and still pass
EARLY_S = 0.002  # timestamps are milliseconds: allow rounding, never an early firing


@dataclass
class Armed:
    """One run whose timeout is armed: what to look for, and where the clock started."""

    run: dict[str, str]
    token: str | None = None


def attrs_of(event: dict[str, Any]) -> dict[str, Any]:
    name = event["eventType"]
    found: dict[str, Any] = event[name[0].lower() + name[1:] + "EventAttributes"]
    return found


class Timeouts:
    """Arms every timeout type in one domain, one run per type, each on its own task lists."""

    def __init__(self, swf: Any, domain: str) -> None:
        self.swf = swf
        self.domain = domain
        self.armed: dict[str, Armed] = {}

    def start(self, key: str, **kwargs: Any) -> dict[str, str]:
        workflow_id = unique(key)
        run_id = self.swf.start_workflow_execution(
            domain=self.domain,
            workflowId=workflow_id,
            workflowType=WF,
            taskList={"name": f"d-{workflow_id}"},
            **kwargs,
        )["runId"]
        run = {"workflowId": workflow_id, "runId": run_id}
        self.armed[key] = Armed(run=run)
        return run

    def poll_decision(self, run: dict[str, str]) -> dict[str, Any]:
        task = self.swf.poll_for_decision_task(
            domain=self.domain, taskList={"name": f"d-{run['workflowId']}"}
        )
        assert task["workflowExecution"] == run
        return task

    def decide(self, run: dict[str, str], decision: dict[str, Any]) -> None:
        task = self.poll_decision(run)
        self.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[decision])

    def schedule(self, key: str, **timeouts: str) -> dict[str, str]:
        run = self.start(key)
        self.decide(
            run,
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": ACT,
                    "activityId": "a1",
                    "taskList": {"name": f"a-{run['workflowId']}"},
                    **timeouts,
                },
            },
        )
        return run

    def poll_activity(self, key: str) -> str:
        run = self.armed[key].run
        task = self.swf.poll_for_activity_task(
            domain=self.domain, taskList={"name": f"a-{run['workflowId']}"}
        )
        assert task["workflowExecution"] == run
        token: str = task["taskToken"]
        self.armed[key].token = token
        return token

    def history(self, key: str) -> list[dict[str, Any]]:
        pages = self.swf.get_paginator("get_workflow_execution_history").paginate(
            domain=self.domain, execution=self.armed[key].run
        )
        return [event for page in pages for event in page["events"]]

    def wait_for(self, key: str, event_type: str) -> list[dict[str, Any]]:
        """The run's history once it holds ``event_type``; fails at the deadline."""
        deadline = time.monotonic() + DEADLINE_S
        while True:
            events = self.history(key)
            if any(event["eventType"] == event_type for event in events):
                return events
            if time.monotonic() > deadline:
                seen = [event["eventType"] for event in events]
                raise AssertionError(f"no {event_type} within {DEADLINE_S} s: {seen}")
            time.sleep(0.05)


def one(events: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    found = [event for event in events if event["eventType"] == event_type]
    assert len(found) == 1, f"{len(found)} x {event_type}: {[e['eventType'] for e in events]}"
    return found[0]


def assert_fired_after(
    events: list[dict[str, Any]], fired_type: str, clock_from: str, timeout_s: float
) -> dict[str, Any]:
    """The ``fired_type`` event came ``timeout_s`` after ``clock_from``: not before, and not
    more than LATE_S after. Returns the fired event's attributes."""
    fired = one(events, fired_type)
    started = one(events, clock_from)
    elapsed = fired["eventTimestamp"].timestamp() - started["eventTimestamp"].timestamp()
    assert timeout_s - EARLY_S <= elapsed <= timeout_s + LATE_S, (
        f"{fired_type} came {elapsed:.3f} s after {clock_from}; the timeout is {timeout_s} s"
    )
    return attrs_of(fired)


@pytest.fixture(scope="module")
def timeouts(swf: Any) -> Timeouts:
    domain = unique("realtime")
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        name="wf",
        version="1",
        defaultTaskList={"name": "unused"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain=domain,
        name="act",
        version="1",
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )
    t = Timeouts(swf, domain)

    run = t.start("decision", taskStartToCloseTimeout="1")
    t.armed["decision"].token = t.poll_decision(run)["taskToken"]  # held, never answered

    t.start("workflow", executionStartToCloseTimeout="1")

    t.schedule("schedule_to_start", scheduleToStartTimeout="1")  # nobody polls its list

    t.schedule("schedule_to_close", scheduleToCloseTimeout="2")
    t.poll_activity("schedule_to_close")  # started, so only schedule-to-close can end it

    t.schedule("start_to_close", startToCloseTimeout="1")
    t.poll_activity("start_to_close")

    t.schedule("heartbeat", heartbeatTimeout="1")
    swf.record_activity_task_heartbeat(taskToken=t.poll_activity("heartbeat"), details="beat")

    run = t.start("timer")
    t.decide(
        run,
        {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {"timerId": "t1", "startToFireTimeout": "1"},
        },
    )
    return t


def test_decision_task_start_to_close(timeouts: Timeouts) -> None:
    events = timeouts.wait_for("decision", "DecisionTaskTimedOut")
    attrs = assert_fired_after(events, "DecisionTaskTimedOut", "DecisionTaskStarted", 1)
    assert attrs == {"timeoutType": "START_TO_CLOSE", "scheduledEventId": 2, "startedEventId": 3}
    assert events[-1]["eventType"] == "DecisionTaskScheduled"
    swf = timeouts.swf
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.respond_decision_task_completed(taskToken=timeouts.armed["decision"].token)


def test_workflow_execution_start_to_close(timeouts: Timeouts) -> None:
    events = timeouts.wait_for("workflow", "WorkflowExecutionTimedOut")
    attrs = assert_fired_after(events, "WorkflowExecutionTimedOut", "WorkflowExecutionStarted", 1)
    assert attrs == {"timeoutType": "START_TO_CLOSE", "childPolicy": "TERMINATE"}
    assert events[-1]["eventType"] == "WorkflowExecutionTimedOut"
    info = timeouts.swf.describe_workflow_execution(
        domain=timeouts.domain, execution=timeouts.armed["workflow"].run
    )["executionInfo"]
    assert (info["executionStatus"], info["closeStatus"]) == ("CLOSED", "TIMED_OUT")


def test_activity_schedule_to_start(timeouts: Timeouts) -> None:
    events = timeouts.wait_for("schedule_to_start", "ActivityTaskTimedOut")
    attrs = assert_fired_after(events, "ActivityTaskTimedOut", "ActivityTaskScheduled", 1)
    assert attrs["timeoutType"] == "SCHEDULE_TO_START"
    assert attrs["startedEventId"] == 0
    assert events[-1]["eventType"] == "DecisionTaskScheduled"


def test_activity_schedule_to_close(timeouts: Timeouts) -> None:
    events = timeouts.wait_for("schedule_to_close", "ActivityTaskTimedOut")
    attrs = assert_fired_after(events, "ActivityTaskTimedOut", "ActivityTaskScheduled", 2)
    assert attrs["timeoutType"] == "SCHEDULE_TO_CLOSE"
    assert attrs["startedEventId"] == one(events, "ActivityTaskStarted")["eventId"]


def test_activity_start_to_close_and_the_late_answer(timeouts: Timeouts) -> None:
    events = timeouts.wait_for("start_to_close", "ActivityTaskTimedOut")
    attrs = assert_fired_after(events, "ActivityTaskTimedOut", "ActivityTaskStarted", 1)
    assert attrs["timeoutType"] == "START_TO_CLOSE"
    swf = timeouts.swf
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.respond_activity_task_completed(
            taskToken=timeouts.armed["start_to_close"].token, result="late"
        )


def test_activity_heartbeat(timeouts: Timeouts) -> None:
    events = timeouts.wait_for("heartbeat", "ActivityTaskTimedOut")
    # The heartbeat came right after the start, so the deadline is about a second after it.
    attrs = assert_fired_after(events, "ActivityTaskTimedOut", "ActivityTaskStarted", 1)
    assert attrs["timeoutType"] == "HEARTBEAT"
    assert attrs["details"] == "beat"
    swf = timeouts.swf
    with pytest.raises(swf.exceptions.UnknownResourceFault):
        swf.record_activity_task_heartbeat(taskToken=timeouts.armed["heartbeat"].token)


def test_timer(timeouts: Timeouts) -> None:
    events = timeouts.wait_for("timer", "TimerFired")
    attrs = assert_fired_after(events, "TimerFired", "TimerStarted", 1)
    assert attrs == {"timerId": "t1", "startedEventId": one(events, "TimerStarted")["eventId"]}
    assert events[-1]["eventType"] == "DecisionTaskScheduled"
