"""The AWS CLI, unchanged, against openswf: a whole workflow driven by `aws swf ...` commands.

Each command is a real `aws` subprocess pointed at the server with AWS_ENDPOINT_URL_SWF, so
this covers what botocore does for the CLI on top of boto3: auto-pagination of
`poll-for-decision-task` and `get-workflow-execution-history`, shorthand arguments, JSON
decisions, and the exit code and stderr of a fault.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openswf.testing import LocalServer
from tests.conftest import unique

AWS = Path(sys.executable).parent / "aws"
CLI_TIMEOUT_S = 30  # one command; empty polls are held 1 s by the session server


def _cli_env(endpoint: str, home: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AWS_") and key not in {"HOME"}
    }
    env.update(
        HOME=str(home),
        AWS_ENDPOINT_URL_SWF=endpoint,
        AWS_ACCESS_KEY_ID="AKIDTEST",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_DEFAULT_REGION="us-east-1",
        # Keep the user's own configuration and the instance metadata service out of it.
        AWS_CONFIG_FILE=str(home / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_PAGER="",
    )
    return env


class Cli:
    def __init__(self, endpoint: str, home: Path) -> None:
        self.env = _cli_env(endpoint, home)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(AWS), "swf", *args, "--output", "json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
            check=False,
        )

    def __call__(self, *args: str) -> dict[str, Any]:
        done = self.run(*args)
        assert done.returncode == 0, f"aws swf {args[0]} failed: {done.stderr}"
        out = done.stdout.strip()
        return json.loads(out) if out else {}


@pytest.fixture
def cli(server: LocalServer, tmp_path: Path) -> Cli:
    if not AWS.exists():
        pytest.skip(f"the AWS CLI is not installed next to {sys.executable}")
    return Cli(server.endpoint, tmp_path)


def _types(events: list[dict[str, Any]]) -> list[str]:
    return [event["eventType"] for event in events]


def test_whole_workflow_through_the_aws_cli(cli: Cli) -> None:
    domain = unique("cli")
    run = cli(
        "register-domain",
        "--name",
        domain,
        "--workflow-execution-retention-period-in-days",
        "1",
    )
    assert run == {}  # a void operation: empty body, nothing printed
    cli(
        "register-workflow-type",
        "--domain",
        domain,
        "--name",
        "wf",
        "--workflow-version",
        "1",
        "--default-task-list",
        "name=cli-decisions",
        "--default-execution-start-to-close-timeout",
        "3600",
        "--default-task-start-to-close-timeout",
        "60",
        "--default-child-policy",
        "TERMINATE",
    )
    cli(
        "register-activity-type",
        "--domain",
        domain,
        "--name",
        "act",
        "--activity-version",
        "1",
        "--default-task-list",
        "name=cli-activities",
        "--default-task-schedule-to-start-timeout",
        "600",
        "--default-task-schedule-to-close-timeout",
        "1200",
        "--default-task-start-to-close-timeout",
        "600",
        "--default-task-heartbeat-timeout",
        "NONE",
    )
    workflow_id = unique("cli-run")
    started = cli(
        "start-workflow-execution",
        "--domain",
        domain,
        "--workflow-id",
        workflow_id,
        "--workflow-type",
        "name=wf,version=1",
        "--input",
        "21",
    )
    execution = {"workflowId": workflow_id, "runId": started["runId"]}
    execution_arg = f"workflowId={workflow_id},runId={started['runId']}"

    # Pages of 2 events: the CLI repeats the poll with nextPageToken and every other argument
    # unchanged, and must get the rest of the *same* task, not claim a new one.
    task = cli(
        "poll-for-decision-task",
        "--domain",
        domain,
        "--task-list",
        "name=cli-decisions",
        "--identity",
        "cli-decider",
        "--page-size",
        "2",
    )
    assert task["taskToken"]
    assert task["workflowExecution"] == execution
    assert task["workflowType"] == {"name": "wf", "version": "1"}
    assert task["previousStartedEventId"] == 0
    assert _types(task["events"]) == [
        "WorkflowExecutionStarted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    assert task["startedEventId"] == 3
    assert [e["eventId"] for e in task["events"]] == [1, 2, 3]
    assert "nextPageToken" not in task
    schedule = [
        {
            "decisionType": "ScheduleActivityTask",
            "scheduleActivityTaskDecisionAttributes": {
                "activityType": {"name": "act", "version": "1"},
                "activityId": "double",
                "input": "21",
            },
        }
    ]
    cli(
        "respond-decision-task-completed",
        "--task-token",
        task["taskToken"],
        "--decisions",
        json.dumps(schedule),
    )

    activity = cli(
        "poll-for-activity-task",
        "--domain",
        domain,
        "--task-list",
        "name=cli-activities",
        "--identity",
        "cli-worker",
    )
    assert activity["taskToken"]
    assert activity["activityId"] == "double"
    assert activity["activityType"] == {"name": "act", "version": "1"}
    assert activity["input"] == "21"
    assert activity["workflowExecution"] == execution
    cli(
        "respond-activity-task-completed",
        "--task-token",
        activity["taskToken"],
        "--result",
        str(int(activity["input"]) * 2),
    )

    task = cli(
        "poll-for-decision-task",
        "--domain",
        domain,
        "--task-list",
        "name=cli-decisions",
        "--identity",
        "cli-decider",
        "--page-size",
        "2",
    )
    events = task["events"]
    assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
    assert _types(events)[-3:] == [
        "ActivityTaskCompleted",
        "DecisionTaskScheduled",
        "DecisionTaskStarted",
    ]
    # Paging claimed nothing new: exactly two decision tasks were ever started.
    assert _types(events).count("DecisionTaskStarted") == 2
    assert task["startedEventId"] == events[-1]["eventId"]
    assert task["previousStartedEventId"] == 3
    completed = [e for e in events if e["eventType"] == "ActivityTaskCompleted"]
    assert completed[0]["activityTaskCompletedEventAttributes"]["result"] == "42"
    finish = [
        {
            "decisionType": "CompleteWorkflowExecution",
            "completeWorkflowExecutionDecisionAttributes": {"result": "42"},
        }
    ]
    cli(
        "respond-decision-task-completed",
        "--task-token",
        task["taskToken"],
        "--decisions",
        json.dumps(finish),
    )

    history = cli(
        "get-workflow-execution-history",
        "--domain",
        domain,
        "--execution",
        execution_arg,
        "--page-size",
        "3",
    )["events"]
    assert [e["eventId"] for e in history] == list(range(1, len(history) + 1))
    assert history[: len(events)] == events
    assert _types(history)[len(events) :] == [
        "DecisionTaskCompleted",
        "WorkflowExecutionCompleted",
    ]
    assert history[-1]["workflowExecutionCompletedEventAttributes"]["result"] == "42"
    info = cli("describe-workflow-execution", "--domain", domain, "--execution", execution_arg)[
        "executionInfo"
    ]
    assert info["executionStatus"] == "CLOSED"
    assert info["closeStatus"] == "COMPLETED"


def test_unknown_domain_is_a_fault_on_stderr_and_a_failed_exit(cli: Cli) -> None:
    done = cli.run("describe-domain", "--name", unique("no-such-domain"))
    assert done.returncode != 0
    assert "UnknownResourceFault" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
