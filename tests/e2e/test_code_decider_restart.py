"""A code workflow's decider process is killed (SIGKILL) while the workflow waits; a new
decider process, which knows nothing but the history, finishes it. Real processes: the
decider and the activity worker run as their own Python processes against a server over
HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openswf.sdk import Client, ensure_domain
from openswf.sdk.converter import dumps, loads
from openswf.sdk.history import attributes, get_history
from openswf.testing import LocalServer
from tests.unit.sdk import code_workflows as app

SCRIPT = Path(__file__).with_name("code_processes.py")


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def spawn(kind: str, endpoint: str, domain: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), kind, endpoint, domain],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_killed_decider_is_replaced_and_the_workflow_finishes() -> None:
    with LocalServer() as server:
        client = Client(server.endpoint)
        domain = f"restart-{os.getpid()}"
        ensure_domain(client, domain)
        for cls in app.ALL:
            cls.workflow_type().register(client, domain)
        for item in app.registry:
            client.register_activity_type(**item.registration(domain))
        worker = spawn("worker", server.endpoint, domain)
        decider = spawn("decider", server.endpoint, domain)
        processes = [worker, decider]
        try:
            cls = app.Resumable
            run_id = client.start_workflow_execution(
                domain=domain,
                workflowId="resumable",
                workflowType={"name": cls.name, "version": cls.version},
                input=dumps(cls.input_of(4)),
            )["runId"]

            def kinds() -> list[str]:
                return [e["eventType"] for e in get_history(client, domain, "resumable", run_id)]

            # The first activity completed and the decider answered the task that saw it:
            # the workflow now waits for the signal.
            wait_for(
                lambda: (
                    "ActivityTaskCompleted" in kinds() and kinds()[-1] == "DecisionTaskCompleted"
                ),
                "the first activity and its decision",
            )
            decider.send_signal(signal.SIGKILL)
            decider.wait(10)
            client.signal_workflow_execution(
                domain=domain, workflowId="resumable", signalName="continue", input=dumps(3)
            )
            replacement = spawn("decider", server.endpoint, domain)
            processes.append(replacement)
            wait_for(lambda: kinds()[-1] == "WorkflowExecutionCompleted", "the end", 60)
            events = get_history(client, domain, "resumable", run_id)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
    assert loads(attributes(events[-1])["result"]) == (4 + 1 + 3) * 2
    scheduled = [e for e in events if e["eventType"] == "ActivityTaskScheduled"]
    assert len(scheduled) == 2  # nothing was scheduled twice
