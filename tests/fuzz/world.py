"""Sets up the real things fuzzed requests refer to: domains, types, runs, task and page tokens."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import boto3
from botocore.config import Config

from tests.fuzz.requests import World, forgeries

_count = itertools.count()
SCHEDULE = {
    "decisionType": "ScheduleActivityTask",
    "scheduleActivityTaskDecisionAttributes": {
        "activityType": {"name": "act", "version": "1"},
        "activityId": "a1",
    },
}


def client(endpoint: str) -> Any:
    return boto3.client(
        "swf",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="AKIDFUZZ",
        aws_secret_access_key="secret",
        config=Config(read_timeout=30, retries={"max_attempts": 1}),
    )


def _domain(swf: Any, name: str) -> None:
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    for version in ("1", "2"):
        swf.register_workflow_type(
            domain=name,
            name="wf",
            version=version,
            defaultTaskList={"name": "decisions"},
            defaultExecutionStartToCloseTimeout="3600",
            defaultTaskStartToCloseTimeout="600",
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


def _start(swf: Any, domain: str) -> dict[str, str]:
    workflow_id = f"run-{uuid.uuid4().hex[:8]}"
    run = swf.start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType={"name": "wf", "version": "1"}
    )
    return {"workflowId": workflow_id, "runId": run["runId"]}


def page_tokens(swf: Any, domain: str, execution: dict[str, str]) -> list[str]:
    """Genuine page tokens of three different listings of ``domain``."""
    tokens = [
        swf.list_workflow_types(
            domain=domain, registrationStatus="REGISTERED", maximumPageSize=1
        ).get("nextPageToken"),
        swf.list_domains(registrationStatus="REGISTERED", maximumPageSize=1).get("nextPageToken"),
        swf.get_workflow_execution_history(
            domain=domain, execution=execution, maximumPageSize=1
        ).get("nextPageToken"),
    ]
    return [token for token in tokens if token]


def build(endpoint: str, other: World | None = None) -> World:
    """A fresh domain with two workflow types, an activity type, an open run holding a
    started decision task, an open run holding a started activity task, and a closed run."""
    swf = client(endpoint)
    name = f"fuzz-{next(_count)}-{uuid.uuid4().hex[:6]}"
    _domain(swf, name)
    if other is None:
        other_domain = name + "-other"
        _domain(swf, other_domain)
    else:
        other_domain = other.domain

    # An activity task, started: its token stays good until the run closes.
    _start(swf, name)
    task = swf.poll_for_decision_task(domain=name, taskList={"name": "decisions"})
    swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[SCHEDULE])
    activity_token = swf.poll_for_activity_task(domain=name, taskList={"name": "activities"})[
        "taskToken"
    ]
    # A decision task, started and left open; and a closed run.
    execution = _start(swf, name)
    decision_token = swf.poll_for_decision_task(domain=name, taskList={"name": "decisions"})[
        "taskToken"
    ]
    closed = _start(swf, name)
    swf.terminate_workflow_execution(domain=name, **closed)

    tokens = page_tokens(swf, name, execution)
    foreign = other.page_tokens if other is not None else []
    task_tokens = [decision_token, activity_token]
    if other is not None:
        task_tokens += other.task_tokens[:2]  # genuine, but of another domain's runs
    arn = swf.describe_domain(name=name)["domainInfo"]["arn"]

    def fresh_token(kind: str) -> str:
        _start(swf, name)
        task = swf.poll_for_decision_task(domain=name, taskList={"name": "decisions"})
        if kind == "decision":
            return str(task["taskToken"])
        swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=[SCHEDULE])
        return str(
            swf.poll_for_activity_task(domain=name, taskList={"name": "activities"})["taskToken"]
        )

    return World(
        domain=name,
        other_domain=other_domain,
        workflow_type={"name": "wf", "version": "1"},
        activity_type={"name": "act", "version": "1"},
        task_list="decisions",
        execution=execution,
        closed_execution=closed,
        task_tokens=task_tokens
        + [f for t in (decision_token, activity_token) for f in forgeries(t)],
        page_tokens=tokens + foreign + [f for t in tokens[:1] for f in forgeries(t)],
        arn=arn,
        fresh_token=fresh_token,
    )


def healthy(endpoint: str) -> None:
    """The server still answers /healthz and a normal call, after whatever it was sent."""
    import urllib.request

    with urllib.request.urlopen(endpoint + "/healthz", timeout=10) as response:
        assert response.status == 200
    swf = client(endpoint)
    name = f"after-{uuid.uuid4().hex[:8]}"
    swf.register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    assert swf.describe_domain(name=name)["domainInfo"]["status"] == "REGISTERED"
