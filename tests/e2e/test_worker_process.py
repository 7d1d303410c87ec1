"""``openswf worker`` as operators run it: real processes for the server and the workers.

The worker starts before the domain exists and waits for it; it runs an example's
activities, its graph and the child graph's DynamicDecider; SIGTERM stops it cleanly after
its running task is finished and reported.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openswf.sdk import Client, WorkflowType, ensure_domain, wait_for_result
from openswf.sdk.history import get_history
from openswf.testing import free_port

ROOT = Path(__file__).resolve().parents[2]
OPENSWF = Path(sys.executable).parent / "openswf"

SLOW = """
import os, pathlib, time
from openswf.sdk import ActivityTask, DeciderSpec, WorkflowType, activity

@activity(name="slow.wait", version="1", task_list="slow")
def wait_for_go(context):
    gate = pathlib.Path(context.workflow_input["gate"])
    deadline = time.monotonic() + 60
    while not gate.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return "went" if gate.exists() else "gave up"

workflow_type = WorkflowType("slow", "1")
spec = DeciderSpec(domain="slow-domain", task_list="slow-decisions",
                   tasks=[ActivityTask(wait_for_go, id="wait")])
"""


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(OPENSWF), "server", "--port", str(port), "--db", f"sqlite:///{tmp_path / 's.db'}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    client = Client(endpoint)

    def answers() -> bool:
        try:
            client.list_domains(registrationStatus="REGISTERED")
            return True
        except Exception:
            return False

    try:
        wait_for(answers, 20, "the server to answer")
        yield endpoint
    finally:
        client.close()
        proc.terminate()
        proc.wait(20)


def start_worker(endpoint: str, *args: str, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [str(OPENSWF), "worker", *args, "--endpoint", endpoint],
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(30)


def test_worker_runs_an_example_with_a_child_graph(server: str, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    proc = start_worker(server, "examples/child.py", "--decider-concurrency", "1", log=log)
    try:
        client = Client(server)
        # The worker is up before the domain: it waits, then registers everything itself.
        wait_for(lambda: "waiting to start" in log.read_text(), 20, "the worker to wait")
        ensure_domain(client, "examples")
        kind = WorkflowType("child", "1")
        wait_for(lambda: "started after waiting" in log.read_text(), 20, "registration")

        def registered() -> bool:
            types = client.list_workflow_types(domain="examples", registrationStatus="REGISTERED")
            return len(types["typeInfos"]) == 2  # child/1 and openswf.dynamic/1

        wait_for(registered, 20, "the workflow types")
        run_id = kind.start(client, "examples", "child-e2e", {"order": "B-7"})
        result = wait_for_result(client, "examples", "child-e2e", run_id, timeout=60)
        assert result["notify"] == {"message": "order B-7: packed 3 items of B-7, shipped"}
        assert result["shipping"]["pack"] == "packed 3 items of B-7"  # the child graph's
    finally:
        code = stop(proc)
    text = log.read_text()
    assert code == 0, text
    assert "completed child.notify" in text and "decided child-e2e" in text
    assert text.rstrip().endswith("stopped")


def test_sigterm_lets_the_running_task_finish(server: str, tmp_path: Path) -> None:
    module = tmp_path / "slow.py"
    module.write_text(SLOW)
    gate = tmp_path / "gate"
    log = tmp_path / "worker.log"
    client = Client(server)
    ensure_domain(client, "slow-domain")
    proc = start_worker(server, str(module), log=log)
    try:
        wait_for(lambda: "DecisionWorker started" in log.read_text(), 20, "the worker")

        def type_registered() -> bool:
            types = client.list_workflow_types(
                domain="slow-domain", registrationStatus="REGISTERED"
            )
            return bool(types["typeInfos"])

        wait_for(type_registered, 20, "the workflow type")
        run_id = WorkflowType("slow", "1").start(
            client, "slow-domain", "slow-1", {"gate": str(gate)}
        )

        def kinds() -> list[str]:
            return [e["eventType"] for e in get_history(client, "slow-domain", "slow-1", run_id)]

        wait_for(lambda: "ActivityTaskStarted" in kinds(), 30, "the activity to start")
        proc.send_signal(signal.SIGTERM)
        wait_for(lambda: "stopping; running tasks finish" in log.read_text(), 10, "the stop")
        assert proc.poll() is None  # still running its task
        gate.touch()
        assert proc.wait(30) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "ActivityTaskCompleted" in kinds()  # reported before the worker exited
    assert "completed slow.wait" in log.read_text()
    client.close()
