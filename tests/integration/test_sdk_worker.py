"""ActivityWorker against a real server: heartbeats, cancellation, graceful shutdown,
concurrency (threads and asyncio), failure reports. Nothing sleeps: tests wait for
conditions with deadlines."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openswf.sdk import (
    ActivityCancelled,
    ActivityContext,
    ActivityWorker,
    AsyncClient,
    Client,
    Registry,
    Timeouts,
    WorkflowType,
    activity,
    ensure_domain,
)
from openswf.sdk.history import get_history, poll_decision_task
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import unique

DEADLINE = 20.0


def wait_until(condition: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class CountingClient(Client):
    def __init__(self, endpoint: str) -> None:
        super().__init__(endpoint)
        self.heartbeats: list[str | None] = []

    def record_activity_task_heartbeat(self, *, taskToken: str, details: str | None = None) -> Any:
        self.heartbeats.append(details)
        return super().record_activity_task_heartbeat(taskToken=taskToken, details=details)


class Harness:
    """A domain, a workflow type, and a way to schedule activities by hand."""

    def __init__(self, endpoint: str, registry: Registry) -> None:
        self.client = Client(endpoint)
        self.domain = unique("sdk-worker")
        ensure_domain(self.client, self.domain)
        self.workflow = WorkflowType("w", task_list=unique("decisions"))
        self.workflow.register(self.client, self.domain)
        for item in registry:
            self.client.register_activity_type(**item.registration(self.domain))
        self.runs: dict[str, str] = {}
        self.decision_lists: dict[str, str] = {}

    def schedule(self, name: str, inputs: list[Any], task_list: str) -> str:
        workflow_id = unique("wf")
        # Each execution decides on a list of its own: a test answers its own tasks only.
        self.decision_lists[workflow_id] = unique("decisions")
        self.runs[workflow_id] = self.workflow.start(
            self.client, self.domain, workflow_id, task_list=self.decision_lists[workflow_id]
        )
        self.decide(
            workflow_id,
            [
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityType": {"name": name, "version": "1"},
                        "activityId": f"a{i}",
                        "taskList": {"name": task_list},
                        **({"input": value} if value is not None else {}),
                    },
                }
                for i, value in enumerate(inputs)
            ],
        )
        return workflow_id

    def decide(self, workflow_id: str, decisions: list[dict[str, Any]]) -> None:
        task_list = self.decision_lists[workflow_id]
        task = wait_until(
            lambda: poll_decision_task(self.client, self.domain, task_list, "test"),
            "a decision task",
        )
        self.client.respond_decision_task_completed(taskToken=task.task_token, decisions=decisions)  # type: ignore[arg-type]

    def events(self, workflow_id: str) -> list[str]:
        history = get_history(self.client, self.domain, workflow_id, self.runs[workflow_id])
        return [e["eventType"] for e in history]

    def attrs(self, workflow_id: str, event_type: str) -> dict[str, Any]:
        history = get_history(self.client, self.domain, workflow_id, self.runs[workflow_id])
        key = event_type[0].lower() + event_type[1:] + "EventAttributes"
        return next(dict(e[key]) for e in history if e["eventType"] == event_type)

    def wait_event(self, workflow_id: str, event_type: str, count: int = 1) -> None:
        wait_until(lambda: self.events(workflow_id).count(event_type) >= count, event_type)


@pytest.fixture
def stop_later() -> Iterator[list[ActivityWorker]]:
    workers: list[ActivityWorker] = []
    yield workers
    for worker in workers:
        worker.stop(timeout=10)


def test_heartbeats_on_an_interval_and_off_at_zero(
    server: LocalServer, stop_later: list[ActivityWorker]
) -> None:
    registry = Registry()
    beats = CountingClient(server.endpoint)

    @activity(name="beat", task_list="hb", registry=registry, timeouts=Timeouts(heartbeat=30))
    def beat() -> str:
        wait_until(lambda: len(beats.heartbeats) >= 3, "three heartbeats")
        return "done"

    @activity(name="quick", task_list="hb2", registry=registry, timeouts=Timeouts(heartbeat=30))
    def quick() -> str:
        return "ok"

    harness = Harness(server.endpoint, registry)
    worker = ActivityWorker(beats, harness.domain, "hb", registry, heartbeat_interval=0.05)
    stop_later.append(worker.start())
    wf = harness.schedule("beat", [None], "hb")
    harness.wait_event(wf, "ActivityTaskCompleted")
    assert len(beats.heartbeats) >= 3

    silent = CountingClient(server.endpoint)
    quiet = ActivityWorker(silent, harness.domain, "hb2", registry, heartbeat_interval=0)
    stop_later.append(quiet.start())
    wf2 = harness.schedule("quick", [None], "hb2")
    harness.wait_event(wf2, "ActivityTaskCompleted")
    assert silent.heartbeats == []


def test_cancellation_reaches_the_activity(
    server: LocalServer, stop_later: list[ActivityWorker]
) -> None:
    registry = Registry()
    started = threading.Event()

    @activity(name="long", task_list="cancel", registry=registry)
    def long(context: ActivityContext) -> str:
        started.set()
        wait_until(lambda: context.heartbeat("working"), "a cancel request")
        raise ActivityCancelled({"stopped_at": "step 3"})

    harness = Harness(server.endpoint, registry)
    worker = ActivityWorker(harness.client, harness.domain, "cancel", registry)
    stop_later.append(worker.start())
    wf = harness.schedule("long", [None], "cancel")
    assert started.wait(DEADLINE)
    harness.client.signal_workflow_execution(domain=harness.domain, workflowId=wf, signalName="go")
    harness.decide(
        wf,
        [
            {
                "decisionType": "RequestCancelActivityTask",
                "requestCancelActivityTaskDecisionAttributes": {"activityId": "a0"},
            }
        ],
    )
    harness.wait_event(wf, "ActivityTaskCanceled")
    assert '"step 3"' in harness.attrs(wf, "ActivityTaskCanceled")["details"]
    # The worker counts the cancel once its answer is back, which may be just after the
    # server recorded it.
    wait_until(lambda: worker.canceled == 1, "the worker to count the cancel")


def test_failures_are_reported_with_reason_and_trimmed_details(
    server: LocalServer, stop_later: list[ActivityWorker]
) -> None:
    registry = Registry()

    @activity(name="broken", task_list="fail", registry=registry)
    def broken(n: int) -> None:
        raise RuntimeError("bad " * 200 + str(n))

    harness = Harness(server.endpoint, registry)
    stop_later.append(ActivityWorker(harness.client, harness.domain, "fail", registry).start())
    wf = harness.schedule("broken", ["7"], "fail")
    harness.wait_event(wf, "ActivityTaskFailed")
    failed = harness.attrs(wf, "ActivityTaskFailed")
    assert failed["reason"].startswith("RuntimeError: bad bad") and len(failed["reason"]) <= 256
    assert "Traceback" in failed["details"] and "raise RuntimeError" in failed["details"]


@pytest.mark.parametrize("mode", ["threads", "asyncio"])
def test_concurrency(server: LocalServer, mode: str) -> None:
    registry = Registry()
    barrier = threading.Barrier(3, timeout=DEADLINE)

    if mode == "threads":

        @activity(name="together", task_list="conc", registry=registry)
        def together(n: int) -> int:
            barrier.wait()  # passes only when three tasks run at once
            return n

    else:
        arrived: list[int] = []

        @activity(name="together", task_list="conc", registry=registry)
        async def together_async(n: int) -> int:
            arrived.append(n)
            while len(arrived) < 3:  # all three on one loop at the same time
                await asyncio.sleep(0.01)
            return n

    harness = Harness(server.endpoint, registry)
    client: Client | AsyncClient = (
        harness.client if mode == "threads" else AsyncClient(server.endpoint)
    )
    worker = ActivityWorker(client, harness.domain, "conc", registry, concurrency=3)
    if mode == "threads":
        worker.start()
    else:
        threading.Thread(target=worker.run, kwargs={"install_signal_handlers": False}).start()
    try:
        wf = harness.schedule("together", ["1", "2", "3"], "conc")
        harness.wait_event(wf, "ActivityTaskCompleted", 3)
    finally:
        assert worker.stop(timeout=10)
    assert worker.completed == 3


def test_stop_lets_running_tasks_finish_and_leaves_no_poll() -> None:
    # A 60 s hold: a stop that waited for polls to end would take a minute.
    with LocalServer(settings=Settings(poll_timeout_s=60)) as server:
        registry = Registry()
        release = threading.Event()
        running = threading.Event()

        @activity(name="slow", task_list="stop", registry=registry)
        def slow() -> str:
            running.set()
            assert release.wait(DEADLINE)
            return "finished"

        harness = Harness(server.endpoint, registry)
        worker = ActivityWorker(harness.client, harness.domain, "stop", registry, concurrency=2)
        worker.start()
        wf = harness.schedule("slow", [None], "stop")
        assert running.wait(DEADLINE)
        began = time.monotonic()
        assert not worker.stop(wait=False)  # still running a task
        release.set()
        assert worker.join(10)
        assert time.monotonic() - began < 10
        harness.wait_event(wf, "ActivityTaskCompleted")
        # No poll of the stopped worker is left to take this one: the test's poll gets it.
        wf2 = harness.schedule("slow", [None], "stop")
        task = harness.client.poll_for_activity_task(
            domain=harness.domain, taskList={"name": "stop"}
        )
        assert task["workflowExecution"]["workflowId"] == wf2


WORKER_SCRIPT = """
import sys, threading
from openswf.sdk import ActivityWorker, Client, Registry, activity
registry = Registry()
release = threading.Event()

