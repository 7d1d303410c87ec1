"""Timers are rows (DESIGN.md invariant 4): kill -9 the server before its timers and timeouts
fall due, start it again on the same file after they have, and each fires exactly once,
promptly after the start. Real `openswf server` processes, real clock."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
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
WF = {"name": "wf", "version": "1"}
ACT = {"name": "act", "version": "1"}
DUE_S = 5  # every timeout below is due this long after it is armed
START_TIMEOUT_S = 20


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


class Server:
    def __init__(self, db: Path, log: Path) -> None:
        self.port = free_port()
        self.db = db
        self._log = log.open("wb")
        self.log_path = log
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
        self.swf = check_histories(
            boto3.client(
                "swf",
                endpoint_url=f"http://{HOST}:{self.port}",
                region_name="us-east-1",
                aws_access_key_id="AKIDTEST",
                aws_secret_access_key="secret",
                config=Config(read_timeout=10, retries={"total_max_attempts": 1}),
            )
        )

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
        server = Server(tmp_path / "timers.db", tmp_path / f"server-{len(started)}.log")
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.close()


def history(swf: Any, run: dict[str, str]) -> list[dict[str, Any]]:
    pages = swf.get_paginator("get_workflow_execution_history").paginate(
        domain="restart", execution=run
    )
    return [event for page in pages for event in page["events"]]


def count(events: list[dict[str, Any]], event_type: str) -> int:
    return sum(1 for event in events if event["eventType"] == event_type)


def attrs(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    key = event_type[0].lower() + event_type[1:] + "EventAttributes"
    return [event[key] for event in events if event["eventType"] == event_type]


# What each run arms before the kill, and the events that must then appear exactly once.
EXPECTED: dict[str, dict[str, int]] = {
    "timers": {"TimerFired": 3},
    "schedule_to_start": {"ActivityTaskTimedOut": 1},
    "schedule_to_close": {"ActivityTaskTimedOut": 1},
    "start_to_close": {"ActivityTaskTimedOut": 1},
    "heartbeat": {"ActivityTaskTimedOut": 1},
    "decision": {"DecisionTaskTimedOut": 1},
    "workflow": {"WorkflowExecutionTimedOut": 1},
}
TIMEOUT_TYPE = {
    "schedule_to_start": "SCHEDULE_TO_START",
    "schedule_to_close": "SCHEDULE_TO_CLOSE",
    "start_to_close": "START_TO_CLOSE",
    "heartbeat": "HEARTBEAT",
}


def arm(swf: Any) -> dict[str, dict[str, str]]:
    swf.register_domain(name="restart", workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain="restart",
        name="wf",
        version="1",
        defaultTaskList={"name": "unused"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="600",
        defaultChildPolicy="TERMINATE",
    )
    swf.register_activity_type(
        domain="restart",
        name="act",
        version="1",
        defaultTaskScheduleToStartTimeout="600",
        defaultTaskScheduleToCloseTimeout="1200",
        defaultTaskStartToCloseTimeout="600",
        defaultTaskHeartbeatTimeout="NONE",
    )
    runs: dict[str, dict[str, str]] = {}

    def start(name: str, **kwargs: Any) -> str:
        run_id = swf.start_workflow_execution(
            domain="restart",
            workflowId=name,
            workflowType=WF,
            taskList={"name": f"d-{name}"},
            **kwargs,
        )["runId"]
        runs[name] = {"workflowId": name, "runId": run_id}
        task = swf.poll_for_decision_task(domain="restart", taskList={"name": f"d-{name}"})
        assert task["workflowExecution"] == runs[name]
        return str(task["taskToken"])

    def decide(name: str, decisions: list[dict[str, Any]]) -> None:
        swf.respond_decision_task_completed(taskToken=start(name), decisions=decisions)

    decide(
        "timers",
        [
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {"timerId": f"t{i}", "startToFireTimeout": t},
            }
            for i, t in enumerate([str(DUE_S), str(DUE_S), str(DUE_S + 1)])
        ],
    )
    for name, timeout in [
        ("schedule_to_start", {"scheduleToStartTimeout": str(DUE_S)}),
        ("schedule_to_close", {"scheduleToCloseTimeout": str(DUE_S)}),
        ("start_to_close", {"startToCloseTimeout": str(DUE_S)}),
        ("heartbeat", {"heartbeatTimeout": str(DUE_S)}),
    ]:
        decide(
            name,
            [
                {
                    "decisionType": "ScheduleActivityTask",
                    "scheduleActivityTaskDecisionAttributes": {
                        "activityType": ACT,
                        "activityId": name,
                        "taskList": {"name": f"a-{name}"},
                        **timeout,
                    },
                }
            ],
        )
        if name != "schedule_to_start":  # the others are started, and then left to hang
            task = swf.poll_for_activity_task(domain="restart", taskList={"name": f"a-{name}"})
            assert task["activityId"] == name
    start("decision", taskStartToCloseTimeout=str(DUE_S))  # started, never answered
    start("workflow", executionStartToCloseTimeout=str(DUE_S))
    return runs


def fired(swf: Any, runs: dict[str, dict[str, str]]) -> dict[str, dict[str, int]]:
    found = {}
    for name, expected in EXPECTED.items():
        events = history(swf, runs[name])
        found[name] = {event_type: count(events, event_type) for event_type in expected}
    return found


def test_timers_that_fell_due_while_the_server_was_down_fire_once_after_restart(
    servers: Callable[[], Server],
) -> None:
    first = servers()
    armed_at = time.time()
    runs = arm(first.swf)
    # Nothing has fired yet: the kill comes before anything is due.
    assert all(n == 0 for counts in fired(first.swf, runs).values() for n in counts.values()), (
        f"something fired before the kill: arming took longer than {DUE_S} s"
    )
    first.kill()

    latest_due = armed_at + DUE_S + 1 + 0.5
    wait_for(lambda: time.time() >= latest_due, DUE_S + 10, "every timer to be past due")

    # How soon they fire after a restart is for benchmarks/timer_lag.py; here, that they do,
    # once each.
    second = servers()
    wait_for(lambda: fired(second.swf, runs) == EXPECTED, 30, "every timer to fire")

    for name in ("schedule_to_start", "schedule_to_close", "start_to_close", "heartbeat"):
        [timed_out] = attrs(history(second.swf, runs[name]), "ActivityTaskTimedOut")
        assert timed_out["timeoutType"] == TIMEOUT_TYPE[name]
    timers = history(second.swf, runs["timers"])
    assert sorted(a["timerId"] for a in attrs(timers, "TimerFired")) == ["t0", "t1", "t2"]
    # They fired after the restart, not before the kill.
    for name, run in runs.items():
        for event in history(second.swf, run):
            if event["eventType"] in EXPECTED[name]:
                assert event["eventTimestamp"].timestamp() >= latest_due - 0.5
    info = second.swf.describe_workflow_execution(domain="restart", execution=runs["workflow"])
    assert info["executionInfo"]["closeStatus"] == "TIMED_OUT"

    # Once each: the fired rows are gone from the store, and a further kill and start fires
    # nothing again.
    before = {name: history(second.swf, run) for name, run in runs.items()}
    second.kill()
    killed_at_ms = int(time.time() * 1000)
    with contextlib.closing(sqlite3.connect(second.db)) as conn:
        overdue = conn.execute("SELECT count(*) FROM timers WHERE due_ms <= ?", (killed_at_ms,))
        assert overdue.fetchone()[0] == 0
    third = servers()
    # A timer due at once: when it has fired, the timer loop has made its first pass.
    probe = {"workflowId": "probe"}
    probe["runId"] = third.swf.start_workflow_execution(
        domain="restart", workflowId="probe", workflowType=WF, taskList={"name": "d-probe"}
    )["runId"]
    task = third.swf.poll_for_decision_task(domain="restart", taskList={"name": "d-probe"})
    third.swf.respond_decision_task_completed(
        taskToken=task["taskToken"],
        decisions=[
            {
                "decisionType": "StartTimer",
                "startTimerDecisionAttributes": {"timerId": "now", "startToFireTimeout": "0"},
            }
        ],
    )
    wait_for(lambda: count(history(third.swf, probe), "TimerFired"), 5, "the probe timer")
    assert {name: history(third.swf, run) for name, run in runs.items()} == before
    assert "Traceback" not in first.logs() + second.logs() + third.logs()
