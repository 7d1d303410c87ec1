"""simpleflow (from PyPI, unchanged) with several deciders and workers, against an `openswf
server` process that holds long polls for SWF's full minute.

`simpleflow standalone --nb-deciders 2 --nb-workers 2` forks its pollers after a first call,
and the children share the inherited keep-alive connection: the server sees pipelined
requests, and before server/pipelining.py every RespondDecisionTaskCompleted written behind a
waiting poll waited for that poll's minute. Each run here must complete in seconds: a run
that took the stall even once takes over a minute, well past MAX_RUN_S.

standalone waits for its pollers' polls in flight before it exits (up to a minute for the
workers, then for the deciders), so a run is over here when its execution is closed.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openswf.testing import free_port
from tests.conftest import make_client, unique
from tests.integration.swf_helpers import attributes, types_of
from tests.integration.test_simpleflow_features import (
    SIMPLEFLOW,
    Standalone,
    closed,
    of_type,
    result_of,
    wait_for,
)

OPENSWF = Path(sys.executable).parent / "openswf"
PROCESSES = 2
MAX_RUN_S = 40.0  # each run takes a few seconds; one 60 s stall behind a poll is over this
TIMER_S = 2
# The pollers of one process also write their requests at the same time on the socket they
# share: the bytes interleave, the server answers 400 and closes the connection, and a poll
# claiming a task at that moment loses its answer. SWF gets such a task back when it times
# out, and so does openswf: a short decision timeout makes that cost seconds, not the default
# five minutes (docs/compatibility.md).
DECISION_TIMEOUT_S = 5


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`openswf server` as operators run it, with its default (SWF's) 60 s poll hold."""
    folder = tmp_path_factory.mktemp("openswf-simpleflow")
    port = free_port()
    log = (folder / "server.log").open("w")
    proc = subprocess.Popen(
        [str(OPENSWF), "server", "--port", str(port), "--db", f"sqlite:///{folder / 'db'}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        assert proc.poll() is None, (folder / "server.log").read_text()
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url + "/healthz", timeout=1) as answer:
                return bool(answer.status == 200)
        return False

    try:
        wait_for(healthy, 20, "openswf server to start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


Runs = dict[str, Standalone]


@pytest.fixture(scope="module")
def runs(endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Runs]]:
    if not SIMPLEFLOW.exists():
        pytest.skip(f"simpleflow is not installed next to {sys.executable}")
    home = tmp_path_factory.mktemp("simpleflow-processes")
    swf = make_client(endpoint)
    domain = unique("simpleflow-processes")
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    started: Runs = {}

    def start(key: str, workflow: str, input: Any) -> Standalone:
        run = Standalone(
            f"simpleflow_app.{workflow}",
            domain,
            unique(key),
            input,
            endpoint,
            home,
            processes=PROCESSES,
            options=("--decision-tasks-timeout", str(DECISION_TIMEOUT_S)),
        )
        started[key] = run
        return run

    try:
        start("chain", "arithmetic.IncrementThenDouble", {"args": [3]})
        start("fanout", "fanout.IncrementAllThenSum", {"args": [6]})
        start("timer", "timers.PauseThenIncrement", {"args": [5, TIMER_S]})
        start("child", "children.IncrementThenDoubleInChild", {"args": [4]})
        receiver = start("receiver", "signals.WaitForGo", {})
        wait_for(lambda: is_open(swf, domain, receiver.workflow_id), MAX_RUN_S, "the receiver")
        start("sender", "signals.SendGo", {"args": [receiver.workflow_id, 7]})
        yield swf, started
    finally:
        for run in started.values():
            run.close()


def is_open(swf: Any, domain: str, workflow_id: str) -> bool:
    return bool(
        swf.list_open_workflow_executions(
            domain=domain,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
        )["executionInfos"]
    )


def completed(swf: Any, run: Standalone) -> list[dict[str, Any]]:
    """The run's history once its execution closed; it must have taken seconds."""

    def over() -> bool:
        assert run.proc.poll() in (None, 0), run.stderr()[-5000:]
        return bool(
            swf.list_closed_workflow_executions(
                domain=run.domain,
                startTimeFilter={"oldestDate": 0},
                executionFilter={"workflowId": run.workflow_id},
            )["executionInfos"]
        )

    wait_for(over, MAX_RUN_S + 30, f"{run.workflow_id} to close")
    info, events = closed(swf, run)
    assert info["closeStatus"] == "COMPLETED", types_of(events)
    took = (info["closeTimestamp"] - info["startTimestamp"]).total_seconds()
    assert took < MAX_RUN_S, f"{run.workflow_id} took {took:.1f} s\n{run.stderr()[-5000:]}"
    return events


def test_a_chain(runs: tuple[Any, Runs]) -> None:
    swf, started = runs
    events = completed(swf, started["chain"])
    assert result_of(events) == {"x": 3, "incremented": 4, "doubled": 8}


def test_a_fan_out(runs: tuple[Any, Runs]) -> None:
    swf, started = runs
    events = completed(swf, started["fanout"])
    assert result_of(events) == {"incremented": [1, 2, 3, 4, 5, 6], "sum": 21}
    assert len(of_type(events, "ActivityTaskCompleted")) == 6


def test_a_timer(runs: tuple[Any, Runs]) -> None:
    swf, started = runs
    events = completed(swf, started["timer"])
    assert result_of(events) == {"x": 5, "incremented": 6}
    assert len(of_type(events, "TimerFired")) == 1


def test_a_child_workflow(runs: tuple[Any, Runs]) -> None:
    swf, started = runs
    events = completed(swf, started["child"])
    assert result_of(events) == {"x": 4, "incremented": 5, "child": {"doubled": 10}}
    assert len(of_type(events, "ChildWorkflowExecutionCompleted")) == 1


def test_a_signal(runs: tuple[Any, Runs]) -> None:
    swf, started = runs
    sender = completed(swf, started["sender"])
    receiver = completed(swf, started["receiver"])
    assert len(of_type(sender, "ExternalWorkflowExecutionSignaled")) == 1
    [received] = of_type(receiver, "WorkflowExecutionSignaled")
    assert attributes(received)["signalName"] == "go"
    assert result_of(receiver)["kwargs"] == {"value": 7, "sender": "send_go"}
