"""Records the code workflows' fixtures (``code_fixtures/``) from a real openswf server.

    .venv/bin/python -m tests.unit.sdk.record_code_fixtures [name ...]

One driver runs every scenario step by step with a manual clock: it answers each decision
task with ``WorkflowDecider`` (recording how many events it saw and what it decided), runs
each activity and Lambda task once through the real workers' code, sends the scenario's
signals when nothing else is pending, and otherwise moves the clock a minute. A fixture
holds the final history and the steps of the scenario's own execution (children are
decided too, but not recorded). Re-record after changing the runtime on purpose, and
review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson

from openswf.sdk import ActivityWorker, Client, LambdaWorker, WorkflowDecider, ensure_domain
from openswf.sdk.converter import dumps
from openswf.sdk.history import get_history, poll_decision_task
from openswf.services.clock import ManualClock
from openswf.services.settings import Settings
from openswf.testing import LocalServer
from tests.unit.sdk import code_workflows as app

FIXTURES = Path(__file__).with_name("code_fixtures")
DOMAIN = "code-fixtures"

# name: (workflow, input, signals sent when idle)
SCENARIOS: dict[str, tuple[type[app.Workflow], Any, list[tuple[str, Any]]]] = {
    "sequence": (app.Sequence, 1, []),
    "fanout": (app.FanOut, 3, []),
    "compensate": (app.Compensate, 5, []),
    "timer_signal": (app.TimerSignal, None, [("go", "first"), ("go", "second")]),
    "parent": (app.Parent, 4, []),
    "markers": (app.Markers, None, []),
    "cancel": (app.Cancel, None, []),
    "again": (app.Again, 0, []),
    "lambda": (app.Lambda, 7, []),
}


def record(server: LocalServer, client: Client, name: str) -> None:
    workflow, workflow_input, signals = SCENARIOS[name]
    decider = WorkflowDecider(app.ALL)
    workers = ActivityWorker(client, DOMAIN, app.ACTIVITIES, app.registry, register=False)
    lambdas = LambdaWorker(client, DOMAIN, app.LAMBDAS)
    workflow_id = f"code-{name}"
    run_id = client.start_workflow_execution(
        domain=DOMAIN,
        workflowId=workflow_id,
        workflowType={"name": workflow.name, "version": workflow.version},
        input=dumps(workflow.input_of(workflow_input) if workflow_input is not None else None),
        lambdaRole=workflow.lambda_role,
    )["runId"]
    runs = [run_id]
    steps: list[dict[str, Any]] = []
    pending_signals = list(signals)
    while True:
        events = get_history(client, DOMAIN, workflow_id, runs[-1])
        last = events[-1]["eventType"]
        if last == "WorkflowExecutionContinuedAsNew":
            attrs = events[-1]["workflowExecutionContinuedAsNewEventAttributes"]
            runs.append(attrs["newExecutionRunId"])
            continue
        if last.startswith("WorkflowExecution") and last not in (
            "WorkflowExecutionStarted",
            "WorkflowExecutionSignaled",
            "WorkflowExecutionCancelRequested",
        ):
            break
        task = poll_decision_task(client, DOMAIN, app.DECISIONS, "recorder")
        if task is not None:
            decisions = decider.decide(task)
            if task.workflow_id == workflow_id and task.run_id == runs[0]:
                steps.append({"events": len(task.events), "decisions": decisions.decisions})
            client.respond_decision_task_completed(
                taskToken=task.task_token,
                decisions=decisions.decisions,  # type: ignore[arg-type]
            )
            continue
        did = False
        for worker in (workers, lambdas):
            activity_task = worker.poll(client)
            if activity_task is not None:
                worker.handle(activity_task)
                did = True
        if did:
            continue
        if pending_signals:
            signal_name, value = pending_signals.pop(0)
            client.signal_workflow_execution(
                domain=DOMAIN, workflowId=workflow_id, signalName=signal_name, input=dumps(value)
            )
            continue
        server.advance(60)
    history = get_history(client, DOMAIN, workflow_id, runs[0])
    data = {
        "description": " ".join((workflow.__doc__ or "").split()),
        "workflow": {
            "class": workflow.__name__,
            "workflowId": workflow_id,
            "runId": runs[0],
            "workflowType": {"name": workflow.name, "version": workflow.version},
        },
        "history": history,
        "steps": steps,
    }
    path = FIXTURES / f"{name}.json"
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n")
    print(f"wrote {path} ({len(history)} events, {len(steps)} steps)")


def main(names: list[str]) -> int:
    FIXTURES.mkdir(exist_ok=True)
    with LocalServer(clock=ManualClock(), settings=Settings(poll_timeout_s=0.2)) as server:
        client = Client(server.endpoint)
        ensure_domain(client, DOMAIN)
        for cls in app.ALL:
            cls.workflow_type().register(client, DOMAIN)
        for item in app.registry:
            client.register_activity_type(**item.registration(DOMAIN))
        for name in names or list(SCENARIOS):
            record(server, client, name)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
