"""The promise of openswf.testing: on a manual clock, a workflow that waits 30 days on a timer
and then lets an activity run into its 1-hour timeout runs in a test in well under a second."""

from __future__ import annotations

import time
from typing import Any

import pytest

from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import make_client

DAY = 86_400
HOUR = 3_600
WF = {"name": "monthly", "version": "1"}
ACT = {"name": "report", "version": "1"}
BUDGET_S = 1.0


def decide(swf: Any, decisions: list[dict[str, Any]]) -> list[str]:
    """Take the next decision task, answer it, and return the new event types it carried."""
    task = swf.poll_for_decision_task(domain="clock", taskList={"name": "decisions"})
    assert task.get("taskToken"), "no decision task"
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
    previous = task["previousStartedEventId"]
    return [e["eventType"] for e in task["events"] if e["eventId"] > previous]


def schedule_report(activity_id: str) -> dict[str, Any]:
    return {
        "decisionType": "ScheduleActivityTask",
        "scheduleActivityTaskDecisionAttributes": {
            "activityType": ACT,
            "activityId": activity_id,
            "startToCloseTimeout": str(HOUR),
        },
    }


def test_a_thirty_day_timer_and_a_one_hour_timeout_run_in_well_under_a_second(
    db_url: str,
) -> None:
    clock = ManualClock()
    with LocalServer(db_url, settings=Settings(poll_timeout_s=0.5), clock=clock) as server:
        swf = make_client(server.endpoint)
        swf.register_domain(name="clock", workflowExecutionRetentionPeriodInDays="7")
        swf.register_workflow_type(
            domain="clock",
            name=WF["name"],
            version=WF["version"],
            defaultTaskList={"name": "decisions"},
            defaultExecutionStartToCloseTimeout=str(60 * DAY),
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
        swf.register_activity_type(
            domain="clock",
            name=ACT["name"],
            version=ACT["version"],
            defaultTaskList={"name": "reports"},
            defaultTaskScheduleToStartTimeout="NONE",
            defaultTaskScheduleToCloseTimeout="NONE",
            defaultTaskStartToCloseTimeout=str(HOUR),
            defaultTaskHeartbeatTimeout="NONE",
        )
        began_ms = clock.now_ms()
        began = time.perf_counter()

        run = {
            "workflowId": "month-end",
            "runId": swf.start_workflow_execution(
                domain="clock", workflowId="month-end", workflowType=WF
            )["runId"],
        }
        wait_a_month = {
            "decisionType": "StartTimer",
            "startTimerDecisionAttributes": {
                "timerId": "month",
                "startToFireTimeout": str(30 * DAY),
            },
        }
        assert "WorkflowExecutionStarted" in decide(swf, [wait_a_month])

        server.advance(30 * DAY)
        assert "TimerFired" in decide(swf, [schedule_report("report-1")])

        # The worker takes the task and hangs: an hour later the server times it out.
        stuck = swf.poll_for_activity_task(domain="clock", taskList={"name": "reports"})
        assert stuck["activityId"] == "report-1"
        server.advance(HOUR - 1)
        assert (
            swf.count_pending_decision_tasks(domain="clock", taskList={"name": "decisions"})[
                "count"
            ]
            == 0
        )
        server.advance(1)
        assert "ActivityTaskTimedOut" in decide(swf, [schedule_report("report-2")])
        with pytest.raises(swf.exceptions.UnknownResourceFault):
            swf.respond_activity_task_completed(taskToken=stuck["taskToken"], result="late")

        task = swf.poll_for_activity_task(domain="clock", taskList={"name": "reports"})
        assert task["activityId"] == "report-2"
        swf.respond_activity_task_completed(taskToken=task["taskToken"], result="done")
        complete = {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": "done"},
        }
        assert "ActivityTaskCompleted" in decide(swf, [complete])

        elapsed = time.perf_counter() - began
        info = swf.describe_workflow_execution(domain="clock", execution=run)["executionInfo"]
        assert info["closeStatus"] == "COMPLETED"
        simulated = info["closeTimestamp"].timestamp() - began_ms / 1000
        assert simulated >= 30 * DAY + HOUR
        events = swf.get_workflow_execution_history(domain="clock", execution=run)["events"]
        types = [e["eventType"] for e in events]
        assert types.count("TimerFired") == 1
        assert types.count("ActivityTaskTimedOut") == 1
        assert elapsed < BUDGET_S, f"30 days and an hour took {elapsed:.3f} s of real time"
