"""Code workflows (``openswf.sdk.Workflow``) on a real server over HTTP, with real threads:
an activity worker, a Lambda worker and ``DecisionWorker(WorkflowDecider)``, on SQLite and on
PostgreSQL (the ``server`` fixture runs both), and under ``LocalServer`` with a manual clock,
where timers fire when the test moves time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from openswf.sdk import (
    ActivityWorker,
    Client,
    DecisionWorker,
    LambdaWorker,
    LocalExecutor,
    WorkflowDecider,
    ensure_domain,
)
from openswf.sdk.converter import dumps, loads
from openswf.sdk.history import attributes, get_history
from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.conftest import unique
from tests.unit.sdk import code_workflows as app


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def running(client: Client, domain: str) -> Iterator[None]:
    ensure_domain(client, domain)
    for cls in app.ALL:
        cls.workflow_type().register(client, domain)
    workers = [
        ActivityWorker(client, domain, app.ACTIVITIES, app.registry, heartbeat_interval=0),
        LambdaWorker(client, domain, app.LAMBDAS),
        DecisionWorker(client, domain, app.DECISIONS, WorkflowDecider(app.ALL)),
    ]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        for worker in workers:
            worker.stop()


def start(client: Client, domain: str, cls: type[app.Workflow], *args: Any) -> tuple[str, str]:
    workflow_id = unique(cls.name.replace(".", "-"))
    run_id = client.start_workflow_execution(
        domain=domain,
        workflowId=workflow_id,
        workflowType={"name": cls.name, "version": cls.version},
        input=dumps(cls.input_of(*args)),
        lambdaRole=cls.lambda_role,
    )["runId"]
    return workflow_id, run_id


def closing(client: Client, domain: str, workflow_id: str, run_id: str) -> Any:
    """The closing event, following continue-as-new to the last run."""
    while True:
        events = get_history(client, domain, workflow_id, run_id)
        last = events[-1]
        if last["eventType"] == "WorkflowExecutionContinuedAsNew":
            run_id = attributes(last)["newExecutionRunId"]
            continue
        if last["eventType"].startswith("WorkflowExecution") and last["eventType"] not in (
            "WorkflowExecutionStarted",
            "WorkflowExecutionSignaled",
        ):
            return last
        return None


RUNS: dict[str, tuple[type[app.Workflow], tuple[Any, ...]]] = {
    "sequence": (app.Sequence, (1,)),
    "fanout": (app.FanOut, (3,)),
    "parent": (app.Parent, (4,)),
    "lambda": (app.Lambda, (7,)),
    "again": (app.Again, (0,)),
}


def test_code_workflows_run_on_both_backends(server: LocalServer) -> None:
    client = Client(server.endpoint)
    domain = unique("code")
    local = LocalExecutor(activities=app.registry, lambdas=app.LAMBDAS)
    with running(client, domain):
        started = {name: start(client, domain, cls, *args) for name, (cls, args) in RUNS.items()}
        for name, (workflow_id, run_id) in started.items():
            event = wait_for(lambda w=workflow_id, r=run_id: closing(client, domain, w, r), name)
            assert event["eventType"] == "WorkflowExecutionCompleted", (name, event)
            cls, args = RUNS[name]
            # The same code on the local executor gives the same result.
            assert loads(attributes(event)["result"]) == local.run(cls, *args), name


def test_a_failure_left_uncaught_fails_the_workflow(server: LocalServer) -> None:
    client = Client(server.endpoint)
    domain = unique("code")
    with running(client, domain):
        workflow_id, run_id = start(client, domain, app.Child, -3)
        event = wait_for(lambda: closing(client, domain, workflow_id, run_id), "child")
    assert event["eventType"] == "WorkflowExecutionFailed"
    assert attributes(event)["reason"] == "negative"
    assert loads(attributes(event)["details"]) == {"x": -3}


def test_manual_clock_runs_timers_and_signals_end_to_end() -> None:
    """Under LocalServer(clock=ManualClock()), a 30 s sleep and a one-hour deadline take no
    real time: the test moves the clock, and the history is a real one."""
    with LocalServer(clock=ManualClock(), settings=Settings(poll_timeout_s=1.0)) as server:
        client = Client(server.endpoint)
        domain = unique("code-clock")
        with running(client, domain):
            workflow_id, run_id = start(client, domain, app.TimerSignal)

            def history() -> list[str]:
                return [e["eventType"] for e in get_history(client, domain, workflow_id, run_id)]

            wait_for(lambda: "TimerStarted" in history(), "the 30 s timer")
            server.advance(30)
            wait_for(lambda: history().count("TimerStarted") == 2, "the deadline timer")
            for value in ("first", "second"):
                client.signal_workflow_execution(
                    domain=domain, workflowId=workflow_id, signalName="go", input=dumps(value)
                )
            event = wait_for(lambda: closing(client, domain, workflow_id, run_id), "the end")
        kinds = history()
    assert event["eventType"] == "WorkflowExecutionCompleted"
    assert loads(attributes(event)["result"]) == {
        "go": "first",
        "fired": False,
        "later": "second",
        "waited": True,
    }
    assert "TimerCanceled" in kinds  # the deadline lost the race and was cancelled


def test_a_cancel_request_reaches_the_code(server: LocalServer) -> None:
    client = Client(server.endpoint)
    domain = unique("code")
    with running(client, domain):
        workflow_id, run_id = start(client, domain, app.Cancellable)

        def kinds() -> list[str]:
            return [e["eventType"] for e in get_history(client, domain, workflow_id, run_id)]

        wait_for(lambda: kinds()[-1] == "DecisionTaskCompleted", "the first decision")
        client.request_cancel_workflow_execution(domain=domain, workflowId=workflow_id)
        event = wait_for(lambda: closing(client, domain, workflow_id, run_id), "the cancel")
    assert event["eventType"] == "WorkflowExecutionCanceled"
    assert "ActivityTaskCompleted" in kinds()  # the clean-up ran first


def test_openswf_replay_fetches_a_history_by_workflow_id(server: LocalServer) -> None:
    from click.testing import CliRunner

    from openswf.cli.main import main

    client = Client(server.endpoint)
    domain = unique("code")
    with running(client, domain):
        workflow_id, run_id = start(client, domain, app.FanOut, 2)
        wait_for(lambda: closing(client, domain, workflow_id, run_id), "fanout")
    base = ["replay", "--endpoint", server.endpoint, "--domain", domain]
    good = CliRunner().invoke(
        main, [*base, "--workflow-id", workflow_id, "tests.unit.sdk.code_workflows:FanOut"]
    )
    assert good.exit_code == 0, good.output
    assert f"{workflow_id} (run {run_id}): ok" in good.output
    bad = CliRunner().invoke(
        main, [*base, "--workflow-id", workflow_id, "tests.unit.sdk.code_workflows:Sequence"]
    )
    assert bad.exit_code == 1
    assert "NONDETERMINISTIC" in bad.output
