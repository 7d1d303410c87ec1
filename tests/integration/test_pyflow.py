"""pyflow (PyPI pyflow-swf 2.0.0, unchanged) runs procedural workflows on openswf.

pyflow's decider (``pyflow.poll_for_executions``) runs as a process of its own and finds the
server through AWS_ENDPOINT_URL_SWF; it registers its workflow types itself. pyflow ships no
activity worker, so a plain boto3 worker process runs the activities
(tests/integration/pyflow_app/). Executions are started and read back with pyflow's own client
functions (``start_workflow``, ``get_workflow_status``) and checked in the history with boto3.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from openswf.testing import LocalServer
from tests.conftest import unique
from tests.integration.swf_helpers import attributes, types_of

pyflow = pytest.importorskip("pyflow", reason="pyflow-swf is not installed")

APP_DIR = Path(__file__).parent  # holds the pyflow_app package
START_TIMEOUT_S = 30
RUN_TIMEOUT_S = 30
# pyflow.start_workflow always sends lambdaRole (None is refused by botocore's validation).
LAMBDA_ROLE = "arn:aws:iam::123456789012:role/swf-lambda"
ACTIVITIES = ("increment", "double", "explode")
WORKFLOWS = (
    "SequenceThenParallel",
    "DoubleChild",
    "IncrementThenChild",
    "RejectsLargeInput",
    "CallsFailingActivity",
)


def _env(endpoint: str, home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        PYTHONPATH=os.pathsep.join(filter(None, [str(APP_DIR), env.get("PYTHONPATH")])),
        PYTHONUNBUFFERED="1",
        AWS_ENDPOINT_URL_SWF=endpoint,
        AWS_ACCESS_KEY_ID="AKIDTEST",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(home / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


@dataclass
class App:
    swf: Any
    domain: str
    decisions: str
    processes: dict[str, subprocess.Popen[bytes]]
    logs: dict[str, Path]

    def output(self) -> str:
        return "\n".join(
            f"--- {name}:\n{path.read_text(errors='replace')[-4000:]}"
            for name, path in self.logs.items()
        )

    def check_alive(self) -> None:
        for name, proc in self.processes.items():
            if proc.poll() is not None:
                raise AssertionError(
                    f"the pyflow {name} exited ({proc.returncode})\n{self.output()}"
                )


@pytest.fixture(scope="module")
def app(server: LocalServer, swf: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    home = tmp_path_factory.mktemp("pyflow")
    domain = unique("pyflow")
    decisions, activities = unique("pyflow-decisions"), unique("pyflow-activities")
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    for name in ACTIVITIES:  # pyflow schedules activities; it never registers their types
        swf.register_activity_type(
            domain=domain,
            name=name,
            version="1",
            defaultTaskList={"name": activities},
            defaultTaskScheduleToStartTimeout="60",
            defaultTaskScheduleToCloseTimeout="120",
            defaultTaskStartToCloseTimeout="60",
            defaultTaskHeartbeatTimeout="NONE",
        )
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs: dict[str, Path] = {}
    handles = []
    try:
        for name, task_list in (("decider", decisions), ("worker", activities)):
            logs[name] = home / f"{name}.log"
            handle = logs[name].open("wb")
            handles.append(handle)
            processes[name] = subprocess.Popen(
                [sys.executable, "-m", f"pyflow_app.{name}", domain, task_list],
                env=_env(server.endpoint, home),
                cwd=home,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        running = App(swf, domain, decisions, processes, logs)

        def registered() -> bool:
            running.check_alive()
            types = swf.list_workflow_types(domain=domain, registrationStatus="REGISTERED")
            return {t["workflowType"]["name"] for t in types["typeInfos"]} == set(WORKFLOWS)

        wait_for(registered, START_TIMEOUT_S, "the pyflow decider to register its workflow types")
        yield running
    finally:
        for proc in processes.values():
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=10)
        for handle in handles:
            handle.close()


@dataclass
class Finished:
    execution: dict[str, str]
    status: Any  # pyflow.WorkflowStatus
    events: list[dict[str, Any]]


def run(app: App, workflow: str, input: Any) -> Finished:
    execution = pyflow.start_workflow(
        domain=app.domain,
        workflow_name=workflow,
        workflow_version="1",
        task_list=app.decisions,
        lambda_role=LAMBDA_ROLE,
        input=json.dumps(input),
        client=app.swf,
    )

    def closed() -> Any:
        app.check_alive()
        status = pyflow.get_workflow_status(
            app.domain, execution["workflowId"], execution["runId"], client=app.swf
        )
        return status if status.execution_status == "CLOSED" else None

    try:
        status = wait_for(closed, RUN_TIMEOUT_S, f"{workflow} to close")
    except AssertionError as error:
        events = full_history(app.swf, app.domain, execution)
        raise AssertionError(f"{error}; history: {types_of(events)}\n{app.output()}") from None
    return Finished(execution, status, full_history(app.swf, app.domain, execution))


def full_history(swf: Any, domain: str, execution: dict[str, str]) -> list[dict[str, Any]]:
    pages = swf.get_paginator("get_workflow_execution_history").paginate(
        domain=domain, execution=execution
    )
    events = [event for page in pages for event in page["events"]]
    assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
    return events


def of_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["eventType"] == event_type]


def by_id(events: list[dict[str, Any]], event_id: int) -> dict[str, Any]:
    event = events[event_id - 1]
    assert event["eventId"] == event_id
    return event


def activity_results(events: list[dict[str, Any]]) -> dict[str, Any]:
    """activityId -> decoded result, for every completed activity."""
    found = {}
    for event in of_type(events, "ActivityTaskCompleted"):
        done = attributes(event)
        scheduled = attributes(by_id(events, done["scheduledEventId"]))
        found[scheduled["activityId"]] = json.loads(done["result"])
    return found


# --- the tests -------------------------------------------------------------------------------


def test_activities_in_sequence_then_in_parallel(app: App) -> None:
    done = run(app, "SequenceThenParallel", 3)
    assert done.status.close_status == "COMPLETED", done.status
    assert json.loads(done.status.result) == {"sequence": [4, 8], "parallel": [9, 10, 11]}

    events = done.events
    assert types_of(events)[-1] == "WorkflowExecutionCompleted"
    # One decision per step of the sequence; the three parallel activities in one decision.
    batches: dict[int, list[str]] = {}
    for event in of_type(events, "ActivityTaskScheduled"):
        scheduled = attributes(event)
        batches.setdefault(scheduled["decisionTaskCompletedEventId"], []).append(
            scheduled["activityId"]
        )
    assert list(batches.values()) == [
        ["activity1"],
        ["activity2"],
        ["activity3", "activity4", "activity5"],
    ]
    assert activity_results(events) == {
        "activity1": 4,
        "activity2": 8,
        "activity3": 9,
        "activity4": 10,
        "activity5": 11,
    }
    inputs = [json.loads(attributes(e)["input"]) for e in of_type(events, "ActivityTaskScheduled")]
    assert inputs == [3, 4, 8, 9, 10]


def test_a_child_workflow_runs_and_its_parent_sees_the_result(app: App) -> None:
    done = run(app, "IncrementThenChild", 5)
    assert done.status.close_status == "COMPLETED", done.status
    assert json.loads(done.status.result) == {"incremented": 6, "child": {"doubled": 12}}

    events = done.events
    [initiated] = of_type(events, "StartChildWorkflowExecutionInitiated")
    assert attributes(initiated)["workflowId"] == "child_workflow1"  # pyflow's invocation id
    assert attributes(initiated)["workflowType"] == {"name": "DoubleChild", "version": "1"}
    assert json.loads(attributes(initiated)["input"]) == 6
    [started] = of_type(events, "ChildWorkflowExecutionStarted")
    [completed] = of_type(events, "ChildWorkflowExecutionCompleted")
    child = attributes(started)["workflowExecution"]
    assert child["workflowId"] == "child_workflow1"
    assert attributes(started)["initiatedEventId"] == initiated["eventId"]
    assert attributes(completed)["workflowExecution"] == child
    assert attributes(completed)["initiatedEventId"] == initiated["eventId"]
    assert attributes(completed)["startedEventId"] == started["eventId"]
    assert json.loads(attributes(completed)["result"]) == {"doubled": 12}

    # The child ran on the decider's task list (pyflow registers it as the default) and is
    # linked to its parent.
    described = app.swf.describe_workflow_execution(domain=app.domain, execution=child)
    assert described["executionInfo"]["closeStatus"] == "COMPLETED"
    assert described["executionInfo"]["parent"] == done.execution
    assert described["executionConfiguration"]["taskList"] == {"name": app.decisions}
    child_events = full_history(app.swf, app.domain, child)
    child_start = attributes(child_events[0])
    assert child_start["parentWorkflowExecution"] == done.execution
    assert child_start["parentInitiatedEventId"] == initiated["eventId"]
    assert child_start["lambdaRole"] == LAMBDA_ROLE  # pyflow passes the parent's role down
    assert types_of(child_events)[-1] == "WorkflowExecutionCompleted"
    assert activity_results(child_events) == {"activity1": 12}


def test_workflow_code_fails_the_workflow_with_its_reason(app: App) -> None:
    done = run(app, "RejectsLargeInput", 20)
    assert done.status.close_status == "FAILED", done.status
    assert done.status.failure_reason == "TOO_LARGE"
    assert done.status.failure_details == "21 is over 10"

    events = done.events
    assert activity_results(events) == {"activity1": 21}
    failed = events[-1]
    assert failed["eventType"] == "WorkflowExecutionFailed"
    completed = by_id(events, attributes(failed)["decisionTaskCompletedEventId"])
    assert completed["eventType"] == "DecisionTaskCompleted"
    info = app.swf.describe_workflow_execution(domain=app.domain, execution=done.execution)
    assert info["executionInfo"]["executionStatus"] == "CLOSED"
    assert info["executionInfo"]["closeStatus"] == "FAILED"


def test_an_activity_failure_raised_in_workflow_code_fails_the_workflow(app: App) -> None:
    done = run(app, "CallsFailingActivity", 3)
    assert done.status.close_status == "FAILED", done.status

    events = done.events
    [activity_failed] = of_type(events, "ActivityTaskFailed")
    assert attributes(activity_failed)["reason"] == "Refused"
    assert attributes(activity_failed)["details"] == "cannot handle 3"
    # pyflow turns the exception nobody caught into FailWorkflowExecution with the traceback.
    assert done.status.failure_reason == (
        "Caught exception while executing workflow ('CallsFailingActivity', '1')"
    )
    assert "InvocationFailedException: Refused: cannot handle 3" in done.status.failure_details
    assert events[-1]["eventType"] == "WorkflowExecutionFailed"
    assert events[-1]["eventId"] > activity_failed["eventId"]
