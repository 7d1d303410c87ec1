"""simpleflow (botify-labs, from PyPI, unchanged) uses timers, child workflows, signals between
executions and markers on openswf.

Each workflow (tests/integration/simpleflow_app/) runs under `simpleflow standalone`: a decider
process and an activity-worker process on a task list of its own, which reach openswf only
through AWS_ENDPOINT_URL_SWF. standalone checks its execution every 2 s, so the runs of this
module are started together, once, and each test waits for its own and then reads the history
through boto3.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from openswf.testing import LocalServer
from tests.conftest import unique
from tests.integration.swf_helpers import attributes, types_of

SIMPLEFLOW = Path(sys.executable).parent / "simpleflow"
APP_DIR = Path(__file__).parent  # holds the simpleflow_app package
RUN_TIMEOUT_S = 60
TIMER_S = 2


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


def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


class Standalone:
    """One `simpleflow standalone` run, in its own process group so that the decider and worker
    it forks end with it whatever happens. Output goes to files: runs go on side by side."""

    def __init__(
        self,
        workflow: str,
        domain: str,
        workflow_id: str,
        input: Any,
        endpoint: str,
        home: Path,
        processes: int = 1,
        options: tuple[str, ...] = (),
    ) -> None:
        self.domain = domain
        self.workflow_id = workflow_id
        self.began = time.monotonic()
        self._out = (home / f"{workflow_id}.out").open("w+")
        self._err = (home / f"{workflow_id}.err").open("w+")
        self.proc = subprocess.Popen(
            [str(SIMPLEFLOW), "standalone", "--domain", domain, "--workflow-id", workflow_id]
            + ["--input", json.dumps(input), "--nb-deciders", str(processes)]
            + ["--nb-workers", str(processes), *options, workflow],
            env=_env(endpoint, home),
            cwd=home,
            stdout=self._out,
            stderr=self._err,
            start_new_session=True,
        )

    def finish(self) -> tuple[int, str]:
        """Wait for the run to end; its exit status and stderr."""
        remaining = max(0.0, self.began + RUN_TIMEOUT_S - time.monotonic())
        try:
            code = self.proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            pytest.fail(f"simpleflow {self.workflow_id} did not finish\n{self.stderr()[-5000:]}")
        finally:
            self.kill()  # leftovers of the group, if any
        return code, self.stderr()

    def stderr(self) -> str:
        self._err.flush()
        self._err.seek(0)
        return self._err.read()

    def kill(self) -> None:
        """End the run's process group: standalone itself and the processes it forked."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def close(self) -> None:
        self.kill()
        self._out.close()
        self._err.close()


# --- the runs, started together --------------------------------------------------------------

Runs = dict[str, Standalone]


def _is_open(swf: Any, domain: str, workflow_id: str) -> bool:
    found = swf.list_open_workflow_executions(
        domain=domain,
        startTimeFilter={"oldestDate": 0},
        executionFilter={"workflowId": workflow_id},
    )["executionInfos"]
    return bool(found)


