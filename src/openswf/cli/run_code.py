"""``openswf run FILE`` for files whose workflow is written as code (a ``Workflow``).

The file's workflow is its ``workflow`` attribute, or its only ``Workflow`` subclass; every
``Workflow`` subclass it defines (children) is registered and decided too. ``input`` is the
workflow input and ``lambdas`` (a mapping of names to functions, or a list of functions)
the Lambda functions its Lambda tasks call. ``--local`` runs it in-process with the local
executor (no server, timers skipped).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from contextlib import ExitStack
from types import ModuleType
from typing import Any

import click
from rich.console import Console

from openswf.sdk import (
    ActivityWorker,
    Client,
    DecisionWorker,
    LambdaWorker,
    LocalExecutor,
    Workflow,
    WorkflowDecider,
    ensure_domain,
)
from openswf.sdk.activities import Registry
from openswf.sdk.converter import dumps
from openswf.sdk.history import CLOSE_EVENTS, get_history


def find_workflows(module: ModuleType) -> tuple[type[Workflow], list[type[Workflow]]] | None:
    """The file's workflow and every Workflow class it defines, or None (a graph file)."""
    classes = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Workflow)
        and value.run is not Workflow.run  # bases without a run of their own do not count
    ]
    chosen = getattr(module, "workflow", None)
    if isinstance(chosen, type) and issubclass(chosen, Workflow):
        return chosen, classes
    own = [cls for cls in classes if cls.__module__ == module.__name__]
    if len(own) == 1 or len(classes) == 1:
        return (own or classes)[0], classes
    if classes:
        raise click.ClickException(
            f"{module.__file__} defines several Workflow classes: say which one runs with "
            "workflow = ThatClass"
        )
    return None


def lambdas_of(module: ModuleType) -> Any:
    return getattr(module, "lambdas", None) or {}


def progress_counts(events: list[Mapping[str, Any]]) -> dict[str, int]:
    """Activities done, running and failed (attempts), and timers pending, from a history."""
    counts = {"done": 0, "running": 0, "failed": 0, "timers": 0, "children": 0}
    for event in events:
        kind = event["eventType"]
        if kind == "ActivityTaskScheduled":
            counts["running"] += 1
        elif kind == "ActivityTaskCompleted":
            counts["running"] -= 1
            counts["done"] += 1
        elif kind in ("ActivityTaskFailed", "ActivityTaskTimedOut", "ActivityTaskCanceled"):
            counts["running"] -= 1
            counts["failed"] += 1
        elif kind == "TimerStarted":
            counts["timers"] += 1
        elif kind in ("TimerFired", "TimerCanceled"):
            counts["timers"] -= 1
        elif kind == "StartChildWorkflowExecutionInitiated":
            counts["children"] += 1
    return counts


def run_local(
    module: ModuleType, main: type[Workflow], workflow_input: Any, registry: Registry
) -> dict[str, Any]:
    """Run in-process; the closing event the server would have recorded."""
    executor = LocalExecutor(activities=registry, lambdas=lambdas_of(module))
    outcome = executor.execute(main, workflow_input)
    if outcome.status == "completed":
        attrs = {"result": dumps(outcome.result)}
        return {"eventType": "WorkflowExecutionCompleted", _key("Completed"): attrs}
    if outcome.status == "canceled":
        return {"eventType": "WorkflowExecutionCanceled", _key("Canceled"): {}}
    attrs = {"reason": outcome.reason, "details": dumps(outcome.details)}
    return {"eventType": "WorkflowExecutionFailed", _key("Failed"): attrs}


def _key(kind: str) -> str:
    return f"workflowExecution{kind}EventAttributes"


def run_on_server(
    stack: ExitStack,
    client: Client,
    domain: str,
    main: type[Workflow],
    classes: list[type[Workflow]],
    registry: Registry,
    module: ModuleType,
    workflow_input: Any,
    workflow_id: str | None,
    concurrency: int,
    timeout: float,
    progress: bool,
    console: Console,
) -> dict[str, Any] | None:
    ensure_domain(client, domain)
    for cls in classes:
        cls.workflow_type().register(client, domain)
    activity_lists = {t for t in registry.task_lists() if t}
    activity_lists |= {cls.activity_task_list for cls in classes if cls.activity_task_list}
    workers: list[ActivityWorker | DecisionWorker] = [
        ActivityWorker(client, domain, task_list, registry, concurrency=concurrency)
        for task_list in sorted(activity_lists)
    ]
    decider = WorkflowDecider(classes)
    deciders = {cls.key(): decider for cls in classes}
    for task_list in sorted({cls.task_list for cls in classes if cls.task_list}):
        workers.append(DecisionWorker(client, domain, task_list, deciders))
    if lambdas_of(module):
        workers.append(LambdaWorker(client, domain, lambdas_of(module), concurrency=concurrency))
    for worker in workers:
        worker.start()
        stack.callback(worker.stop)
    workflow_id = workflow_id or f"{main.name}-{uuid.uuid4().hex[:12]}"
    run_id = client.start_workflow_execution(
        domain=domain,
        workflowId=workflow_id,
        workflowType={"name": main.name, "version": main.version},
        taskList={"name": main.task_list} if main.task_list else None,
        input=dumps(workflow_input),
        lambdaRole=main.lambda_role,
    )["runId"]
    console.print(f"started {workflow_id} (run {run_id})")
    started = time.monotonic()
    shown = ""
    while time.monotonic() - started < timeout:
        events = get_history(client, domain, workflow_id, run_id)
        closing = events[-1] if events[-1]["eventType"] in CLOSE_EVENTS else None
        status = closing["eventType"] if closing else "running"
        elapsed = time.monotonic() - started
        line = ", ".join(f"{k} {v}" for k, v in progress_counts(events).items())
        if progress and line + status != shown:
            console.print(f"{elapsed:6.1f}s  activities: {line}  {status}")
            shown = line + status
        if closing is not None:
            console.print(f"{status} after {elapsed:.1f}s ({len(events)} events)")
            return dict(closing)
        time.sleep(0.2)
    console.print(f"[red]timed out after {timeout:.0f}s[/]")
    return None


def run_code_file(
    module: ModuleType,
    found: tuple[type[Workflow], list[type[Workflow]]] | None,
    *,
    input_json: str | None,
    endpoint: str | None,
    db_url: str | None,
    domain: str | None,
    workflow_id: str | None,
    concurrency: int,
    timeout: float,
    progress: bool,
    local: bool,
) -> None:
    from openswf.cli.run import activity_registry, embedded_server, report
    from openswf.sdk.converter import loads

    if found is None:
        raise click.ClickException(
            "--local runs workflows written as code (a Workflow subclass); "
            f"{module.__file__} defines none"
        )
    main, classes = found
    workflow_input: Any = getattr(module, "input", None)
    if input_json is not None:
        workflow_input = loads(input_json)
    registry = activity_registry(module)
    console = Console(stderr=True)
    if local:
        closing: dict[str, Any] | None = run_local(module, main, workflow_input, registry)
        console.print(f"{closing['eventType']} (local executor)" if closing else "")
        report(closing)
        return
    with ExitStack() as stack:
        if endpoint is None:
            endpoint = stack.enter_context(embedded_server(db_url))
            console.print(f"embedded openswf on {endpoint}")
        client = Client(endpoint)
        stack.callback(client.close)
        closing = run_on_server(
            stack,
            client,
            domain or main.domain or "examples",
            main,
            classes,
            registry,
            module,
            workflow_input,
            workflow_id,
            concurrency,
            timeout,
            progress,
            console,
        )
    report(closing)
