"""``openswf server`` as a process: /readyz and /metrics answer, and the label bound set on the
command line holds."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from openswf.testing import free_port
from tests.conftest import make_client

OPENSWF = Path(sys.executable).parent / "openswf"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError:
        return 0, ""


def test_server_process_serves_readiness_and_bounded_metrics(tmp_path: Path) -> None:
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            str(OPENSWF),
            "server",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{tmp_path / 'm.db'}",
            "--metrics-max-task-lists",
            "1",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while get(f"{endpoint}/readyz")[0] != 200:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, "the server never got ready"
            time.sleep(0.05)
        swf = make_client(endpoint)
        swf.register_domain(name="p", workflowExecutionRetentionPeriodInDays="1")
        wf = {"name": "wf", "version": "1"}
        swf.register_workflow_type(
            domain="p",
            name="wf",
            version="1",
            defaultExecutionStartToCloseTimeout="600",
            defaultTaskStartToCloseTimeout="60",
            defaultChildPolicy="TERMINATE",
        )
        for n, task_list in enumerate(("alpha", "beta", "gamma")):
            swf.start_workflow_execution(
                domain="p", workflowId=f"w{n}", workflowType=wf, taskList={"name": task_list}
            )
        status, text = get(f"{endpoint}/metrics")
        assert status == 200
        assert 'openswf_task_backlog{domain="p",kind="decision",task_list="alpha"} 1.0' in text
        assert 'openswf_task_backlog{domain="p",kind="decision",task_list="other"} 2.0' in text
        assert "openswf_executions_started_total 3.0" in text
        assert 'openswf_requests_total{fault="none",operation="StartWorkflowExecution"} 3.0' in text
    finally:
        proc.terminate()
        proc.wait(timeout=30)