@activity(name="slow", task_list="sigterm", registry=registry)
def slow():
    print("RUNNING", flush=True)
    release.wait(30)
    return "finished after SIGTERM"

worker = ActivityWorker(Client(sys.argv[1]), sys.argv[2], "sigterm", registry)
import signal
previous = None
def on_term(signum, frame):
    release.set()
worker.run()
print("STOPPED", worker.completed, flush=True)
"""


def test_sigterm_stops_after_the_running_task(server: LocalServer, tmp_path: Path) -> None:
    registry = Registry()

    @activity(name="slow", task_list="sigterm", registry=registry)
    def slow() -> None: ...

    harness = Harness(server.endpoint, registry)
    script = tmp_path / "worker.py"
    # The activity ends once the worker's own SIGTERM handler has run (the stop flag is up).
    script.write_text(
        WORKER_SCRIPT.replace("release.wait(30)", "release.wait(0) or _wait_stop()").replace(
            "import sys, threading",
            "import sys, threading, time\n"
            "def _wait_stop():\n"
            "    deadline = time.monotonic() + 30\n"
            "    while not worker.stopping and time.monotonic() < deadline:\n"
            "        time.sleep(0.01)",
        )
    )
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    proc = subprocess.Popen(
        [sys.executable, str(script), server.endpoint, harness.domain],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        wf = harness.schedule("slow", [None], "sigterm")
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "RUNNING"
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=DEADLINE)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "STOPPED 1" in out
    harness.wait_event(wf, "ActivityTaskCompleted")
    assert "finished after SIGTERM" in harness.attrs(wf, "ActivityTaskCompleted")["result"]
