"""The operator commands as real processes: the ``openswf`` console script, its environment
(OPENSWF_ENDPOINT, AWS_ENDPOINT_URL_SWF, OPENSWF_DOMAIN), exit codes, and a bulk terminate
confirmed on stdin, each checked through the API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openswf.testing import LocalServer
from tests.conftest import make_client

OPENSWF = Path(sys.executable).parent / "openswf"
WF = {"name": "wf", "version": "1"}


@pytest.fixture(scope="module")
def local() -> Iterator[LocalServer]:
    with LocalServer() as server:
        swf = make_client(server.endpoint)
        swf.register_domain(name="ops", workflowExecutionRetentionPeriodInDays="1")
        swf.register_workflow_type(
            domain="ops",
            name="wf",
            version="1",
            defaultTaskList={"name": "decisions"},
            defaultExecutionStartToCloseTimeout="600",
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
        yield server


def environment(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "OPENSWF_"))
    }
    env["COLUMNS"] = "200"
    env.update(extra)
    return env


def openswf(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(OPENSWF), *args], input=stdin, capture_output=True, text=True, env=env, timeout=60
    )


def test_endpoint_and_domain_from_the_environment(local: LocalServer) -> None:
    swf = make_client(local.endpoint)
    run_id = swf.start_workflow_execution(domain="ops", workflowId="env-run", workflowType=WF)[
        "runId"
    ]
    # OPENSWF_ENDPOINT wins over AWS_ENDPOINT_URL_SWF (here pointing nowhere).
    env = environment(
        OPENSWF_ENDPOINT=local.endpoint,
        AWS_ENDPOINT_URL_SWF="http://127.0.0.1:9",
        OPENSWF_DOMAIN="ops",
    )
    listed = openswf("workflow", "list", "--workflow-id", "env-run", "-o", "json", env=env)
    assert listed.returncode == 0, listed.stderr
    assert [i["execution"]["runId"] for i in json.loads(listed.stdout)] == [run_id]
    # AWS_ENDPOINT_URL_SWF alone is used too.
    env = environment(AWS_ENDPOINT_URL_SWF=local.endpoint)
    described = openswf("domain", "describe", "ops", "-o", "json", env=env)
    assert described.returncode == 0, described.stderr
    assert json.loads(described.stdout)["domainInfo"]["name"] == "ops"
    swf.terminate_workflow_execution(domain="ops", workflowId="env-run")


def test_wait_exits_with_the_close_status(local: LocalServer) -> None:
    swf = make_client(local.endpoint)
    run_id = swf.start_workflow_execution(domain="ops", workflowId="waited", workflowType=WF)[
        "runId"
    ]
    env = environment(OPENSWF_ENDPOINT=local.endpoint, OPENSWF_DOMAIN="ops")
    waiter = subprocess.Popen(
        [str(OPENSWF), "workflow", "wait", "waited", "-o", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        # It blocks while the run is open (it is still running after its first looks).
        with pytest.raises(subprocess.TimeoutExpired):
            waiter.wait(timeout=1.0)
        swf.terminate_workflow_execution(domain="ops", workflowId="waited", reason="enough")
        out, err = waiter.communicate(timeout=30)
    finally:
        waiter.kill()
    assert waiter.returncode == 5, err
    assert json.loads(out) == {
        "execution": {"workflowId": "waited", "runId": run_id},
        "closeStatus": "TERMINATED",
        "reason": "enough",
    }


def test_bulk_terminate_confirmed_on_stdin(local: LocalServer) -> None:
    swf = make_client(local.endpoint)
    for n in range(4):
        swf.start_workflow_execution(
            domain="ops", workflowId=f"proc-bulk-{n}", workflowType=WF, tagList=["proc-bulk"]
        )
    env = environment(OPENSWF_ENDPOINT=local.endpoint)
    args = ("workflow", "terminate", "--domain", "ops", "--tag", "proc-bulk", "-o", "json")
    refused = openswf(*args, env=env, stdin="n\n")
    assert refused.returncode == 1
    assert "4 open executions to terminate" in refused.stderr
    count = swf.count_open_workflow_executions(
        domain="ops", startTimeFilter={"oldestDate": 0}, tagFilter={"tag": "proc-bulk"}
    )
    assert count["count"] == 4
    done = openswf(*args, env=env, stdin="y\n")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # stdout is the report alone: preview and prompt on stderr
    assert report["matched"] == 4 and report["failed"] == []
    assert sorted(e["workflowId"] for e in report["succeeded"]) == [
        f"proc-bulk-{n}" for n in range(4)
    ]
    closed = swf.list_closed_workflow_executions(
        domain="ops",
        startTimeFilter={"oldestDate": 0},
        closeStatusFilter={"status": "TERMINATED"},
    )["executionInfos"]
    assert {i["execution"]["workflowId"] for i in closed} >= {f"proc-bulk-{n}" for n in range(4)}


def test_show_draws_in_a_real_terminal_width(local: LocalServer) -> None:
    swf: Any = make_client(local.endpoint)
    swf.start_workflow_execution(domain="ops", workflowId="drawn", workflowType=WF)
    env = environment(OPENSWF_ENDPOINT=local.endpoint, OPENSWF_DOMAIN="ops")
    shown = openswf("workflow", "show", "drawn", "--decisions", env=env)
    assert shown.returncode == 0, shown.stderr
    assert "decision-1" in shown.stdout and "scheduled" in shown.stdout
    swf.terminate_workflow_execution(domain="ops", workflowId="drawn")