@pytest.fixture(scope="module")
def runs(server: LocalServer, swf: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    if not SIMPLEFLOW.exists():
        pytest.skip(f"simpleflow is not installed next to {sys.executable}")
    home = tmp_path_factory.mktemp("simpleflow-features")
    domain = unique("simpleflow-features")
    # simpleflow never registers domains; it registers its workflow and activity types itself.
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    started: Runs = {}

    def start(key: str, workflow: str, input: Any) -> Standalone:
        run = Standalone(
            f"simpleflow_app.{workflow}", domain, unique(key), input, server.endpoint, home
        )
        started[key] = run
        return run

    try:
        start("timer", "timers.PauseThenIncrement", {"args": [5, TIMER_S]})
        start("child", "children.IncrementThenDoubleInChild", {"args": [4]})
        start("markers", "markers.RecordMarkers", {"args": [3]})
        receiver = start("receiver", "signals.WaitForGo", {})
        # The sender signals the receiver by workflow id: the receiver must be open first, or
        # SWF answers the signal with SignalExternalWorkflowExecutionFailed.
        wait_for(
            lambda: _is_open(swf, domain, receiver.workflow_id),
            RUN_TIMEOUT_S / 2,
            f"simpleflow to start {receiver.workflow_id}",
        )
        start("sender", "signals.SendGo", {"args": [receiver.workflow_id, 7]})
        yield started
    finally:
        for run in started.values():
            run.close()


def finished(run: Standalone) -> None:
    code, stderr = run.finish()
    assert code == 0, stderr[-5000:]
    assert f"execution {run.workflow_id} finished" in stderr, stderr[-5000:]


def closed(swf: Any, run: Standalone) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The closed execution of a run and its full history."""
    infos = swf.list_closed_workflow_executions(
        domain=run.domain,
        startTimeFilter={"oldestDate": 0},
        executionFilter={"workflowId": run.workflow_id},
    )["executionInfos"]
    assert len(infos) == 1, infos
    return infos[0], full_history(swf, run.domain, infos[0]["execution"])


def full_history(swf: Any, domain: str, execution: dict[str, str]) -> list[dict[str, Any]]:
    pages = swf.get_paginator("get_workflow_execution_history").paginate(
        domain=domain, execution=execution
    )
    events = [event for page in pages for event in page["events"]]
    assert [e["eventId"] for e in events] == list(range(1, len(events) + 1))
    return events


def of_type(events: list[dict[str, Any]], event_type: str) -> list[dict[str, Any]]:
    return [e for e in events if e["eventType"] == event_type]


def result_of(events: list[dict[str, Any]]) -> Any:
    assert events[-1]["eventType"] == "WorkflowExecutionCompleted", types_of(events)
    return json.loads(attributes(events[-1])["result"])


def by_id(events: list[dict[str, Any]], event_id: int) -> dict[str, Any]:
    event = events[event_id - 1]
    assert event["eventId"] == event_id
    return event


# --- the tests -------------------------------------------------------------------------------


def test_a_timer_pauses_the_workflow_then_fires_once(swf: Any, runs: Runs) -> None:
    run = runs["timer"]
    finished(run)
    info, events = closed(swf, run)
    assert info["closeStatus"] == "COMPLETED"
    assert result_of(events) == {"x": 5, "incremented": 6}

    [started] = [e for e in of_type(events, "TimerStarted") if attributes(e)["timerId"] == "pause"]
    assert attributes(started)["startToFireTimeout"] == str(TIMER_S)
    [fired] = of_type(events, "TimerFired")
    assert attributes(fired) == {"timerId": "pause", "startedEventId": started["eventId"]}
    waited = (fired["eventTimestamp"] - started["eventTimestamp"]).total_seconds()
    assert waited >= TIMER_S - 0.001, f"the timer fired after {waited:.3f} s"
    # TimerFired woke the decider, and the workflow went on past the timer only then.
    assert events[fired["eventId"]]["eventType"] == "DecisionTaskScheduled"
    [scheduled] = of_type(events, "ActivityTaskScheduled")
    assert scheduled["eventId"] > fired["eventId"]


def test_a_child_workflow_completes_and_its_parent_sees_the_result(swf: Any, runs: Runs) -> None:
    run = runs["child"]
    finished(run)
    info, events = closed(swf, run)
    assert info["closeStatus"] == "COMPLETED"
    assert result_of(events) == {"x": 4, "incremented": 5, "child": {"doubled": 10}}
    parent = info["execution"]

    # simpleflow registers the child's type when SWF first reports it unknown, then retries.
    for failed in of_type(events, "StartChildWorkflowExecutionFailed"):
        assert attributes(failed)["cause"] == "WORKFLOW_TYPE_DOES_NOT_EXIST"
    [child_started] = of_type(events, "ChildWorkflowExecutionStarted")
    [child_completed] = of_type(events, "ChildWorkflowExecutionCompleted")
    child = attributes(child_started)["workflowExecution"]
    initiated = by_id(events, attributes(child_started)["initiatedEventId"])
    assert initiated["eventType"] == "StartChildWorkflowExecutionInitiated"
    assert attributes(initiated)["workflowId"] == child["workflowId"]
    child_type = {"name": "simpleflow_app.children.DoubleInChild", "version": "1"}
    assert attributes(initiated)["workflowType"] == child_type
    completed = attributes(child_completed)
    assert completed["workflowExecution"] == child
    assert completed["workflowType"] == child_type
    assert completed["initiatedEventId"] == initiated["eventId"]
    assert completed["startedEventId"] == child_started["eventId"]
    assert json.loads(completed["result"]) == {"doubled": 10}
    assert events[child_completed["eventId"]]["eventType"] == "DecisionTaskScheduled"

    # The child is an execution of its own, linked to its parent.
    described = swf.describe_workflow_execution(domain=run.domain, execution=child)
    assert described["executionInfo"]["closeStatus"] == "COMPLETED"
    assert described["executionInfo"]["parent"] == parent
    child_events = full_history(swf, run.domain, child)
    child_start = attributes(child_events[0])
    assert child_start["parentWorkflowExecution"] == parent
    assert child_start["parentInitiatedEventId"] == initiated["eventId"]
    assert result_of(child_events) == {"doubled": 10}


def test_a_signal_goes_from_one_execution_to_another(swf: Any, runs: Runs) -> None:
    receiver_run, sender_run = runs["receiver"], runs["sender"]
    finished(sender_run)
    finished(receiver_run)
    sender_info, sender_events = closed(swf, sender_run)
    receiver_info, receiver_events = closed(swf, receiver_run)
    sender, receiver = sender_info["execution"], receiver_info["execution"]

    assert sender_info["closeStatus"] == "COMPLETED"
    assert result_of(sender_events) == {"sent_to": receiver["workflowId"], "value": 7}
    assert not of_type(sender_events, "SignalExternalWorkflowExecutionFailed")
    [initiated] = of_type(sender_events, "SignalExternalWorkflowExecutionInitiated")
    assert attributes(initiated)["signalName"] == "go"
    assert attributes(initiated)["workflowId"] == receiver["workflowId"]
    assert "runId" not in attributes(initiated)  # by workflow id alone
    sent_input = json.loads(attributes(initiated)["input"])
    assert sent_input == {
        "args": [],
        "kwargs": {"value": 7, "sender": "send_go"},
        "__propagate": False,
    }
    [signaled] = of_type(sender_events, "ExternalWorkflowExecutionSignaled")
    assert attributes(signaled) == {
        "workflowExecution": receiver,  # the run SWF found for the workflow id
        "initiatedEventId": initiated["eventId"],
    }

    assert receiver_info["closeStatus"] == "COMPLETED"
    [received] = of_type(receiver_events, "WorkflowExecutionSignaled")
    assert attributes(received)["signalName"] == "go"
    assert json.loads(attributes(received)["input"]) == sent_input
    assert attributes(received)["externalWorkflowExecution"] == sender
    assert attributes(received)["externalInitiatedEventId"] == initiated["eventId"]
    assert receiver_events[received["eventId"]]["eventType"] == "DecisionTaskScheduled"
    # The receiver's workflow returns what it was sent.
    assert result_of(receiver_events) == sent_input


def test_markers_are_recorded_and_read_back(swf: Any, runs: Runs) -> None:
    run = runs["markers"]
    finished(run)
    info, events = closed(swf, run)
    assert info["closeStatus"] == "COMPLETED"
    assert result_of(events) == {
        "incremented": 4,
        "latest": [["checkpoint", {"x": 3, "step": 2}], ["note", "plain details"]],
        "all": [
            ["checkpoint", {"x": 3}],
            ["checkpoint", {"x": 3, "step": 2}],
            ["note", "plain details"],
        ],
    }

    markers = of_type(events, "MarkerRecorded")
    assert [
        (attributes(m)["markerName"], json.loads(attributes(m)["details"])) for m in markers
    ] == [
        ("checkpoint", {"x": 3}),
        ("checkpoint", {"x": 3, "step": 2}),
        ("note", "plain details"),
    ]
    for marker in markers:
        completed = by_id(events, attributes(marker)["decisionTaskCompletedEventId"])
        assert completed["eventType"] == "DecisionTaskCompleted"
        # A marker schedules no decision task of its own.
        assert events[marker["eventId"]]["eventType"] != "DecisionTaskScheduled"
    # simpleflow starts a zero-second timer beside its markers to be woken up again; it fired
    # once per start.
    wake_ups = [
        e
        for e in of_type(events, "TimerStarted")
        if attributes(e)["timerId"] == "_simpleflow_wake_up_timer"
    ]
    assert wake_ups
    fired = [attributes(e)["startedEventId"] for e in of_type(events, "TimerFired")]
    assert sorted(fired) == [e["eventId"] for e in wake_ups]
