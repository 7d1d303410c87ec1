"""``openswf replay``: check workflow code against stored histories before deploying it.

    openswf replay history.json app/orders.py:Order
    openswf replay a.json b.json app.orders:Order
    openswf replay --endpoint URL --domain D --workflow-id W app.orders:Order

A history is the JSON of GetWorkflowExecutionHistory (``{"events": [...]}``, as the AWS CLI
prints it), a bare list of events, or a recorded fixture (``{"history": [...]}``). The code
is run against every decision task the history answered; any call it makes differently
from the recorded run is reported as a ``NondeterminismError`` (exit 1).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click
import orjson

from openswf.sdk import Client, NondeterminismError, Workflow
from openswf.sdk.code.decider import replay as replay_history
from openswf.sdk.history import Event, get_history


def load_workflow(target: str) -> type[Workflow]:
    """``package.module:Class`` or ``path/to/file.py:Class``."""
    where, sep, name = target.rpartition(":")
    if not sep or not where or not name:
        raise click.BadParameter(f"{target!r}: expected module:Workflow", param_hint="WORKFLOW")
    if where.endswith(".py"):
        from openswf.cli.run import load_module

        module = load_module(Path(where))
    else:
        module = importlib.import_module(where)
    cls = getattr(module, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Workflow)):
        raise click.BadParameter(f"{target!r} is not a Workflow class", param_hint="WORKFLOW")
    return cls


def events_of(data: Any) -> list[Event]:
    if isinstance(data, dict):
        data = data.get("events", data.get("history"))
    if not isinstance(data, list):
        raise click.ClickException("expected {'events': [...]} or a list of events")
    return data


def latest_run(client: Client, domain: str, workflow_id: str) -> str:
    found: list[Any] = []
    for call in (client.list_open_workflow_executions, client.list_closed_workflow_executions):
        answer = call(
            domain=domain,
            startTimeFilter={"oldestDate": 0},
            executionFilter={"workflowId": workflow_id},
        )
        found.extend(answer.get("executionInfos", []))
    if not found:
        raise click.ClickException(f"no execution {workflow_id} in domain {domain}")
    latest = max(found, key=lambda info: float(info.get("startTimestamp", 0)))
    return str(latest["execution"]["runId"])


@click.command("replay")
@click.argument("args", nargs=-1, required=True, metavar="[HISTORY.json ...] WORKFLOW")
@click.option("--endpoint", default=None, help="Fetch the history from this SWF endpoint.")
@click.option("--domain", default=None, help="Domain of --workflow-id.")
@click.option("--workflow-id", default=None, help="Fetch this execution's history.")
@click.option("--run-id", default=None, help="Run of --workflow-id (default: the latest).")
def replay(
    args: tuple[str, ...],
    endpoint: str | None,
    domain: str | None,
    workflow_id: str | None,
    run_id: str | None,
) -> None:
    """Replay stored histories through WORKFLOW (module:Class) and report nondeterminism."""
    *files, target = args
    cls = load_workflow(target)
    histories: list[tuple[str, list[Event], str, str]] = []
    for name in files:
        events = events_of(orjson.loads(Path(name).read_bytes()))
        histories.append((name, events, "replay", "replay"))
    if workflow_id:
        if not domain:
            raise click.BadParameter("--workflow-id needs --domain", param_hint="--domain")
        client = Client(endpoint)
        run_id = run_id or latest_run(client, domain, workflow_id)
        events = get_history(client, domain, workflow_id, run_id)
        histories.append((f"{workflow_id} (run {run_id})", events, workflow_id, run_id))
    if not histories:
        raise click.UsageError("give a HISTORY file, or --workflow-id with --domain")
    failed = 0
    for name, events, wid, rid in histories:
        try:
            replay_history(cls, events, workflow_id=wid, run_id=rid)
        except NondeterminismError as error:
            failed += 1
            click.echo(f"{name}: NONDETERMINISTIC: {error}", err=True)
        else:
            click.echo(f"{name}: ok ({len(events)} events)")
    if failed:
        raise SystemExit(1)
