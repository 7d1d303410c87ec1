"""Parents with children and timers survive a kill -9 of the server.

A real `openswf server` process on an SQLite file; plain boto3 deciders in this process. Each
parent starts a timer and a child; each child starts a timer of its own and completes when it
fires. The server is killed with SIGKILL while every timer and child is pending, and started
again on the same file once the timers are past due. Then every timer fires exactly once, every
child completes, and every parent sees its child complete, once, and completes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from openswf.testing import free_port
from tests.conftest import check_histories

OPENSWF = Path(sys.executable).parent / "openswf"
HOST = "127.0.0.1"
DOMAIN = "restart"
WF = {"name": "wf", "version": "1"}
PARENTS = 4
DUE_S = 6  # every timer falls due this long after it is started
START_TIMEOUT_S = 20
SETTLE_S = 15  # after the restart, the time everything has to finish in


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def client(endpoint: str) -> Any:
    return check_histories(
        boto3.client(
            "swf",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="AKIDTEST",
            aws_secret_access_key="secret",
            config=Config(read_timeout=10, retries={"total_max_attempts": 1}),
        )
    )


class Server:
    def __init__(self, db: Path, log: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://{HOST}:{self.port}"
        self.log_path = log
        self._log = log.open("wb")
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENSWF_")}
        self.proc = subprocess.Popen(
            [str(OPENSWF), "server", "--host", HOST, "--port", str(self.port)]
            + ["--db", f"sqlite:///{db}", "--poll-timeout", "1"],
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"openswf exited at start-up:\n{self.logs()}")
            return healthy(self.port)

        wait_for(up, START_TIMEOUT_S, "the server to answer /healthz")
        self.swf = client(self.endpoint)

    def logs(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        assert self.proc.wait(timeout=10) == -signal.SIGKILL

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[[], Server]]:
    if not OPENSWF.exists():
        pytest.skip(f"the openswf command is not installed next to {sys.executable}")
    started: list[Server] = []

    def start() -> Server:
        server = Server(tmp_path / "restart.db", tmp_path / f"server-{len(started)}.log")
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.close()


# --- the deciders ---------------------------------------------------------------------------


def attrs(event: dict[str, Any]) -> dict[str, Any]:
    kind = event["eventType"]
    found: dict[str, Any] = event[kind[0].lower() + kind[1:] + "EventAttributes"]
    return found


def of_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [event for event in events if event["eventType"] == event_type]


def start_timer(timer_id: str) -> dict[str, Any]:
    return {
        "decisionType": "StartTimer",
        "startTimerDecisionAttributes": {"timerId": timer_id, "startToFireTimeout": str(DUE_S)},
    }


def complete(result: Any) -> dict[str, Any]:
    return {
        "decisionType": "CompleteWorkflowExecution",
        "completeWorkflowExecutionDecisionAttributes": {"result": json.dumps(result)},
    }


def child_id(parent_id: str) -> str:
    return f"{parent_id}-child"


def parent_decisions(workflow_id: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start a timer and a child at once; complete when both have come back."""
    if not of_type(events, "TimerStarted"):
        return [
            start_timer("parent-timer"),
            {
                "decisionType": "StartChildWorkflowExecution",
                "startChildWorkflowExecutionDecisionAttributes": {
                    "workflowType": WF,
                    "workflowId": child_id(workflow_id),
                    "taskList": {"name": "children"},
                    "input": workflow_id,
                },
            },
        ]
    children_done = of_type(events, "ChildWorkflowExecutionCompleted")
    if of_type(events, "TimerFired") and children_done:
        return [complete({"child": json.loads(attrs(children_done[0])["result"])})]
    return []  # still waiting for the other one


def child_decisions(workflow_id: str, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wait on a timer of its own, then complete."""
    if not of_type(events, "TimerStarted"):
        return [start_timer("child-timer")]
    if of_type(events, "TimerFired"):
        return [complete({"child": workflow_id, "waited": True})]
    return []


class Decider(threading.Thread):
    """Polls one task list and answers with ``decide`` until stopped. A stop takes effect
    after the poll in flight (held at most the server's 1 s): no task is left half-handled."""

    def __init__(
        self,
        endpoint: str,
        task_list: str,
        decide: Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]],
    ) -> None:
        super().__init__(daemon=True, name=f"decider-{task_list}")
        self.swf = client(endpoint)
        self.task_list = task_list
        self.decide = decide
        self.stopping = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                task = self.swf.poll_for_decision_task(
                    domain=DOMAIN, taskList={"name": self.task_list}, identity=self.name
                )
                if not task.get("taskToken"):
                    continue
                workflow_id = task["workflowExecution"]["workflowId"]
                self.swf.respond_decision_task_completed(
                    taskToken=task["taskToken"], decisions=self.decide(workflow_id, task["events"])
                )
        except BaseException as error:  # reported by stop()
            self.error = error

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=15)
        assert not self.is_alive(), f"{self.name} did not stop"
        if self.error is not None:
            raise AssertionError(f"{self.name} failed") from self.error


class Deciders:
    def __init__(self, endpoint: str) -> None:
        self.threads = [
            Decider(endpoint, "parents", parent_decisions),
            Decider(endpoint, "children", child_decisions),
        ]
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        for thread in self.threads:
            thread.stop()


# --- the test -------------------------------------------------------------------------------


