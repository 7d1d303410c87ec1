"""``openswf run FILE``: run a task-graph workflow end to end, in one process.

Starts an embedded openswf on SQLite (unless ``--endpoint`` names a server, openswf or AWS:
``AWS_ENDPOINT_URL_SWF`` is deliberately not read, so credentials in the environment never
send a demo to AWS), registers the domain and types, starts activity workers
and deciders, starts one execution of the file's workflow, shows its progress live, and
prints its result. The file defines ``spec`` (a ``DeciderSpec``) and may define ``input``
(the workflow input) and ``workflow_type`` (a ``WorkflowType``; default: the file's name,
version 1; its decision task list defaults to the spec's).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import click
import orjson
from rich.console import Console
from rich.live import Live
from rich.table import Table

from openswf.sdk import (
    ActivityWorker,
    Client,
    DeciderSpec,
    DecisionWorker,
    DynamicDecider,
    GraphDecider,
    WorkflowType,
    default_registry,
    ensure_domain,
)
from openswf.sdk.activities import Activity, Registry
from openswf.sdk.converter import loads
from openswf.sdk.deciders.state import BACKOFF, BACKOFF_TIMER, FAILED, OPEN, GraphState
from openswf.sdk.errors import SwfError, TransportError
from openswf.sdk.graph import DYNAMIC_WORKFLOW_TYPE, ChildWorkflow, Task
from openswf.sdk.history import CLOSE_EVENTS, attributes, get_history


def load_module(path: Path) -> ModuleType:
    name = f"openswf_run_{path.stem}"
    sys.path.insert(0, str(path.parent.resolve()))
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise click.ClickException(f"cannot import {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    return module


def find_spec(module: ModuleType) -> DeciderSpec:
    spec = getattr(module, "spec", None)
    if isinstance(spec, DeciderSpec):
        return spec
    found = [v for v in vars(module).values() if isinstance(v, DeciderSpec)]
    if len(found) != 1:
        raise click.ClickException(f"{module.__file__} must define spec = DeciderSpec(...)")
    return found[0]


def child_task_lists(tasks: list[Task]) -> set[str]:
    """Decision task lists of the graphs that ChildWorkflow(spec=...) tasks run."""
    lists: set[str] = set()
    for task in tasks:
        if isinstance(task, ChildWorkflow) and task.spec is not None:
            child = DeciderSpec.from_dict(task.spec)
            lists.add(child.task_list)
            lists |= child_task_lists(child.tasks)
    return lists


def activity_registry(module: ModuleType) -> Registry:
    registry = Registry(default_registry)
    for value in vars(module).values():
        if isinstance(value, Activity) and registry.get(value.name, value.version) is None:
            registry.add(value)
    return registry


@contextmanager
def embedded_server(db_url: str | None) -> Iterator[str]:
    from openswf.testing import LocalServer

    with LocalServer(db_url) as server:
        yield server.endpoint


def dashboard_link(endpoint: str, domain: str, workflow_id: str, run_id: str) -> str:
    parts = (quote(domain, safe=""), quote(workflow_id, safe=""), run_id)
    return f"{endpoint}/ui/domains/{parts[0]}/runs/{parts[1]}/{parts[2]}"


def progress_table(
    name: str, counts: dict[str, int], events: int, elapsed: float, status: str
) -> Table:
    table = Table(title=f"{name}  [{status}]", title_justify="left", show_edge=False)
    columns = ("tasks", "done", "running", "timers", "retried", "failed", "pending")
    for column in (*columns, "events", "elapsed"):
        table.add_column(column, justify="right")
    table.add_row(
        str(counts["total"]),
        f"[green]{counts['done']}[/]",
        f"[yellow]{counts['running']}[/]",
        str(counts["timers"]),
        f"[magenta]{counts['retried']}[/]",
        f"[red]{counts['failed']}[/]",
        str(counts["pending"]),
        str(events),
        f"{elapsed:.1f}s",
    )
    return table


@click.command("run")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--input", "input_json", default=None, help="Workflow input as JSON.")
@click.option(
    "--endpoint",
    default=None,
    help="SWF endpoint; default: an embedded openswf on SQLite (AWS_ENDPOINT_URL_SWF is "
    "not read: name the endpoint to use one).",
)
@click.option("--db", "db_url", default=None, help="Database URL of the embedded server.")
@click.option("--domain", default=None, help="Domain (default: the spec's).")
@click.option("--workflow-id", default=None, help="Workflow id (default: generated).")
@click.option("--concurrency", default=4, show_default=True, help="Tasks run at once per list.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds to wait for the end.")
@click.option("--progress/--no-progress", default=True, help="Show live progress.")
@click.option("--local", is_flag=True, help="Run a code workflow in-process, with no server.")
def run(
    file: Path,
    input_json: str | None,
    endpoint: str | None,
    db_url: str | None,
    domain: str | None,
    workflow_id: str | None,
    concurrency: int,
    timeout: float,
    progress: bool,
    local: bool = False,
) -> None:
    """Run the workflow defined in FILE (a task graph or a Workflow class), print its result."""
    module = load_module(file)
    from openswf.cli.run_code import find_workflows, run_code_file

    found = find_workflows(module)
    if found is not None or local:
        return run_code_file(
            module, found, input_json=input_json, endpoint=endpoint, db_url=db_url,
            domain=domain, workflow_id=workflow_id, concurrency=concurrency, timeout=timeout,
            progress=progress, local=local,
        )  # fmt: skip
    spec = find_spec(module)
    workflow_type = getattr(module, "workflow_type", None)
    if not isinstance(workflow_type, WorkflowType):
        workflow_type = WorkflowType(file.stem, "1", task_list=spec.task_list)
    elif workflow_type.task_list is None:
        # Without a default task list SWF refuses the start (DefaultUndefinedFault).
        workflow_type = dataclasses.replace(workflow_type, task_list=spec.task_list)
    workflow_input: Any = getattr(module, "input", None)
    if input_json is not None:
        workflow_input = loads(input_json)
    domain = domain or spec.domain
    console = Console(stderr=True)
    with ExitStack() as stack:
        embedded = endpoint is None
        if endpoint is None:
            endpoint = stack.enter_context(embedded_server(db_url))
            console.print(f"embedded openswf on {endpoint}")
        try:
            client = Client(endpoint)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint="--endpoint") from None
        stack.callback(client.close)
        try:
            ensure_domain(client, domain)
        except (TransportError, SwfError) as error:
            raise click.ClickException(f"cannot use SWF at {endpoint}: {error}") from None
        workflow_type.register(client, domain)
        WorkflowType(*DYNAMIC_WORKFLOW_TYPE, execution_timeout=86400).register(client, domain)
        registry = activity_registry(module)
        workers = start_workers(client, domain, spec, registry, workflow_type, concurrency)
        for worker in workers:
            stack.callback(worker.stop)
        workflow_id = workflow_id or f"{workflow_type.name}-{uuid.uuid4().hex[:12]}"
        run_id = workflow_type.start(client, domain, workflow_id, workflow_input)
        console.print(f"started {workflow_id} (run {run_id})")
        if embedded:  # openswf serves its dashboard at /ui (while this command runs)
            link = dashboard_link(endpoint, domain, workflow_id, run_id)
            console.print(f"dashboard: {link}", soft_wrap=True, highlight=False)
        closing = watch(client, domain, workflow_id, run_id, spec, timeout, progress, console)
    report(closing)


def start_workers(
    client: Client,
    domain: str,
    spec: DeciderSpec,
    registry: Registry,
    workflow_type: WorkflowType,
    concurrency: int,
) -> list[ActivityWorker | DecisionWorker]:
    deciders = {workflow_type.key: GraphDecider(spec), DYNAMIC_WORKFLOW_TYPE: DynamicDecider()}
    decision_lists = {spec.task_list, *child_task_lists(spec.tasks)}
    activity_lists = {t for t in registry.task_lists() if t} | (
        {spec.default_activity_task_list} if spec.default_activity_task_list else set()
    )
    started: list[ActivityWorker | DecisionWorker] = []
    for task_list in sorted(activity_lists):
        started.append(
            ActivityWorker(client, domain, task_list, registry, concurrency=concurrency).start()  # type: ignore[arg-type]
        )
    for task_list in sorted(decision_lists):
        started.append(
            DecisionWorker(client, domain, task_list, deciders).start()  # type: ignore[arg-type]
        )
    return started


def watch(
    client: Client,
    domain: str,
    workflow_id: str,
    run_id: str,
    spec: DeciderSpec,
    timeout: float,
    progress: bool,
    console: Console,
) -> dict[str, Any] | None:
    """Follow the execution's history until it closes; returns its closing event."""
    started = time.monotonic()
    shown = ""
    with Live(console=console, auto_refresh=False, transient=False) as live:
        while time.monotonic() - started < timeout:
            events = get_history(client, domain, workflow_id, run_id)
            closing = events[-1] if events[-1]["eventType"] in CLOSE_EVENTS else None
            counts = run_progress(GraphState.replay(spec.tasks, events))
            status = closing["eventType"] if closing else "running"
            elapsed = time.monotonic() - started
            if progress and console.is_terminal:
                live.update(progress_table(workflow_id, counts, len(events), elapsed, status))
                live.refresh()
            elif progress:
                line = f"{counts} {status}"
                if line != shown:
                    summary = ", ".join(f"{k} {v}" for k, v in counts.items())
                    console.print(f"{elapsed:6.1f}s  {summary}  {status}")
                    shown = line
            if closing is not None:
                console.print(f"{status} after {elapsed:.1f}s: {counts['done']} tasks done")
                return dict(closing)
            time.sleep(0.2)
    console.print(f"[red]timed out after {timeout:.0f}s[/]")
    return None


def run_progress(state: GraphState) -> dict[str, int]:
    """The decider's progress counts, with timers apart from running tasks, and failed
    attempts that are being retried (``failed`` counts tasks failed for good)."""
    counts = state.progress()
    timers = sum(
        (st.status == OPEN and st.task.kind == "timer") or st.status in (BACKOFF, BACKOFF_TIMER)
        for st in state.states.values()
    )
    counts["running"] -= timers
    counts["timers"] = timers
    counts["retried"] = sum(len(st.failures) for st in state.states.values() if st.status != FAILED)
    return {
        key: counts[key]
        for key in ("total", "done", "running", "timers", "retried", "failed", "pending")
    }


def report(closing: dict[str, Any] | None) -> None:
    if closing is None:
        sys.exit(2)
    kind = closing["eventType"]
    attrs = attributes(closing)
    if kind == "WorkflowExecutionCompleted":
        result = loads(attrs.get("result"))
        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"{kind}: {attrs.get('reason') or attrs.get('cause') or ''}", err=True)
    details = loads(attrs.get("details"))
    if details is not None:
        click.echo(orjson.dumps(details, option=orjson.OPT_INDENT_2).decode(), err=True)
    sys.exit(1)
