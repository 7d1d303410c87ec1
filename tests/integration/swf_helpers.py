"""Small boto3 helpers shared by the integration tests of decisions between executions."""

from __future__ import annotations

import time
from typing import Any

WF = {"name": "wf", "version": "1"}
ACT = {"name": "act", "version": "1"}


def decision(decision_type: str, **attrs: Any) -> dict[str, Any]:
    member = decision_type[0].lower() + decision_type[1:] + "DecisionAttributes"
    return {"decisionType": decision_type, member: attrs}


def attributes(event: dict[str, Any]) -> dict[str, Any]:
    kind = event["eventType"]
    found: dict[str, Any] = event[kind[0].lower() + kind[1:] + "EventAttributes"]
    return found


def types_of(events: list[dict[str, Any]]) -> list[str]:
    return [event["eventType"] for event in events]


def poll_decision(swf: Any, domain: str, task_list: str = "decisions") -> dict[str, Any]:
    task = swf.poll_for_decision_task(domain=domain, taskList={"name": task_list})
    assert task.get("taskToken"), f"expected a decision task on {task_list}"
    return task


def decide(
    swf: Any, domain: str, decisions: list[dict[str, Any]], task_list: str = "decisions"
) -> dict[str, Any]:
    task = poll_decision(swf, domain, task_list)
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
    return task


def history(swf: Any, domain: str, run: dict[str, str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = swf.get_workflow_execution_history(domain=domain, execution=run)[
        "events"
    ]
    return events


def last(events: list[dict[str, Any]], event_type: str) -> dict[str, Any]:
    found = [e for e in events if e["eventType"] == event_type]
    assert found, f"no {event_type} in {types_of(events)}"
    return attributes(found[-1])


def start(swf: Any, domain: str, workflow_id: str, **kwargs: Any) -> dict[str, str]:
    run_id = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType=WF, **kwargs
    )["runId"]
    return {"workflowId": workflow_id, "runId": run_id}


def wait_for_event(
    swf: Any, domain: str, run: dict[str, str], event_type: str, timeout_s: float = 10.0
) -> list[dict[str, Any]]:
    """The run's history once it holds ``event_type``. Deliveries between executions (child
    starts and closes, external signals, child policies) are asynchronous, as in SWF."""
    deadline = time.monotonic() + timeout_s
    while True:
        events = history(swf, domain, run)
        if event_type in types_of(events):
            return events
        assert time.monotonic() < deadline, f"no {event_type} in {types_of(events)}"
        time.sleep(0.005)
