"""simpleflow (botify-labs, from PyPI, unchanged) runs a workflow on openswf to completion.

`simpleflow standalone` starts a decider process and an activity-worker process, starts the
execution and watches it until it closes. It reaches openswf only through
AWS_ENDPOINT_URL_SWF. The domain is registered beforehand with boto3, as simpleflow never
registers domains; the workflow and activity types are registered by simpleflow itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from openswf.testing import LocalServer
from tests.conftest import unique

SIMPLEFLOW = Path(sys.executable).parent / "simpleflow"
APP_DIR = Path(__file__).parent  # holds the simpleflow_app package
WORKFLOW = "simpleflow_app.arithmetic.IncrementThenDouble"
RUN_TIMEOUT_S = 45


def _env(endpoint: str, home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update(
        # simpleflow reads ~/.swf for credentials and region when it exists: keep it empty.
        HOME=str(home),
        PYTHONPATH=os.pathsep.join(filter(None, [str(APP_DIR), env.get("PYTHONPATH")])),
        AWS_ENDPOINT_URL_SWF=endpoint,
        AWS_ACCESS_KEY_ID="AKIDTEST",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(home / "aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / "aws-credentials"),
        AWS_EC2_METADATA_DISABLED="true",
        SIMPLEFLOW_DISABLE_SETPROCTITLE="1",
        LOG_LEVEL="INFO",
    )
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run in its own process group, so the decider and worker children simpleflow forks are
    ended with it whatever happens."""
    proc = subprocess.Popen(
        args,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        try:
            out, err = proc.communicate(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate(timeout=10)
            pytest.fail(f"simpleflow did not finish in {RUN_TIMEOUT_S} s\n{err[-5000:]}")
        return subprocess.CompletedProcess(args, proc.returncode, out, err)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of the group only
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_simpleflow_standalone_runs_a_two_activity_workflow(
    server: LocalServer, swf: Any, tmp_path: Path
) -> None:
    if not SIMPLEFLOW.exists():
        pytest.skip(f"simpleflow is not installed next to {sys.executable}")
    domain = unique("simpleflow")
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    workflow_id = unique("increment-then-double")

    done = _run(
        [
            str(SIMPLEFLOW),
            "standalone",
            "--domain",
            domain,
            "--workflow-id",
            workflow_id,
            "--input",
            json.dumps({"args": [20]}),
            "--nb-deciders",
            "1",
            "--nb-workers",
            "1",
            WORKFLOW,
        ],
        _env(server.endpoint, tmp_path),
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    assert f"execution {workflow_id} finished" in done.stderr

    closed = swf.list_closed_workflow_executions(
        domain=domain,
        startTimeFilter={"oldestDate": 0},
        executionFilter={"workflowId": workflow_id},
    )["executionInfos"]
    assert len(closed) == 1
    assert closed[0]["closeStatus"] == "COMPLETED"
    assert closed[0]["workflowType"] == {"name": "increment_then_double", "version": "1"}
    events = swf.get_workflow_execution_history(domain=domain, execution=closed[0]["execution"])[
        "events"
    ]
    assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
    last = events[-1]
    assert last["eventType"] == "WorkflowExecutionCompleted"
    result = json.loads(last["workflowExecutionCompletedEventAttributes"]["result"])
    assert result == {"x": 20, "incremented": 21, "doubled": 42}

    # Both activities ran through openswf's task lists, once each, in order.
    completed = [e for e in events if e["eventType"] == "ActivityTaskCompleted"]
    scheduled = {
        e["eventId"]: e["activityTaskScheduledEventAttributes"]
        for e in events
        if e["eventType"] == "ActivityTaskScheduled"
    }
    names = [
        scheduled[e["activityTaskCompletedEventAttributes"]["scheduledEventId"]]["activityType"][
            "name"
        ]
        for e in completed
    ]
    assert names == ["simpleflow_app.arithmetic.increment", "simpleflow_app.arithmetic.double"]
    assert [json.loads(e["activityTaskCompletedEventAttributes"]["result"]) for e in completed] == [
        21,
        42,
    ]
    # simpleflow registered its types itself, on openswf.
    activity_types = swf.list_activity_types(domain=domain, registrationStatus="REGISTERED")
    assert {t["activityType"]["name"] for t in activity_types["typeInfos"]} == set(names)