def register(swf: Any) -> None:
    swf.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=DOMAIN,
        name=WF["name"],
        version=WF["version"],
        defaultTaskList={"name": "parents"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )


def run_of(swf: Any, workflow_id: str) -> dict[str, str] | None:
    """The one run of ``workflow_id``, if it has started."""
    for listing in (swf.list_open_workflow_executions, swf.list_closed_workflow_executions):
        infos = listing(
            domain=DOMAIN,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
        )["executionInfos"]
        if infos:
            assert len(infos) == 1, infos
            execution: dict[str, str] = infos[0]["execution"]
            return execution
    return None


def history(swf: Any, workflow_id: str) -> list[dict[str, Any]]:
    run = run_of(swf, workflow_id)
    if run is None:
        return []
    pages = swf.get_paginator("get_workflow_execution_history").paginate(
        domain=DOMAIN, execution=run
    )
    return [event for page in pages for event in page["events"]]


def histories(swf: Any, workflow_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    return {workflow_id: history(swf, workflow_id) for workflow_id in workflow_ids}


def count(events: list[dict[str, Any]], event_type: str) -> int:
    return len(of_type(events, event_type))


def armed(swf: Any, parents: list[str]) -> bool:
    """Every parent has its timer and its started child; every child has its timer."""
    children = histories(swf, [child_id(p) for p in parents])
    parent_events = histories(swf, parents)
    return all(
        count(events, "TimerStarted") == 1 and count(events, "ChildWorkflowExecutionStarted") == 1
        for events in parent_events.values()
    ) and all(count(events, "TimerStarted") == 1 for events in children.values())


def closed(swf: Any, workflow_ids: list[str]) -> bool:
    found = swf.list_closed_workflow_executions(domain=DOMAIN, startTimeFilter={"oldestDate": 0})
    done = {info["execution"]["workflowId"] for info in found["executionInfos"]}
    return set(workflow_ids) <= done


def test_timers_and_children_pending_at_a_kill_complete_once_after_restart(
    servers: Callable[[], Server],
) -> None:
    first = servers()
    register(first.swf)
    parents = [f"parent-{i}" for i in range(PARENTS)]
    children = [child_id(p) for p in parents]
    for parent in parents:
        first.swf.start_workflow_execution(
            domain=DOMAIN, workflowId=parent, workflowType=WF, input=parent
        )
    deciders = Deciders(first.endpoint)
    try:
        wait_for(lambda: armed(first.swf, parents), 10, "every timer and child to start")
    finally:
        deciders.stop()

    before = histories(first.swf, parents + children)
    started_at = [
        event["eventTimestamp"].timestamp()
        for events in before.values()
        for event in of_type(events, "TimerStarted")
    ]
    assert len(started_at) == 2 * PARENTS
    assert not any(count(events, "TimerFired") for events in before.values()), (
        f"a timer fired before the kill: arming took longer than {DUE_S} s"
    )
    assert not any(count(events, "ChildWorkflowExecutionCompleted") for events in before.values())
    first.kill()

    latest_due = max(started_at) + DUE_S
    wait_for(lambda: time.time() >= latest_due + 0.2, DUE_S + 5, "every timer to be past due")

    restarted_at = time.time()  # before the second server starts: nothing fires before it
    second = servers()
    deciders = Deciders(second.endpoint)
    try:
        wait_for(
            lambda: closed(second.swf, parents + children),
            SETTLE_S,
            "every parent and child to close",
        )
    finally:
        deciders.stop()

    after = histories(second.swf, parents + children)
    for workflow_id, events in after.items():
        timer_id = "child-timer" if workflow_id in children else "parent-timer"
        fired = [attrs(e)["timerId"] for e in of_type(events, "TimerFired")]
        assert fired == [timer_id], f"{workflow_id}: {fired}"
        [timer_started] = of_type(events, "TimerStarted")
        [timer_fired] = of_type(events, "TimerFired")
        assert attrs(timer_fired)["startedEventId"] == timer_started["eventId"]
        # It fell due while the server was down, and fired after the restart.
        assert timer_fired["eventTimestamp"].timestamp() >= restarted_at
        assert events[-1]["eventType"] == "WorkflowExecutionCompleted", workflow_id
        assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))

    for parent in parents:
        events = after[parent]
        assert count(events, "StartChildWorkflowExecutionInitiated") == 1
        [started] = of_type(events, "ChildWorkflowExecutionStarted")
        [completed] = of_type(events, "ChildWorkflowExecutionCompleted")
        child = attrs(started)["workflowExecution"]
        assert child["workflowId"] == child_id(parent)
        assert attrs(completed)["workflowExecution"] == child
        assert attrs(completed)["startedEventId"] == started["eventId"]
        expected = {"child": child_id(parent), "waited": True}
        assert json.loads(attrs(completed)["result"]) == expected
        assert json.loads(attrs(events[-1])["result"]) == {"child": expected}
        assert count(events, "ChildWorkflowExecutionFailed") == 0

        child_events = after[child_id(parent)]
        assert attrs(child_events[0])["parentWorkflowExecution"]["workflowId"] == parent
        info = second.swf.describe_workflow_execution(domain=DOMAIN, execution=child)
        assert info["executionInfo"]["closeStatus"] == "COMPLETED"
        assert info["executionInfo"]["parent"]["workflowId"] == parent
    assert "Traceback" not in first.logs() + second.logs()
